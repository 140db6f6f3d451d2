import type { RecommendationJson, RecommendationRow, RecommendationStatus, TargetSource } from '../db/index.ts';

/** What happened to a recommendation, as the webhook tells it (from a recommendation_events row). */
export interface WebhookEvent {
  /** `recommendation.created`, `recommendation.status`, `recommendation.updated`; sent as `x-fixpoint-event`. */
  type: string;
  from: RecommendationStatus | null;
  to: RecommendationStatus | null;
  at: Date | string;
}

/** The recommendation as the webhook and the admin API show it: camelCase keys, ISO times, its API path. */
export type RecommendationView = RecommendationJson & {
  /** `/api/recommendations/<id>`, absolute when a base URL was given. */
  url: string;
};

/** The JSON body posted: Slack's `text`, plus the structured recommendation and event for other receivers. */
export interface WebhookBody {
  text: string;
  recommendation: RecommendationView;
  event: { type: string; from: string | null; to: string | null; at: string };
}

/** The event of a recommendation_events row: its type becomes `recommendation.<type>`. */
export function webhookEventOf(row: { type: string; fromStatus: string | null; toStatus: string | null; at: Date }): WebhookEvent {
  return { type: `recommendation.${row.type}`, from: row.fromStatus as RecommendationStatus | null, to: row.toStatus as RecommendationStatus | null, at: row.at };
}

const iso = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString());
/** Slack's three escapes: pattern titles are model-written text. */
const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const usd = (x: number): string => `$${x < 10 ? x.toFixed(2) : Math.round(x).toLocaleString('en-US')}`;
const count = (x: number): string => Math.round(x).toLocaleString('en-US');
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

const sourceNames: Record<TargetSource, string> = { correction: 'corrections', later_prompt: 'later prompts', teacher: 'teacher' };

function statusPhrase(event: WebhookEvent, rec: RecommendationRow): string {
  const by = event.to === 'approved' && rec.approvedBy ? ` (by ${rec.approvedBy})` : '';
  if (event.from === null && event.to) return `new, ${event.to}${by}`;
  if (event.to && event.from !== event.to) return `${event.from} → ${event.to}${by}`;
  return `${rec.status} (updated)`;
}

function patternsPhrase(rec: RecommendationRow): string {
  const shown = rec.patterns.slice(0, 3).map((p) => `"${slackEscape(p.title)}" (${p.diagnosis ?? 'undiagnosed'}, ${pct(p.failureRate)} of calls, ${count(p.failures24h)} failures in 24 h)`);
  const more = rec.patterns.length > shown.length ? ` and ${rec.patterns.length - shown.length} more` : '';
  return `${rec.patterns.length} pattern${rec.patterns.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}.`;
}

function examplesPhrase(rec: RecommendationRow): string {
  const e = rec.examples;
  const by = (Object.keys(sourceNames) as TargetSource[]).map((s) => `${count(e.bySource[s] ?? 0)} ${sourceNames[s]}`).join(', ');
  return `Trusted examples: ${count(e.trusted)} (${by})${e.missing > 0 ? `; ${count(e.missing)} more needed before it can be approved` : ''}.`;
}

function arithmeticPhrase(rec: RecommendationRow): string {
  const a = rec.arithmetic;
  const payback = a.paybackDays === null ? 'it does not pay back at these numbers' : `pays back in ${a.paybackDays < 10 ? a.paybackDays.toFixed(1) : count(a.paybackDays)} days`;
  return (
    `${count(a.failuresPerDay)} failures/day × ${usd(a.costPerFailureUsd)} = ${usd(a.failureCostPerDayUsd)}/day, ` +
    `against an estimated ${usd(a.estimatedTrainingCostUsd)} to train (${count(a.estimatedTrainingTokens)} tokens) ` +
    `plus ${usd(a.servingCostPerDayUsd)}/day to serve: ${payback}.`
  );
}

function outcomePhrase(rec: RecommendationRow): string {
  const parts = [
    rec.tunedModel ? `Tuned model: ${slackEscape(rec.tunedModel)}.` : '',
    rec.error && ['failed', 'rejected', 'dismissed'].includes(rec.status) ? `Reason: ${slackEscape(rec.error.slice(0, 300))}.` : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/** The recommendation with camelCase keys and ISO times, as the API and the webhook carry it. */
export function recommendationView(rec: RecommendationRow, baseUrl = ''): RecommendationView {
  return {
    id: rec.id,
    component: rec.component,
    status: rec.status,
    patterns: rec.patterns,
    examples: rec.examples,
    baseModel: rec.baseModel,
    backend: rec.backend,
    arithmetic: rec.arithmetic,
    approvedBy: rec.approvedBy,
    datasetId: rec.datasetId,
    trainingJobId: rec.trainingJobId,
    tunedModel: rec.tunedModel,
    evaluation: rec.evaluation,
    versionId: rec.versionId,
    error: rec.error,
    createdAt: iso(rec.createdAt),
    updatedAt: iso(rec.updatedAt),
    url: `${baseUrl.replace(/\/+$/, '')}/api/recommendations/${rec.id}`,
  };
}

/**
 * The body posted for a recommendation's change: one readable paragraph in `text` (what Slack's
 * incoming webhooks show), the structured recommendation and the event. `baseUrl` makes the link absolute.
 */
export function recommendationMessage(rec: RecommendationRow, event: WebhookEvent, opts: { baseUrl?: string } = {}): WebhookBody {
  const recommendation = recommendationView(rec, opts.baseUrl);
  const text = [
    `Fine-tuning recommendation for ${slackEscape(rec.component)}: ${statusPhrase(event, rec)}.`,
    patternsPhrase(rec),
    examplesPhrase(rec),
    arithmeticPhrase(rec),
    `Base model ${slackEscape(rec.baseModel)}, ${rec.backend} backend.`,
    outcomePhrase(rec),
    `Details: ${recommendation.url}`,
  ]
    .filter(Boolean)
    .join(' ');
  return { text, recommendation, event: { type: event.type, from: event.from, to: event.to, at: iso(event.at) } };
}
