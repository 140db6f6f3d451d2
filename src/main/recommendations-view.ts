import type { RecommendationDetailWire, RecommendationWire } from '../ingress/index.ts';
import { formatTable } from './patterns-command.ts';

/** A recommendation as GET /api/recommendations returns it (snake_case keys, ISO times). */
export type RecommendationItem = RecommendationWire;

/** GET /api/recommendations/:id: the row plus its events, training job and dataset. */
export type RecommendationDetail = RecommendationDetailWire;

const num = (x: number | null | undefined, digits = 0): string =>
  typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
const usd = (x: number | null | undefined): string => (typeof x === 'number' ? `$${num(x, 2)}` : '-');
const pct = (x: number | null | undefined): string => (typeof x === 'number' ? `${(x * 100).toFixed(1)}%` : '-');
const payback = (d: number | null | undefined): string => (d === null ? 'never' : typeof d === 'number' ? `${num(d, 1)} d` : '-');
/** `2026-12-01T11:00:00.000Z` → `2026-12-01 11:00`. */
const when = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').slice(0, 16) : '-');

/** The list as a table, most recently updated first. */
export function recommendationsTable(items: RecommendationItem[], width: number): string {
  if (items.length === 0) return 'no recommendations';
  const rows = items
    .slice()
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
    .map((r) => [
      r.id.slice(0, 8),
      r.component,
      r.status,
      String(r.patterns?.length ?? 0),
      num(r.examples?.trusted),
      num(r.arithmetic?.failures_per_day, 1),
      usd(r.arithmetic?.estimated_training_cost_usd),
      payback(r.arithmetic?.payback_days),
      when(r.updated_at),
    ]);
  return formatTable(['ID', 'COMPONENT', 'STATUS', 'PATTERNS', 'TRUSTED', 'FAILURES/DAY', 'EST. COST', 'PAYBACK', 'UPDATED'], rows, width);
}

function arithmeticLines(a: RecommendationItem['arithmetic']): string[] {
  return [
    '  arithmetic:',
    `    failures/day        ${num(a.failures_per_day, 1)} × ${usd(a.cost_per_failure_usd)} per failure = ${usd(a.failure_cost_per_day_usd)}/day`,
    `    training            ${num(a.estimated_training_tokens)} tokens ≈ ${usd(a.estimated_training_cost_usd)}`,
    `    serving             ${usd(a.serving_cost_per_day_usd)}/day`,
    `    payback             ${a.payback_days === null ? 'never at these numbers' : `${num(a.payback_days, 1)} days`}`,
  ];
}

function patternLines(patterns: RecommendationItem['patterns']): string[] {
  return [
    `  patterns (${patterns.length}):`,
    ...patterns.map(
      (p) => `    ${p.id}  ${p.diagnosis ?? 'undiagnosed'}  ${pct(p.failure_rate)} of calls  ${num(p.failures24h)} in 24 h  ${p.title}  (${p.reasons.join(', ')})`,
    ),
  ];
}

function exampleLine(e: RecommendationItem['examples']): string {
  const by = Object.entries(e.by_source ?? {}).map(([source, n]) => `${source} ${n}`).join(', ');
  return `  trusted examples: ${num(e.trusted)} (${by || 'none'})${e.missing > 0 ? `; ${num(e.missing)} more needed` : ''}`;
}

function datasetLines(d: NonNullable<RecommendationDetail['dataset']>): string[] {
  return [
    `  dataset ${d.id} (sha256 ${d.sha256.slice(0, 12)}):`,
    ...Object.entries(d.files).map(([name, f]) => `    ${name.padEnd(24)} ${num(f.rows).padStart(7)} rows  ${num(f.bytes)} bytes`),
  ];
}

function trainingLines(j: NonNullable<RecommendationDetail['training_job']>): string[] {
  const last = j.checkpoints.at(-1);
  const metrics = last ? Object.entries(last.metrics).map(([k, v]) => `${k} ${v === null ? '-' : num(v, 4)}`).join(', ') : '';
  return [
    `  training job ${j.id}: ${j.status} (${j.backend}${j.external_id ? ` ${j.external_id}` : ''})`,
    `    ${j.base_model} → ${j.tuned_model ?? '(not yet)'}; trained tokens ${num(j.trained_tokens)}; created ${when(j.created_at)}, started ${when(j.started_at)}, finished ${when(j.finished_at)}`,
    ...(last ? [`    checkpoint step ${last.step}${metrics ? `: ${metrics}` : ''} (${j.checkpoints.length} in all)`] : []),
    ...(j.error ? [`    error: ${j.error.code}: ${j.error.message}`] : []),
    ...j.events.slice(-5).map((e) => `    ${e.at.replace('T', ' ').slice(0, 19)}  ${e.level.padEnd(5)}  ${e.message}`),
  ];
}

function nextStep(r: RecommendationDetail): string | null {
  if (r.status === 'open') return `approve: fixpoint recommendations approve ${r.id}   (or dismiss ${r.id} --reason "...")`;
  if (r.status === 'needs_examples') return `waiting for ${num(r.examples.missing)} more trusted examples (corrections through the feedback API count first)`;
  if (['approved', 'training', 'evaluating', 'canary'].includes(r.status)) return `under way; stop it with: fixpoint recommendations cancel ${r.id}`;
  return null;
}

/** One recommendation in full: the arithmetic, patterns, examples, dataset, training progress and events. */
export function recommendationDetail(r: RecommendationDetail): string {
  const next = nextStep(r);
  const lines = [
    `Fine-tuning recommendation ${r.id}`,
    `  component ${r.component} · status ${r.status} · base model ${r.base_model} (${r.backend})${r.approved_by ? ` · approved by ${r.approved_by}` : ''}`,
    `  created ${when(r.created_at)}, updated ${when(r.updated_at)}`,
    ...(r.error ? [`  ${r.status === 'dismissed' ? 'reason' : 'error'}: ${r.error}`] : []),
    '',
    ...arithmeticLines(r.arithmetic),
    '',
    ...patternLines(r.patterns),
    exampleLine(r.examples),
    ...(r.dataset ? ['', ...datasetLines(r.dataset)] : []),
    ...(r.training_job ? ['', ...trainingLines(r.training_job)] : []),
    ...(r.evaluation ? ['', `  evaluation: ${JSON.stringify(r.evaluation)}`] : []),
    ...(r.tuned_model || r.version_id ? [`  tuned model ${r.tuned_model ?? '-'}; prompt version ${r.version_id ?? '-'}`] : []),
    '',
    '  events:',
    ...(r.events ?? []).map(
      (e) => `    ${when(e.at)}  ${e.type.padEnd(8)} ${e.from_status || e.to_status ? `${e.from_status ?? '-'} → ${e.to_status ?? '-'}` : ''}  (${e.actor})${Object.keys(e.detail ?? {}).length > 0 ? `  ${JSON.stringify(e.detail).slice(0, 200)}` : ''}`,
    ),
    ...(next ? ['', `  next: ${next}`] : []),
  ];
  return lines.join('\n');
}
