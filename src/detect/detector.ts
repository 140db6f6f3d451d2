import { createHash } from 'node:crypto';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import type { JobSystem } from '../jobs/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import { createCallChecker, type CallView, isDetectedRoute, loadCalls, reportRuleErrors, rubricVersionOf } from '../evaluate/index.ts';
import { markEvaluated, storeFailures, type FailureRow } from './store-failures.ts';
import { TimeSlice } from '../core/time-slice.ts';

/** Checking yields to the event loop after this much work, so a proxied call never waits longer behind it. */
const DETECT_SLICE_MS = 0.5;

export interface DetectorDeps {
  config: Config;
  db: Db;
  /** Where judge jobs go (in the recorder's thread: handed to the jobs of the gateway's main thread). */
  jobs: Pick<JobSystem, 'enqueue'>;
  metrics: Metrics;
  logger: Logger;
}

/** Deterministic sampling: the same call and rubric always get the same answer, on every worker. */
export function sampled(callId: string, rubricVersion: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const h = createHash('sha256').update(`${callId}:${rubricVersion}`).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000 < rate;
}

/**
 * Runs the built-in checks and the component's declared rules on recorded calls, stores the
 * failures, enqueues judge jobs for the sampled share, and marks the calls evaluated — in that
 * order, so a crash or a Redis outage before the mark means the call is checked again (every step
 * is idempotent), never skipped.
 */
export function createDetector(deps: DetectorDeps) {
  const checkView = createCallChecker(deps.config, reportRuleErrors(deps));
  async function check(view: CallView): Promise<Omit<FailureRow, 'callStartedAt'>[]> {
    const drafts = await checkView(view);
    return drafts.map((d) => ({ ...d, callId: view.id, component: view.component }));
  }

  /** Checks the calls, stores their failures, enqueues the judging, marks them evaluated: in that order. */
  async function detect(loaded: readonly { view: CallView; startedAt: Date }[]): Promise<{ evaluated: number; failures: number }> {
    const rows: FailureRow[] = [];
    const results: { callId: string; failureCount: number }[] = [];
    // In slices: with the jobs in-process (no REDIS_URL) this may run on the thread that proxies calls.
    const slice = new TimeSlice(DETECT_SLICE_MS);
    for (const { view, startedAt } of loaded) {
      if (slice.spent) await slice.yield();
      const found = await check(view);
      for (const f of found) rows.push({ ...f, callStartedAt: startedAt });
      results.push({ callId: view.id, failureCount: found.length });
    }
    await storeFailures(deps.db, rows);
    await enqueueJudging(deps, loaded.map((l) => l.view));
    await markEvaluated(deps.db, results);
    countDetections(deps.metrics, loaded.map((l) => l.view), rows);
    return { evaluated: results.length, failures: rows.length };
  }

  return {
    /** Stored calls by id (the detect.calls job, the sweep's): read back, those not evaluated yet. */
    async detectCalls(callIds: readonly string[]): Promise<{ evaluated: number; failures: number }> {
      // Calls already evaluated (a job delivered twice, the sweep meeting a job) are left out by the query.
      // Only model calls are checked: a `models` listing is recorded, never a failure of a component.
      return detect((await loadCalls(deps.db, callIds, { unevaluated: true })).filter((l) => isDetectedRoute(l.view.route)));
    },
    /**
     * Calls the recorder has just stored, as it had them in hand (where the jobs run in the gateway's
     * process): the same checks without reading back what was just written. Each is stored once, so
     * none was evaluated before.
     */
    async detectRecorded(calls: readonly { view: CallView; startedAt: Date }[]): Promise<{ evaluated: number; failures: number }> {
      return detect(calls.filter((c) => isDetectedRoute(c.view.route)));
    },
  };
}

async function enqueueJudging(deps: DetectorDeps, views: readonly CallView[]): Promise<void> {
  for (const view of views) {
    const judge = deps.config.file.components[view.component]?.judge;
    if (!judge || view.status !== 'success') continue;
    const rubricVersion = rubricVersionOf(judge);
    if (!sampled(view.id, rubricVersion, judge.sampleRate)) continue;
    await deps.jobs.enqueue('judge.call', { callId: view.id, component: view.component, rubricVersion }, { jobId: `${view.id}:${rubricVersion}`, attempts: 6, backoffMs: 2000 });
  }
}

function countDetections(metrics: Metrics, views: readonly CallView[], rows: readonly FailureRow[]): void {
  const failedCalls = new Set(rows.map((r) => r.callId));
  for (const v of views) {
    const component = metrics.label.component(v.component);
    metrics.callsEvaluated.labels(component).inc();
    if (failedCalls.has(v.id)) metrics.callsFailed.labels(component).inc();
  }
  for (const r of rows) metrics.failures.labels(metrics.label.component(r.component), r.kind, metrics.label.rule(r.ruleId)).inc();
}
