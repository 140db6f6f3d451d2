/**
 * What the loop has done so far, read from the admin API: patterns, optimization runs, prompt versions
 * and their canaries, fine-tuning recommendations and their training jobs. `changes` turns two
 * snapshots into the progress lines the demo prints while it runs.
 */
import type { ComponentPromptsWire, OptimizationRunSummaryWire, PatternWire, RecommendationDetailWire, RecommendationWire } from '../src/ingress/index.ts';
import type { AdminClient } from './admin.ts';

/** The admin API's answers, typed by the schemas it answers by (the wire's snake_case names). */
export type PatternView = PatternWire;
export type RunView = OptimizationRunSummaryWire;
export type PromptsView = ComponentPromptsWire;
/** A recommendation from the list, with its training job and dataset once read whole. */
export type RecommendationView = RecommendationWire & Partial<Pick<RecommendationDetailWire, 'training_job' | 'dataset'>>;

/** The gate's numbers in a recommendation's `evaluation` (a stored object to the API). */
export interface EvaluationView {
  accepted?: boolean;
  pattern_fail_rate?: { current: number; candidate: number };
  reasons?: string[];
}
export const evaluationOf = (r: RecommendationView): EvaluationView | null => r.evaluation as EvaluationView | null;

export interface LoopState {
  patterns: PatternView[];
  runs: RunView[];
  prompts: Record<string, PromptsView>;
  recommendations: RecommendationView[];
}

/** Whether the canary monitor promoted a version the optimizer made (a prompt fix; a tuned model's version is not one). */
export function promptFixPromoted(p: PromptsView | undefined): boolean {
  return (p?.audit ?? []).some((a) => a.actor === 'canary-monitor' && a.action === 'promoted' && p?.versions.find((v) => v.id === a.version_id)?.origin.source === 'optimizer');
}

export const IN_PROGRESS_RECOMMENDATION = ['approved', 'training', 'evaluating', 'canary'];
export const ENDED_RECOMMENDATION = ['promoted', 'rejected', 'failed', 'dismissed'];

export async function readLoopState(api: AdminClient, components: readonly string[]): Promise<LoopState> {
  const [patterns, runs, list] = await Promise.all([
    api.list<PatternView>('/api/patterns?limit=200'),
    api.list<RunView>('/api/optimizations?limit=200'),
    api.list<RecommendationView>('/api/recommendations?limit=200'),
  ]);
  const prompts: Record<string, PromptsView> = {};
  for (const c of components) prompts[c] = await api.get<PromptsView>(`/api/components/${encodeURIComponent(c)}/prompts`).catch(() => ({ component: c, active_version_id: null, canary_version_id: null, canary_share: 0, versions: [], audit: [] }));
  // The list has no training job: read it for the recommendations past approval.
  const recommendations = await Promise.all(list.map((r) => (r.status === 'open' || r.status === 'needs_examples' ? r : api.get<RecommendationView>(`/api/recommendations/${r.id}`))));
  // The list leaves out merged patterns.
  return { patterns, runs, prompts, recommendations };
}

/** Work the loop still has under way: runs queued or running, canaries, recommendations past approval. */
export function pending(s: LoopState): number {
  return (
    s.runs.filter((r) => r.status === 'queued' || r.status === 'running').length +
    Object.values(s.prompts).filter((p) => p.canary_version_id).length +
    s.recommendations.filter((r) => IN_PROGRESS_RECOMMENDATION.includes(r.status)).length
  );
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;

/** " (pattern failures 97 % → 0 %)" from a recommendation's gate, or nothing before it. */
function gateFall(r: RecommendationView): string {
  const f = evaluationOf(r)?.pattern_fail_rate;
  return f ? ` (pattern failures ${pct(f.current)} → ${pct(f.candidate)})` : '';
}

function versionOf(p: PromptsView | undefined, id: string | null): string {
  const v = p?.versions.find((x) => x.id === id);
  return v ? `v${v.version}` : 'a version';
}

/** One line per thing that changed between two snapshots (keyed, so each event prints once). */
export function changes(now: LoopState, printed: Set<string>): string[] {
  const out: string[] = [];
  const say = (key: string, line: string) => {
    if (printed.has(key)) return;
    printed.add(key);
    out.push(line);
  };
  const title = (id: string) => {
    const p = now.patterns.find((x) => x.id === id);
    return p ? `"${p.title.slice(0, 70)}"` : `pattern ${id.slice(0, 8)}`;
  };
  for (const p of now.patterns.filter((x) => x.systematic)) {
    say(`pattern:${p.id}`, `pattern  ${p.component}: ${title(p.id)} is systematic (${p.failure_count} failures) — diagnosed ${p.diagnosis?.kind ?? 'not yet'}, remedy ${p.remedy}`);
  }
  for (const r of now.runs) {
    if (r.status === 'running' || r.status === 'queued') say(`run:${r.id}:start`, `run      ${r.component}: prompt optimization started for ${title(r.pattern_id)}`);
    else say(`run:${r.id}:end`, `run      ${r.component}: ${r.status}${r.outcome ? ` (${r.outcome})` : ''} — ${(r.result ?? '').slice(0, 110)}`);
  }
  for (const p of Object.values(now.prompts)) {
    if (p.canary_version_id) say(`canary:${p.canary_version_id}`, `canary   ${p.component}: ${versionOf(p, p.canary_version_id)} takes a share of live traffic`);
    for (const a of p.audit.filter((x) => x.actor === 'canary-monitor')) say(`audit:${a.version_id}:${a.action}`, `canary   ${p.component}: ${versionOf(p, a.version_id)} ${a.action.replace('_', ' ')} by the canary monitor`);
  }
  for (const r of now.recommendations) {
    const key = `rec:${r.id}:${r.status}`;
    if (r.status === 'needs_examples') say(key, `finetune ${r.component}: fine-tuning is a candidate; ${r.examples.trusted} trusted examples, ${r.examples.missing} more needed`);
    else if (r.status === 'open') say(key, `finetune ${r.component}: fine-tuning recommended — ${r.arithmetic.failures_per_day.toFixed(0)} failures/day, training ~$${r.arithmetic.estimated_training_cost_usd.toFixed(2)}, payback ${r.arithmetic.payback_days === null ? '—' : `${r.arithmetic.payback_days.toFixed(1)} days`}`);
    else if (r.status === 'training') say(key, `finetune ${r.component}: dataset built (${Object.entries(r.dataset?.files ?? {}).map(([f, x]) => `${f} ${x.rows}`).join(', ')}); training job ${r.training_job?.external_id ?? ''} started`);
    else if (r.status === 'evaluating') say(key, `finetune ${r.component}: job ${r.training_job?.status ?? ''} → ${r.tuned_model ?? '?'}; evaluating it against the current model`);
    else if (r.status === 'canary') say(key, `finetune ${r.component}: tuned model passed the gate${gateFall(r)}; on canary`);
    else say(key, `finetune ${r.component}: recommendation ${r.status}${r.error ? ` — ${r.error.slice(0, 100)}` : ''}`);
  }
  return out;
}
