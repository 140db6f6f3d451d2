/**
 * One run of the simulated fleet through the real gateway: the simulated provider and the gateway up,
 * production traffic with feedback while the loop (detect → group → diagnose → optimize → canary) runs
 * by itself at its documented defaults, then fresh traffic on whatever prompt versions are live, then
 * the measurement against the ground truth.
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../src/db/index.ts';
import { FleetDriver } from './driver.ts';
import { FLEET_INTERVALS, startFleetGateway } from './gateway.ts';
import { measureFleet, type FleetReport } from './measure.ts';
import { startSimProvider } from './provider.ts';
import type { SimulationCounts } from './simulation.ts';
import { World } from './world.ts';

export interface FleetOptions {
  seed: number;
  /** Production calls: the first 40 % as fast as the gateway takes them (the "before"), the rest paced while the loop runs. */
  calls: number;
  /** Calls per component on the live versions at the end (the "after"). */
  measureCalls: number;
  /** Production calls per second while the loop runs. */
  rate: number;
  /** The loop phase ends when nothing is pending (no run queued or running, no canary) or after this long. */
  maxLoopSeconds: number;
  /** Group with the simulated embeddings model instead of local TF-IDF vectors. */
  embeddings: boolean;
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  log(line: string): void;
}

export interface FleetRun {
  options: Omit<FleetOptions, 'log'>;
  mode: string;
  settings: { intervals: Record<string, string>; config: string };
  seconds: { total: number; before: number; loop: number; after: number; settle: number };
  calls: { sent: number; errors: number; feedback: number; corrections: number };
  simulation: SimulationCounts;
  report: FleetReport;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface LoopState {
  patterns: number;
  systematic: number;
  runs: Record<string, number>;
  canaries: number;
  versions: number;
}

async function loopState(db: Db): Promise<LoopState> {
  const [p] = rowsOf<{ n: number; s: number }>(await db.execute(sql`select count(*)::int as n, count(*) filter (where systematic)::int as s from patterns where merged_into is null`));
  const runs = rowsOf<{ status: string; n: number }>(await db.execute(sql`select status, count(*)::int as n from optimization_runs group by 1`));
  const [c] = rowsOf<{ canaries: number; versions: number }>(await db.execute(sql`select (select count(*)::int from component_prompts where canary_version_id is not null) as canaries, (select count(*)::int from prompt_versions where version > 0) as versions`));
  return { patterns: p?.n ?? 0, systematic: p?.s ?? 0, runs: Object.fromEntries(runs.map((r) => [r.status, r.n])), canaries: c?.canaries ?? 0, versions: c?.versions ?? 0 };
}

const describe = (s: LoopState): string =>
  `${s.patterns} patterns (${s.systematic} systematic), runs ${JSON.stringify(s.runs)}, ${s.versions} versions, ${s.canaries} canaries running`;

/** Waits until every call was checked and every failure grouped (judge verdicts and feedback included). */
async function settle(db: Db, calls: number, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  let last = -1;
  for (;;) {
    const [r] = rowsOf<{ evaluated: number; ungrouped: number; failures: number }>(
      await db.execute(sql`select (select count(*)::int from call_evaluations) as evaluated, (select count(*)::int from failures where pattern_id is null) as ungrouped, (select count(*)::int from failures) as failures`),
    );
    const done = (r?.evaluated ?? 0) >= calls && r?.ungrouped === 0;
    if ((done && r?.failures === last) || Date.now() > until) return;
    last = done ? (r?.failures ?? -1) : -1;
    await sleep(1500);
  }
}

/**
 * The loop phase: production traffic at the paced rate while the loop works by itself; ends once the
 * planned calls are sent and nothing has been pending (no run queued or running, no canary) for six
 * policy sweeps — nothing left the loop would start by itself, a run that builds on a partial fix
 * included (it waits for failing calls under the promoted version) — or at the deadline.
 */
async function loopPhase(o: FleetOptions, db: Db, driver: FleetDriver, plannedCalls: number): Promise<void> {
  const t0 = Date.now();
  let stop = false;
  const traffic = driver.drive({ phase: 'loop', count: Number.POSITIVE_INFINITY, concurrency: 4, rate: o.rate, feedback: true, stop: () => stop });
  let quietSince: number | null = null;
  const quietMs = 6 * Number(FLEET_INTERVALS['FIXPOINT_OPTIMIZE_SWEEP_MS']);
  try {
    for (;;) {
      await sleep(3000);
      const s = await loopState(db);
      const sent = driver.records.filter((r) => r.phase === 'loop').length;
      const elapsed = (Date.now() - t0) / 1000;
      o.log(`loop ${elapsed.toFixed(0)} s: ${sent} calls; ${describe(s)}`);
      const pending = (s.runs['queued'] ?? 0) + (s.runs['running'] ?? 0) + s.canaries;
      quietSince = pending === 0 && sent >= plannedCalls ? (quietSince ?? Date.now()) : null;
      if ((quietSince !== null && Date.now() - quietSince > quietMs) || elapsed > o.maxLoopSeconds) return;
    }
  } finally {
    stop = true;
    await traffic;
  }
}

export async function runFleet(o: FleetOptions): Promise<FleetRun> {
  const at = [Date.now()];
  const lap = () => (at.push(Date.now()), (at[at.length - 1]! - at[at.length - 2]!) / 1000);
  const world = new World();
  const provider = await startSimProvider({ world, seed: o.seed });
  const gateway = await startFleetGateway({ world, providerBaseUrl: provider.baseUrl, embeddings: o.embeddings, databaseUrl: o.databaseUrl, redisUrl: o.redisUrl });
  o.log(`gateway ${gateway.url} (${gateway.mode}); simulated provider ${provider.baseUrl}; seed ${o.seed}`);
  const driver = new FleetDriver({ gatewayUrl: gateway.url, clientKey: `sk-fleet-agents-${o.seed}-abcdefghijklmnop`, sim: provider.sim, seed: o.seed });
  try {
    const beforeCalls = Math.round(o.calls * 0.4);
    await driver.drive({ phase: 'before', count: beforeCalls, concurrency: 8, feedback: true });
    const before = lap();
    o.log(`before: ${beforeCalls} calls in ${before.toFixed(0)} s; ${describe(await loopState(gateway.db))}`);
    await loopPhase(o, gateway.db, driver, o.calls - beforeCalls);
    const loop = lap();
    await driver.drive({ phase: 'after', perComponent: o.measureCalls, concurrency: 8, feedback: false });
    const after = lap();
    o.log(`after: ${o.measureCalls} calls per component on the live versions in ${after.toFixed(0)} s; waiting for detection and grouping to settle`);
    await settle(gateway.db, driver.records.filter((r) => r.callId).length, 45_000);
    const settled = lap();
    const report = await measureFleet(gateway.db, provider.sim, driver, { before: 'before', after: 'after' });
    const { log: _log, ...options } = o;
    return {
      options,
      mode: gateway.mode,
      settings: { intervals: FLEET_INTERVALS, config: gateway.yaml },
      seconds: { total: (Date.now() - at[0]!) / 1000, before, loop, after, settle: settled },
      calls: { sent: driver.records.length, errors: driver.records.filter((r) => r.error).length, feedback: driver.records.filter((r) => r.feedback).length, corrections: driver.records.filter((r) => r.feedback?.correction).length },
      simulation: provider.sim.counts,
      report,
    };
  } finally {
    await gateway.close();
    await provider.close();
  }
}
