/** What the loop did per component: optimization runs and their outcomes, canary decisions, pass rates before and after. */
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../src/db/index.ts';
import type { CallRecord } from './driver.ts';
import type { World } from './world.ts';

export interface Rate {
  n: number;
  passed: number;
  rate: number | null;
}

export interface ComponentReport {
  name: string;
  problems: { id: string; diagnosis: string; promptFixable: boolean }[];
  calls: number;
  before: Rate;
  after: Rate;
  /** After, by the prompt version the gateway applied ('own' for the agent's own prompt). */
  afterByVersion: Record<string, Rate>;
  runs: Record<string, number>;
  canary: { promoted: number; rolledBack: number; running: boolean };
  activeVersion: number | null;
  patterns: number;
  systematicPatterns: number;
}

export interface StoredCandidateView {
  id: string;
  rejected: string | null;
  scores: Record<string, { passed: number; total: number; patternPassed?: number; patternTotal?: number }>;
  template: string;
}

export interface RunRow {
  component: string;
  pattern_id: string;
  status: string;
  outcome: string | null;
  trigger: string;
  result: string | null;
  eval_calls: number;
  sets: Record<string, number>;
  candidates: StoredCandidateView[];
}

export interface OptimizationSummary {
  runs: number;
  byStatus: Record<string, number>;
  byOutcome: Record<string, number>;
  reasons: Record<string, number>;
  replays: number;
  maxReplays: number;
  byTrigger: Record<string, number>;
}

export const inc = (m: Record<string, number>, k: string, by = 1): void => void (m[k] = (m[k] ?? 0) + by);

export function rate(rs: CallRecord[]): Rate {
  const passed = rs.filter((r) => r.causes.length === 0).length;
  return { n: rs.length, passed, rate: rs.length ? passed / rs.length : null };
}

/** ln(n!) */
function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/**
 * The after rate is below the before rate by more than chance explains: Fisher's exact test, one-sided,
 * at 1 %. (A z-test at 2.5 % called 120/120 → 76/80 on a healthy component "worse": near 100 % its
 * normal approximation is too eager, and one-off glitches come in clumps of a few.)
 */
export function significantlyWorse(before: Rate, after: Rate): boolean {
  if (!before.n || !after.n) return false;
  const passed = before.passed + after.passed;
  const total = before.n + after.n;
  const lnChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);
  // P(after passes at most as many as it did | the margins): the hypergeometric lower tail.
  let p = 0;
  for (let k = Math.max(0, passed - before.n); k <= after.passed; k++) p += Math.exp(lnChoose(after.n, k) + lnChoose(before.n, passed - k) - lnChoose(total, passed));
  return p < 0.01;
}

/** Why a run ended as it did, in a few words (from its result text). */
export function reasonOf(status: string, result: string | null): string[] {
  if (status !== 'not_fixed') return [status];
  const r = result ?? '';
  const out: string[] = [];
  if (/too few cases/.test(r)) out.push('too few cases');
  if (/not significant/.test(r)) out.push('not significant');
  if (/regression pass rate fell/.test(r)) out.push('regression');
  if (/within budget/.test(r)) out.push('budget');
  if (/less than the .*margin/.test(r)) out.push('below margin');
  if (/no candidate beat/.test(r)) out.push('no candidate beat current');
  if (/prompt grew/.test(r)) out.push('growth');
  if (/rate would not fall/.test(r)) out.push('net over traffic');
  return out.length ? out : ['other'];
}

export async function loadRuns(db: Db): Promise<RunRow[]> {
  return rowsOf<RunRow>(await db.execute(sql`select component, pattern_id, status, outcome, trigger, result, eval_calls, sets, candidates from optimization_runs order by created_at`));
}

export function summarizeRuns(runs: RunRow[]): OptimizationSummary {
  const byStatus: Record<string, number> = {};
  const byOutcome: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  const byTrigger: Record<string, number> = {};
  for (const r of runs) {
    inc(byStatus, r.status);
    inc(byOutcome, r.outcome ?? 'unfinished');
    inc(byTrigger, r.trigger);
    for (const why of reasonOf(r.status, r.result)) inc(reasons, why);
  }
  return { runs: runs.length, byStatus, byOutcome, reasons, replays: runs.reduce((s, r) => s + r.eval_calls, 0), maxReplays: Math.max(0, ...runs.map((r) => r.eval_calls)), byTrigger };
}

/** Per component: pass rates before (agent's own prompt) and after (whatever is live), runs, canary decisions, pointers. */
export async function componentReports(
  db: Db,
  world: World,
  records: readonly CallRecord[],
  runs: RunRow[],
  patterns: { component: string; systematic: boolean }[],
  phases: { before: string; after: string },
): Promise<ComponentReport[]> {
  const audit = rowsOf<{ component: string; action: string }>(await db.execute(sql`select component, action from prompt_audit where actor = 'canary-monitor'`));
  const pointers = rowsOf<{ component: string; active: number | null; canary: string | null }>(
    await db.execute(sql`select cp.component, v.version as active, cp.canary_version_id as canary from component_prompts cp left join prompt_versions v on v.id = cp.active_version_id`),
  );
  return [...world.components.values()].map((spec) => {
    const recs = records.filter((r) => r.component === spec.name && !r.error);
    const after = recs.filter((r) => r.phase === phases.after);
    const afterByVersion: Record<string, Rate> = {};
    for (const v of new Set(after.map((r) => r.promptVersion ?? 'own'))) afterByVersion[v] = rate(after.filter((r) => (r.promptVersion ?? 'own') === v));
    const runsOf: Record<string, number> = {};
    for (const r of runs.filter((x) => x.component === spec.name)) inc(runsOf, r.status);
    const ptr = pointers.find((p) => p.component === spec.name);
    const decided = (action: string) => audit.filter((a) => a.component === spec.name && a.action === action).length;
    return {
      name: spec.name,
      problems: spec.problems.map((p) => ({ id: p.id, diagnosis: p.diagnosis, promptFixable: p.promptFixable })),
      calls: recs.length,
      before: rate(recs.filter((r) => r.phase === phases.before && r.promptVersion === null)),
      after: rate(after),
      afterByVersion,
      runs: runsOf,
      canary: { promoted: decided('promoted'), rolledBack: decided('rolled_back'), running: Boolean(ptr?.canary) },
      activeVersion: ptr?.active ?? null,
      patterns: patterns.filter((p) => p.component === spec.name).length,
      systematicPatterns: patterns.filter((p) => p.component === spec.name && p.systematic).length,
    };
  });
}
