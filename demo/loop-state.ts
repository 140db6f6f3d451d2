/**
 * What the loop has done so far, read from the admin API: patterns, optimization runs, prompt versions
 * and their canaries, fine-tuning recommendations and their training jobs. `changes` turns two
 * snapshots into the progress lines the demo prints while it runs.
 */
import type { AdminClient } from './admin.ts';

export interface PatternView {
  id: string;
  component: string;
  title: string;
  status: string;
  systematic: boolean;
  failureCount: number;
  diagnosis: { kind: string; confidence: number; source?: string } | null;
  remedy: string;
  mergedInto?: string | null;
}

export interface RunView {
  id: string;
  patternId: string;
  component: string;
  status: string;
  outcome: string | null;
  result: string | null;
  evalCalls: number;
}

export interface VersionView {
  id: string;
  version: number;
  template: string;
  model: string | null;
  origin: { source?: string; runId?: string; recommendationId?: string; note?: string };
  status: string;
}

export interface AuditView {
  versionId: string;
  action: string;
  actor: string;
  detail: Record<string, unknown> | null;
  at: string;
}

export interface PromptsView {
  component: string;
  activeVersionId: string | null;
  canaryVersionId: string | null;
  versions: VersionView[];
  audit: AuditView[];
}

export interface TrainingJobView {
  id: string;
  externalId: string | null;
  status: string;
  baseModel: string;
  tunedModel: string | null;
  trainedTokens: number | null;
  events: unknown[];
}

export interface RecommendationView {
  id: string;
  component: string;
  status: string;
  patterns: { id: string; reasons: string[] }[];
  examples: { trusted: number; bySource: Record<string, number>; missing: number };
  arithmetic: { failuresPerDay: number; failureCostPerDayUsd?: number; estimatedTrainingCostUsd: number; paybackDays: number | null };
  tunedModel: string | null;
  evaluation: { accepted?: boolean; patternFailRate?: { current: number; candidate: number }; passRate?: { current: number; candidate: number }; reasons?: string[] } | null;
  error: string | null;
  versionId: string | null;
  datasetId: string | null;
  trainingJob?: TrainingJobView | null;
  dataset?: { id: string; files: Record<string, { rows: number }>; counts?: Record<string, unknown> } | null;
}

export interface LoopState {
  patterns: PatternView[];
  runs: RunView[];
  prompts: Record<string, PromptsView>;
  recommendations: RecommendationView[];
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
  for (const c of components) prompts[c] = await api.get<PromptsView>(`/api/components/${encodeURIComponent(c)}/prompts`).catch(() => ({ component: c, activeVersionId: null, canaryVersionId: null, versions: [], audit: [] }));
  // The list has no training job: read it for the recommendations past approval.
  const recommendations = await Promise.all(list.map((r) => (r.status === 'open' || r.status === 'needs_examples' ? r : api.get<RecommendationView>(`/api/recommendations/${r.id}`))));
  return { patterns: patterns.filter((p) => !p.mergedInto), runs, prompts, recommendations };
}

/** Work the loop still has under way: runs queued or running, canaries, recommendations past approval. */
export function pending(s: LoopState): number {
  return (
    s.runs.filter((r) => r.status === 'queued' || r.status === 'running').length +
    Object.values(s.prompts).filter((p) => p.canaryVersionId).length +
    s.recommendations.filter((r) => IN_PROGRESS_RECOMMENDATION.includes(r.status)).length
  );
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;

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
    say(`pattern:${p.id}`, `pattern  ${p.component}: ${title(p.id)} is systematic (${p.failureCount} failures) — diagnosed ${p.diagnosis?.kind ?? 'not yet'}, remedy ${p.remedy}`);
  }
  for (const r of now.runs) {
    if (r.status === 'running' || r.status === 'queued') say(`run:${r.id}:start`, `run      ${r.component}: prompt optimization started for ${title(r.patternId)}`);
    else say(`run:${r.id}:end`, `run      ${r.component}: ${r.status}${r.outcome ? ` (${r.outcome})` : ''} — ${(r.result ?? '').slice(0, 110)}`);
  }
  for (const p of Object.values(now.prompts)) {
    if (p.canaryVersionId) say(`canary:${p.canaryVersionId}`, `canary   ${p.component}: ${versionOf(p, p.canaryVersionId)} takes a share of live traffic`);
    for (const a of p.audit.filter((x) => x.actor === 'canary-monitor')) say(`audit:${a.versionId}:${a.action}`, `canary   ${p.component}: ${versionOf(p, a.versionId)} ${a.action.replace('_', ' ')} by the canary monitor`);
  }
  for (const r of now.recommendations) {
    const key = `rec:${r.id}:${r.status}`;
    if (r.status === 'needs_examples') say(key, `finetune ${r.component}: fine-tuning is a candidate; ${r.examples.trusted} trusted examples, ${r.examples.missing} more needed`);
    else if (r.status === 'open') say(key, `finetune ${r.component}: fine-tuning recommended — ${r.arithmetic.failuresPerDay.toFixed(0)} failures/day, training ~$${r.arithmetic.estimatedTrainingCostUsd.toFixed(2)}, payback ${r.arithmetic.paybackDays === null ? '—' : `${r.arithmetic.paybackDays.toFixed(1)} days`}`);
    else if (r.status === 'training') say(key, `finetune ${r.component}: dataset built (${Object.entries(r.dataset?.files ?? {}).map(([f, x]) => `${f} ${x.rows}`).join(', ')}); training job ${r.trainingJob?.externalId ?? ''} started`);
    else if (r.status === 'evaluating') say(key, `finetune ${r.component}: job ${r.trainingJob?.status ?? ''} → ${r.tunedModel ?? '?'}; evaluating it against the current model`);
    else if (r.status === 'canary') say(key, `finetune ${r.component}: tuned model passed the gate${r.evaluation?.patternFailRate ? ` (pattern failures ${pct(r.evaluation.patternFailRate.current)} → ${pct(r.evaluation.patternFailRate.candidate)})` : ''}; on canary`);
    else say(key, `finetune ${r.component}: recommendation ${r.status}${r.error ? ` — ${r.error.slice(0, 100)}` : ''}`);
  }
  return out;
}
