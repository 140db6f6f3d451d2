/**
 * The cost of grouping failures into patterns as the store grows: at each store size (10k, 100k, 1M
 * failures by default, all grouped), a fresh process pinned to one core groups new failures with the
 * real job code; failures/s should not depend on how many failures and patterns the store holds.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GroupingOptions } from './grouping-options.ts';
import type { Check } from './report.ts';
import { createGroupingStore, groupingDatabaseUrl, postgresUnreachable, type GroupingStore } from './grouping-store.ts';
import type { WorkerArgs, WorkerResult } from './grouping-worker.ts';


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

function runWorker(prefix: string[], args: WorkerArgs): Promise<WorkerResult> {
  const argv = [...prefix, process.execPath, '--import', 'tsx', WORKER, JSON.stringify(args)];
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('@@grouping '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('@@grouping '.length)) as WorkerResult);
      else reject(new Error(`grouping worker failed (exit ${code}, signal ${signal})\n${out.slice(-2000)}`));
    });
  });
}

export async function runGroupingBench(opts: GroupingOptions, env: NodeJS.ProcessEnv = process.env): Promise<GroupingResult> {
  const t0 = performance.now();
  const sizes = [...opts.sizes].sort((a, b) => a - b);
  const { prefix, note } = pinning();
  const url = groupingDatabaseUrl(env);
  const setup = `${opts.rounds} rounds × ${int(opts.failures)} new failures per store size after a ${int(opts.warmup)}-failure warm-up, local TF-IDF space, median round; ${note}.`;
  const rows: GroupingRow[] = [];
  const done = (extra: Partial<GroupingResult> = {}): GroupingResult => ({ rows, pinned: note, setup, seconds: (performance.now() - t0) / 1000, ...extra });
  console.log(`\ngrouping failures into patterns — ${setup}`);
  const unreachable = await postgresUnreachable(url);
  if (unreachable) {
    console.warn(`! grouping benchmark skipped: Postgres unreachable (${unreachable})`);
    return done({ skipped: `Postgres unreachable (${unreachable})` });
  }
  console.log(`  store: ${url.replace(/\/\/[^@]*@/, '//…@')} (dropped and recreated), seeded by grouping ${int(opts.seed)} corpus failures`);
  let store: GroupingStore | undefined;
  try {
    store = await createGroupingStore(url, opts.seed);
    for (const [i, size] of sizes.entries()) {
      const grown = await store.growTo(size);
      await store.settle();
      const s = await store.sizes();
      console.log(`  store at ${sizeLabel(size)}: ${int(s.failures)} failures, ${int(s.patterns)} patterns, ${int(s.failuresMb + s.patternsMb)} MB (grown in ${grown.seconds.toFixed(1)} s); measuring…`);
      const r = await runWorker(prefix, { url, seed: 100_000 * (i + 1), failures: opts.failures, rounds: opts.rounds, warmup: opts.warmup });
      const rates = r.rounds.map((x) => x.failures / x.seconds);
      const n = r.rounds.reduce((a, x) => a + x.failures, 0);
      const db = r.rounds.every((x) => x.dbCpuMs !== null) ? r.rounds.reduce((a, x) => a + (x.dbCpuMs ?? 0), 0) : null;
      rows.push({
        size,
        failures: s.failures,
        patterns: s.patterns,
        storeMb: s.failuresMb + s.patternsMb,
        growSeconds: grown.seconds,
        warmupSeconds: r.warmupSeconds,
        perSecond: median(rates),
        perSecondAll: rates,
        cpuMsPer1k: (r.rounds.reduce((a, x) => a + x.cpuMs, 0) / n) * 1000,
        dbCpuMsPer1k: db === null ? null : (db / n) * 1000,
        created: r.rounds.reduce((a, x) => a + x.created, 0),
        merged: r.rounds.reduce((a, x) => a + x.merged, 0),
      });
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    console.error(`! grouping benchmark failed: ${msg}`);
    return done({ error: msg.split('\n')[0] ?? msg });
  } finally {
    await store?.close();
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
