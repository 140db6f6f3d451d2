/**
 * The grouping job on one store, in its own process (started pinned to one core by bench/grouping.ts).
 * On start it groups a warm-up set of new failures (the pattern cache's cold read of each component,
 * not measured) and says `ready`; then, per `round` message, it inserts a fresh set of new ungrouped
 * corpus failures (not measured) and times grouping them with the real `groupComponentFailures`.
 * With BENCH_GROUPING_PROFILE=<dir>, it writes a CPU profile of each measured grouping there.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf, type Db } from '../src/db/index.ts';
import { createLocalSpace, defaultThresholds, PatternCache } from '../src/group/index.ts';
import { generateCorpus } from '../testkit/grouping-corpus/index.ts';
import { groupEverything, insertUngrouped } from './grouping-store.ts';

export interface WorkerArgs {
  url: string;
  /** Corpus seed of this store's new failures (different per store, so no text repeats between them). */
  seed: number;
  failures: number;
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

export type ToWorker = { type: 'round'; round: number } | { type: 'exit' };
export type FromWorker = { type: 'ready'; warmupSeconds: number } | { type: 'round'; result: WorkerRound } | { type: 'error'; message: string };

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

const send = (msg: FromWorker): void => {
  process.send?.(msg);
};

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
  const dataDir = mkdtempSync(join(tmpdir(), 'fixpoint-bench-grouping-worker-'));
  const database = openDatabase({ databaseUrl: args.url, dataDir });
  const db = database.db;
  const profileDir = process.env.BENCH_GROUPING_PROFILE;
  const profiler = profileDir ? new Session() : undefined;
  const finish = async (): Promise<void> => {
    profiler?.disconnect();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  };

  // As the worker's `group.failures` handler builds them (src/group/register.ts), with the local space.
  const space = await createLocalSpace(db);
  const cache = new PatternCache(space, defaultThresholds.local.assign);
  const deps = { space, cache, mergeThreshold: defaultThresholds.local.merge };
  await insertUngrouped(db, generateCorpus({ seed: args.seed, size: args.warmup }).items, () => 30);
  const t0 = performance.now();
  await groupEverything(db, deps);
  const warmupSeconds = (performance.now() - t0) / 1000;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
  }

  const measure = async (round: number): Promise<WorkerRound> => {
    // New failures of the last minutes, spread over the corpus's components.
    const items = generateCorpus({ seed: args.seed + 1 + round, size: args.failures }).items;
    await insertUngrouped(db, items, (i) => 20 - (i / items.length) * 10);
    const ticks0 = await backendTicks(db);
    if (profiler) await profiler.post('Profiler.start');
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const g = await groupEverything(db, deps);
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (profiler && profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(join(profileDir, `grouping-${args.seed}-round${round + 1}.cpuprofile`), JSON.stringify(profile));
    }
    const ticks1 = await backendTicks(db);
    let dbCpuMs: number | null = null;
    if (ticks0 && ticks1) {
      let t = 0;
      for (const [pid, n] of ticks1) t += n - (ticks0.get(pid) ?? 0);
      dbCpuMs = (t * 1000) / ticksPerSecond;
    }
    if (g.grouped !== items.length) throw new Error(`grouped ${g.grouped} of ${items.length} new failures`);
    return { failures: g.grouped, seconds, created: g.created, merged: g.merged, cpuMs: (cpu.user + cpu.system) / 1000, dbCpuMs };
  };

  process.once('disconnect', () => void finish().finally(() => process.exit(0)));
  process.on('message', (msg: ToWorker) => {
    if (msg.type === 'exit') {
      void finish().finally(() => process.exit(0));
      return;
    }
    measure(msg.round).then(
      (result) => send({ type: 'round', result }),
      (err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  send({ type: 'ready', warmupSeconds });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
