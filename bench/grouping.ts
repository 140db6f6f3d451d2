/**
 * The cost of grouping failures into patterns as the store grows: one store per size (10k, 100k, 1M
 * failures by default, all grouped), one process per store pinned to the same core, grouping new
 * failures with the real job code in rounds interleaved across the stores (so other load on the
 * machine hits every size alike). Failures/s should not depend on what the store already holds.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GroupingOptions } from './grouping-options.ts';
import type { Check } from './report.ts';
import { createGroupingStore, dropGroupingDatabases, groupingDatabaseUrl, postgresUnreachable } from './grouping-store.ts';
import type { FromWorker, ToWorker, WorkerArgs, WorkerRound } from './grouping-worker.ts';
import { stopChild } from './processes.ts';


/** Throughput at the largest size must stay within this share of the smallest's. */
export const MIN_GROUPING_RATIO = 0.8;

export interface GroupingRow {
  size: number;
  /** What the store held when measured. */
  failures: number;
  patterns: number;
  storeMb: number;
  growSeconds: number;
  warmupSeconds: number;
  /** Median over the rounds. */
  perSecond: number;
  perSecondAll: number[];
  cpuMsPer1k: number;
  dbCpuMsPer1k: number | null;
  created: number;
  merged: number;
}

export interface GroupingResult {
  rows: GroupingRow[];
  /** Why nothing was measured (Postgres unreachable). */
  skipped?: string;
  /** The benchmark broke: the first line of the error. */
  error?: string;
  pinned: string;
  setup: string;
  seconds: number;
}

const WORKER = fileURLToPath(new URL('./grouping-worker.ts', import.meta.url));

export const sizeLabel = (n: number): string => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : n.toLocaleString('en-US'));
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** `taskset -c 0` when it works here, else nothing (the note says so). */
function pinning(): { prefix: string[]; note: string } {
  const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  if (probe.status === 0) return { prefix: ['taskset', '-c', '0'], note: 'grouping process pinned to CPU 0 (taskset -c 0); Postgres unpinned' };
  return { prefix: [], note: 'taskset unavailable: grouping process NOT pinned (one Node thread does the work)' };
}

interface Worker {
  size: number;
  warmupSeconds: number;
  round(round: number): Promise<WorkerRound>;
  stop(): Promise<void>;
}

/** Starts the grouping worker on one store and waits for its warm-up. */
function startWorker(prefix: string[], size: number, args: WorkerArgs): Promise<Worker> {
  const argv = [...prefix, process.execPath, '--import', 'tsx', WORKER, JSON.stringify(args)];
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | undefined;
  let exited: string | undefined;
  const next = (): Promise<FromWorker> =>
    exited ? Promise.reject(new Error(exited)) : new Promise((resolve, reject) => (waiting = { resolve, reject }));
  child.on('message', (m: FromWorker) => {
    const w = waiting;
    waiting = undefined;
    if (m.type === 'error') w?.reject(new Error(`grouping worker (${sizeLabel(size)}): ${m.message}`));
    else w?.resolve(m);
  });
  child.once('exit', (code, signal) => {
    exited = `grouping worker (${sizeLabel(size)}) exited (code ${code}, signal ${signal})`;
    waiting?.reject(new Error(exited));
    waiting = undefined;
  });
  child.once('error', (err) => waiting?.reject(err));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      child.send({ type: 'exit' } satisfies ToWorker); // closes its database connections, then exits
    } catch {
      child.kill('SIGTERM');
    }
    const timer = setTimeout(() => void stopChild(child, 2_000), 10_000);
    await gone;
    clearTimeout(timer);
  };
  return next().then(
    (ready) => {
      if (ready.type !== 'ready') throw new Error(`grouping worker (${sizeLabel(size)}) said ${ready.type} before ready`);
      return {
        size,
        warmupSeconds: ready.warmupSeconds,
        async round(round) {
          const reply = next();
          child.send({ type: 'round', round } satisfies ToWorker);
          const m = await reply;
          if (m.type !== 'round') throw new Error(`grouping worker (${sizeLabel(size)}) said ${m.type}`);
          return m.result;
        },
        stop,
      };
    },
    async (err: unknown) => {
      await stop();
      throw err;
    },
  );
}

export async function runGroupingBench(opts: GroupingOptions, env: NodeJS.ProcessEnv = process.env): Promise<GroupingResult> {
  const t0 = performance.now();
  const sizes = [...new Set(opts.sizes)].sort((a, b) => a - b);
  const { prefix, note } = pinning();
  const urlOf = (size: number) => groupingDatabaseUrl(env, sizeLabel(size));
  const setup = `${opts.rounds} interleaved rounds × ${int(opts.failures)} new failures per store size after a ${int(opts.warmup)}-failure warm-up, local TF-IDF space, median round; ${note}.`;
  const rows: GroupingRow[] = [];
  const done = (extra: Partial<GroupingResult> = {}): GroupingResult => ({ rows, pinned: note, setup, seconds: (performance.now() - t0) / 1000, ...extra });
  console.log(`\ngrouping failures into patterns — ${setup}`);
  const first = urlOf(sizes[0] ?? 0);
  const unreachable = await postgresUnreachable(first);
  if (unreachable) {
    console.warn(`! grouping benchmark skipped: Postgres unreachable (${unreachable})`);
    return done({ skipped: `Postgres unreachable (${unreachable})` });
  }
  console.log(`  one database per size, ${first.replace(/\/\/[^@]*@/, '//…@').replace(/_[^_/]*$/, '_*')} (dropped first, kept after), each seeded by grouping ${int(opts.seed)} corpus failures`);
  const workers: Worker[] = [];
  try {
    await dropGroupingDatabases(first);
    const built = new Map<number, { failures: number; patterns: number; mb: number; seconds: number }>();
    for (const size of sizes) {
      const store = await createGroupingStore(urlOf(size), opts.seed);
      try {
        const grown = await store.growTo(size);
        await store.settle();
        const s = await store.sizes();
        built.set(size, { failures: s.failures, patterns: s.patterns, mb: s.failuresMb + s.patternsMb, seconds: grown.seconds });
        console.log(`  store ${sizeLabel(size)}: ${int(s.failures)} failures, ${int(s.patterns)} patterns, ${int(s.failuresMb + s.patternsMb)} MB (grown in ${grown.seconds.toFixed(1)} s)`);
      } finally {
        await store.close();
      }
    }
    for (const [i, size] of sizes.entries()) {
      workers.push(await startWorker(prefix, size, { url: urlOf(size), seed: 100_000 * (i + 1), failures: opts.failures, warmup: opts.warmup }));
    }
    console.log(`  measuring: ${opts.rounds} rounds, each store in turn (order rotated per round)…`);
    const results = new Map<number, WorkerRound[]>(sizes.map((s) => [s, []]));
    for (let r = 0; r < opts.rounds; r++) {
      for (let k = 0; k < workers.length; k++) {
        const w = workers[(r + k) % workers.length] as Worker;
        results.get(w.size)?.push(await w.round(r));
      }
    }
    for (const w of workers) {
      const rs = results.get(w.size) ?? [];
      const b = built.get(w.size);
      const rates = rs.map((x) => x.failures / x.seconds);
      const n = rs.reduce((a, x) => a + x.failures, 0);
      const db = rs.every((x) => x.dbCpuMs !== null) ? rs.reduce((a, x) => a + (x.dbCpuMs ?? 0), 0) : null;
      rows.push({
        size: w.size,
        failures: b?.failures ?? NaN,
        patterns: b?.patterns ?? NaN,
        storeMb: b?.mb ?? NaN,
        growSeconds: b?.seconds ?? NaN,
        warmupSeconds: w.warmupSeconds,
        perSecond: median(rates),
        perSecondAll: rates,
        cpuMsPer1k: (rs.reduce((a, x) => a + x.cpuMs, 0) / n) * 1000,
        dbCpuMsPer1k: db === null ? null : (db / n) * 1000,
        created: rs.reduce((a, x) => a + x.created, 0),
        merged: rs.reduce((a, x) => a + x.merged, 0),
      });
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    console.error(`! grouping benchmark failed: ${msg}`);
    return done({ error: msg.split('\n')[0] ?? msg });
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
  return done();
}

interface Line {
  size: string;
  stored: string;
  mb: string;
  rate: string;
  ratio: string;
  rounds: string;
  cpu: string;
  db: string;
  created: string;
  warmup: string;
}

function lines(g: GroupingResult): Line[] {
  const ref = g.rows[0]?.perSecond ?? NaN;
  return g.rows.map((r) => ({
    size: sizeLabel(r.size),
    stored: `${int(r.failures)} / ${int(r.patterns)}`,
    mb: int(r.storeMb),
    rate: int(r.perSecond),
    ratio: (r.perSecond / ref).toFixed(2),
    rounds: r.perSecondAll.map(int).join(' '),
    cpu: int(r.cpuMsPer1k),
    db: r.dbCpuMsPer1k === null ? '—' : int(r.dbCpuMsPer1k),
    created: `${r.created} / ${r.merged}`,
    warmup: r.warmupSeconds.toFixed(2),
  }));
}

const HEADER: Line = {
  size: 'store',
  stored: 'failures / patterns',
  mb: 'MB',
  rate: 'failures/s',
  ratio: '× first',
  rounds: 'each round',
  cpu: 'node ms/1k',
  db: 'pg ms/1k',
  created: 'new / merged',
  warmup: 'warm-up s',
};

export function printGrouping(g: GroupingResult): void {
  if (g.skipped || g.error) return;
  const head = { ...HEADER, ratio: `× ${sizeLabel(g.rows[0]?.size ?? 0)}` };
  const all = [head, ...lines(g)];
  const cols = Object.keys(HEADER) as (keyof Line)[];
  const widths = cols.map((c) => Math.max(...all.map((r) => r[c].length)));
  console.log(`\ngrouping throughput by store size (failures/s on one core; ${g.seconds.toFixed(0)} s in all)`);
  for (const r of all) console.log(cols.map((c, i) => (i === 0 ? r[c].padEnd(widths[i] as number) : r[c].padStart(widths[i] as number))).join('  '));
  console.log('  node/pg ms/1k: CPU of the grouping process / of its Postgres backends per 1,000 failures; new / merged: patterns');
  console.log('  created and merged while measuring; warm-up: the cold read of each component\'s patterns plus the warm-up failures, not in failures/s');
}

const FLAT = 'grouping throughput flat as the store grows';

export function groupingChecks(g: GroupingResult | undefined): Check[] {
  if (!g) return [{ name: FLAT, pass: null, detail: 'grouping skipped (--no-grouping)' }];
  if (g.skipped) return [{ name: FLAT, pass: null, detail: g.skipped }];
  if (g.error) return [{ name: FLAT, pass: false, detail: `the benchmark failed: ${g.error}` }];
  const first = g.rows[0];
  const last = g.rows[g.rows.length - 1];
  if (!first || !last || first === last) return [{ name: FLAT, pass: null, detail: 'fewer than two store sizes' }];
  const ratio = last.perSecond / first.perSecond;
  return [
    {
      name: `grouping throughput at ${sizeLabel(last.size)} ≥ ${MIN_GROUPING_RATIO} × at ${sizeLabel(first.size)}`,
      pass: ratio >= MIN_GROUPING_RATIO,
      detail: `${ratio.toFixed(2)}× (${int(last.perSecond)} vs ${int(first.perSecond)} failures/s)`,
    },
  ];
}

export function groupingMarkdown(g: GroupingResult): string {
  if (g.skipped || g.error) return `Grouping: ${g.skipped ?? `failed: ${g.error}`}.`;
  const out = [
    `Grouping failures into patterns (${g.setup})`,
    '',
    `| store | failures / patterns | failures/s | × ${sizeLabel(g.rows[0]?.size ?? 0)} | node CPU ms / 1k | Postgres CPU ms / 1k | warm-up s |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const l of lines(g)) out.push(`| ${l.size} | ${l.stored} | ${l.rate} | ${l.ratio} | ${l.cpu} | ${l.db} | ${l.warmup} |`);
  return out.join('\n');
}
