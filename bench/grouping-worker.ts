/**
 * One measurement of the grouping job, in its own process (started pinned to one core by
 * bench/grouping.ts): a warm-up set of new failures grouped first (the cache's cold read of the
 * component's patterns, not measured), then `rounds` fresh sets of new ungrouped corpus failures,
 * each grouped by the real `groupComponentFailures` and timed. Prints one `@@grouping {json}` line.
 * With BENCH_GROUPING_PROFILE=<dir>, writes a CPU profile of the measured grouping (only) there.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf, type Db } from '../src/db/index.ts';
import { createLocalSpace, defaultThresholds, generateCorpus, PatternCache } from '../src/group/index.ts';
import { groupEverything, insertUngrouped } from './grouping-store.ts';

export interface WorkerArgs {
  url: string;
  /** Corpus seed of this size's failures (different per size, so no text repeats between sizes). */
  seed: number;
  failures: number;
  rounds: number;
  warmup: number;
}

export interface WorkerRound {
  failures: number;
  seconds: number;
  created: number;
  merged: number;
  /** CPU of this process, ms. */
  cpuMs: number;
  /** CPU of this database's Postgres backends, ms (null where /proc cannot be read). */
  dbCpuMs: number | null;
}

export interface WorkerResult {
  warmupSeconds: number;
  rounds: WorkerRound[];
}

const ticksPerSecond = 100; // USER_HZ on Linux

/** CPU ticks of the Postgres backends serving this database (same host only). */
async function backendTicks(db: Db): Promise<Map<number, number> | null> {
  const pids = rowsOf<{ pid: number }>(await db.execute(sql`select pid from pg_stat_activity where datname = current_database()`)).map((r) => r.pid);
  const out = new Map<number, number>();
  try {
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, Number(fields[11]) + Number(fields[12])); // utime + stime
    }
  } catch {
    return null;
  }
  return out;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
  const dataDir = mkdtempSync(join(tmpdir(), 'fixpoint-bench-grouping-worker-'));
  const database = openDatabase({ databaseUrl: args.url, dataDir });
  const db = database.db;
  try {
    // As the worker's `group.failures` handler builds them (register.ts), with the local space.
    const space = await createLocalSpace(db);
    const cache = new PatternCache(space, defaultThresholds.local.assign);
    const deps = { space, cache, mergeThreshold: defaultThresholds.local.merge };

    await insertUngrouped(db, generateCorpus({ seed: args.seed, size: args.warmup }).items, () => 30);
    let t0 = performance.now();
    await groupEverything(db, deps);
    const warmupSeconds = (performance.now() - t0) / 1000;

    const profileDir = process.env.BENCH_GROUPING_PROFILE;
    const profiler = profileDir ? new Session() : undefined;
    const profiles: unknown[] = [];
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
    }
    const rounds: WorkerRound[] = [];
    for (let r = 0; r < args.rounds; r++) {
      // New failures of the last minutes, spread over the corpus's components (inserting them is not measured).
      const items = generateCorpus({ seed: args.seed + 1 + r, size: args.failures }).items;
      await insertUngrouped(db, items, (i) => 20 - (i / items.length) * 10);
      const ticks0 = await backendTicks(db);
      if (profiler) await profiler.post('Profiler.start');
      const cpu0 = process.cpuUsage();
      t0 = performance.now();
      const g = await groupEverything(db, deps);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (profiler) profiles.push((await profiler.post('Profiler.stop')).profile);
      const ticks1 = await backendTicks(db);
      let dbCpuMs: number | null = null;
      if (ticks0 && ticks1) {
        let t = 0;
        for (const [pid, n] of ticks1) t += n - (ticks0.get(pid) ?? 0);
        dbCpuMs = (t * 1000) / ticksPerSecond;
      }
      if (g.grouped !== items.length) throw new Error(`grouped ${g.grouped} of ${items.length} new failures`);
      rounds.push({ failures: g.grouped, seconds, created: g.created, merged: g.merged, cpuMs: (cpu.user + cpu.system) / 1000, dbCpuMs });
    }
    if (profileDir) profiles.forEach((p, i) => writeFileSync(join(profileDir, `grouping-${args.seed}-round${i + 1}.cpuprofile`), JSON.stringify(p)));
    profiler?.disconnect();
    const result: WorkerResult = { warmupSeconds, rounds };
    console.log(`@@grouping ${JSON.stringify(result)}`);
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
