import { sql } from 'drizzle-orm';
import type { CanarySettings } from '../config/index.ts';
import { rowsOf, type Db } from '../db/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import { movePromptPointer } from '../prompts/index.ts';
import { compareFailureRates, type SequentialResult } from './sequential-test.ts';

interface ArmRow {
  canary: boolean;
  calls: string | number;
  failed: string | number;
  errors: string | number;
  latency: string | number | null;
  cost: string | number | null;
}

export interface ArmStats {
  calls: number;
  failures: number;
  errors: number;
  meanLatencyMs: number | null;
  meanCostUsd: number | null;
}

export interface CanaryDecision {
  component: string;
  canaryVersionId: string;
  decision: 'promote' | 'rollback' | 'continue';
  reason: string;
  control: ArmStats;
  canary: ArmStats;
  test: SequentialResult;
}

const arm = (r: ArmRow | undefined): ArmStats => ({
  calls: Number(r?.calls ?? 0),
  failures: Number(r?.failed ?? 0),
  errors: Number(r?.errors ?? 0),
  meanLatencyMs: r?.latency === null || r?.latency === undefined ? null : Number(r.latency),
  meanCostUsd: r?.cost === null || r?.cost === undefined ? null : Number(r.cost),
});

/** Canary and control since the canary started: evaluated calls, those with any failure, upstream errors, latency, cost. */
async function armsOf(db: Db, component: string, canaryId: string, activeId: string | null, since: Date): Promise<{ control: ArmStats; canary: ArmStats }> {
  const rows = rowsOf<ArmRow>(
    await db.execute(sql`
      select (c.prompt_version_id is not distinct from ${canaryId}::uuid) as canary,
        count(*) as calls,
        count(*) filter (where e.failure_count > 0 or exists (select 1 from failures f where f.call_id = c.id)) as failed,
        count(*) filter (where c.status <> 'success') as errors,
        avg(c.latency_ms) as latency, avg(c.cost_usd) as cost
      from calls c join call_evaluations e on e.call_id = c.id
      where c.component = ${component} and c.started_at >= ${since.toISOString()}::timestamptz
        and (c.prompt_version_id is not distinct from ${canaryId}::uuid or c.prompt_version_id is not distinct from ${activeId}::uuid)
      group by 1`),
  );
  return { control: arm(rows.find((r) => !r.canary)), canary: arm(rows.find((r) => r.canary)) };
}

/** What to do with one canary: roll back on a guardrail or a worse failure rate, promote on a better one. */
export function decide(control: ArmStats, canary: ArmStats, s: CanarySettings): { decision: CanaryDecision['decision']; reason: string; test: SequentialResult } {
  const test = compareFailureRates({ calls: control.calls, failures: control.failures }, { calls: canary.calls, failures: canary.failures }, s.alpha);
  if (control.calls < s.minCalls || canary.calls < s.minCalls) return { decision: 'continue', reason: `waiting for ${s.minCalls} evaluated calls on each arm`, test };
  const errorIncrease = canary.errors / canary.calls - control.errors / control.calls;
  if (errorIncrease > s.maxErrorRateIncrease) return { decision: 'rollback', reason: `upstream-error rate up ${(errorIncrease * 100).toFixed(1)} points`, test };
  if (
    control.meanLatencyMs &&
    canary.meanLatencyMs &&
    canary.meanLatencyMs > control.meanLatencyMs * s.maxLatencyRatio &&
    canary.meanLatencyMs - control.meanLatencyMs >= s.minLatencyIncreaseMs
  ) {
    return { decision: 'rollback', reason: `mean latency ${(canary.meanLatencyMs / control.meanLatencyMs).toFixed(2)}× the control's`, test };
  }
  if (control.meanCostUsd && canary.meanCostUsd && canary.meanCostUsd > control.meanCostUsd * s.maxCostRatio) {
    return { decision: 'rollback', reason: `mean cost ${(canary.meanCostUsd / control.meanCostUsd).toFixed(2)}× the control's`, test };
  }
  if (test.significant && test.difference < 0) return { decision: 'rollback', reason: `failure rate worse by ${(-test.difference * 100).toFixed(1)} points (sequential test, alpha ${s.alpha})`, test };
  if (test.significant && test.difference > 0) return { decision: 'promote', reason: `failure rate better by ${(test.difference * 100).toFixed(1)} points (sequential test, alpha ${s.alpha})`, test };
  if (control.calls >= s.maxCalls && canary.calls >= s.maxCalls) {
    const [cur, cand] = [control.failures / control.calls, canary.failures / canary.calls];
    return cand <= cur
      ? { decision: 'promote', reason: `no significant difference after ${s.maxCalls} calls per arm, and not worse (${(cand * 100).toFixed(1)} % against ${(cur * 100).toFixed(1)} % failing)`, test }
      : { decision: 'rollback', reason: `no significant difference after ${s.maxCalls} calls per arm, and not better (${(cand * 100).toFixed(1)} % against ${(cur * 100).toFixed(1)} % failing)`, test };
  }
  return { decision: 'continue', reason: 'no significant difference yet', test };
}

/**
 * Looks at every running canary and promotes or rolls it back by itself when the numbers say so.
 * Returns the decisions taken (and those still running). `announce` tells the gateways.
 */
export async function monitorCanaries(deps: { db: Db; settings: CanarySettings; metrics: Metrics; logger: Logger; announce: () => Promise<void> }): Promise<CanaryDecision[]> {
  const canaries = rowsOf<{ component: string; canary_version_id: string; active_version_id: string | null; since: Date | string | null }>(
    await deps.db.execute(sql`
      select cp.component, cp.canary_version_id, cp.active_version_id,
        (select max(a.at) from prompt_audit a where a.version_id = cp.canary_version_id and a.action = 'canary') as since
      from component_prompts cp where cp.canary_version_id is not null`),
  );
  const out: CanaryDecision[] = [];
  let moved = false;
  for (const c of canaries) {
    const since = c.since ? new Date(c.since) : new Date(0);
    const { control, canary } = await armsOf(deps.db, c.component, c.canary_version_id, c.active_version_id, since);
    const d = decide(control, canary, deps.settings);
    out.push({ component: c.component, canaryVersionId: c.canary_version_id, control, canary, ...d });
    if (d.decision === 'continue') continue;
    const detail = `${d.reason}; control ${control.failures}/${control.calls}, canary ${canary.failures}/${canary.calls}`;
    await movePromptPointer(deps.db, c.canary_version_id, d.decision === 'promote' ? { action: 'activate' } : { action: 'rollback', reason: detail }, 'canary-monitor');
    deps.metrics.canaryDecisions.labels(deps.metrics.label.component(c.component), d.decision).inc();
    deps.logger.info({ component: c.component, version: c.canary_version_id, decision: d.decision, reason: detail }, 'canary decided');
    moved = true;
  }
  if (moved) await deps.announce();
  return out;
}
