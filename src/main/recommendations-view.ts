import type { ExampleCounts, RecommendationArithmetic, RecommendationJson, RecommendedPattern, StoredCheckpoint, StoredJobEvent } from '../db/index.ts';
import { formatTable } from './patterns-command.ts';

/** A recommendation as GET /api/recommendations returns it (camelCase keys, ISO times). */
export type RecommendationItem = RecommendationJson;

/** GET /api/recommendations/:id: the row plus its events, training job and dataset. */
export interface RecommendationDetail extends RecommendationItem {
  events: { id: string; at: string; type: string; fromStatus: string | null; toStatus: string | null; actor: string; detail: Record<string, unknown> }[];
  trainingJob: {
    id: string;
    backend: string;
    externalId: string | null;
    status: string;
    baseModel: string;
    tunedModel: string | null;
    events: StoredJobEvent[];
    checkpoints: StoredCheckpoint[];
    error: { code: string; message: string } | null;
    trainedTokens: number | null;
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
  } | null;
  dataset: { id: string; sha256: string; files: Record<string, { rows: number; bytes: number; sha256?: string }>; counts: Record<string, unknown> } | null;
}

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
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .map((r) => [
      r.id.slice(0, 8),
      r.component,
      r.status,
      String(r.patterns?.length ?? 0),
      num(r.examples?.trusted),
      num(r.arithmetic?.failuresPerDay, 1),
      usd(r.arithmetic?.estimatedTrainingCostUsd),
      payback(r.arithmetic?.paybackDays),
      when(r.updatedAt),
    ]);
  return formatTable(['ID', 'COMPONENT', 'STATUS', 'PATTERNS', 'TRUSTED', 'FAILURES/DAY', 'EST. COST', 'PAYBACK', 'UPDATED'], rows, width);
}

function arithmeticLines(a: RecommendationArithmetic): string[] {
  return [
    '  arithmetic:',
    `    failures/day        ${num(a.failuresPerDay, 1)} × ${usd(a.costPerFailureUsd)} per failure = ${usd(a.failureCostPerDayUsd)}/day`,
    `    training            ${num(a.estimatedTrainingTokens)} tokens ≈ ${usd(a.estimatedTrainingCostUsd)}`,
    `    serving             ${usd(a.servingCostPerDayUsd)}/day`,
    `    payback             ${a.paybackDays === null ? 'never at these numbers' : `${num(a.paybackDays, 1)} days`}`,
  ];
}

function patternLines(patterns: RecommendedPattern[]): string[] {
  return [
    `  patterns (${patterns.length}):`,
    ...patterns.map(
      (p) => `    ${p.id}  ${p.diagnosis ?? 'undiagnosed'}  ${pct(p.failureRate)} of calls  ${num(p.failures24h)} in 24 h  ${p.title}  (${p.reasons.join(', ')})`,
    ),
  ];
}

function exampleLine(e: ExampleCounts): string {
  const by = Object.entries(e.bySource ?? {}).map(([source, n]) => `${source} ${n}`).join(', ');
  return `  trusted examples: ${num(e.trusted)} (${by || 'none'})${e.missing > 0 ? `; ${num(e.missing)} more needed` : ''}`;
}

function datasetLines(d: NonNullable<RecommendationDetail['dataset']>): string[] {
  return [
    `  dataset ${d.id} (sha256 ${d.sha256.slice(0, 12)}):`,
    ...Object.entries(d.files).map(([name, f]) => `    ${name.padEnd(24)} ${num(f.rows).padStart(7)} rows  ${num(f.bytes)} bytes`),
  ];
}

function trainingLines(j: NonNullable<RecommendationDetail['trainingJob']>): string[] {
  const last = j.checkpoints.at(-1);
  const metrics = last ? Object.entries(last.metrics).map(([k, v]) => `${k} ${v === null ? '-' : num(v, 4)}`).join(', ') : '';
  return [
    `  training job ${j.id}: ${j.status} (${j.backend}${j.externalId ? ` ${j.externalId}` : ''})`,
    `    ${j.baseModel} → ${j.tunedModel ?? '(not yet)'}; trained tokens ${num(j.trainedTokens)}; created ${when(j.createdAt)}, started ${when(j.startedAt)}, finished ${when(j.finishedAt)}`,
    ...(last ? [`    checkpoint step ${last.step}${metrics ? `: ${metrics}` : ''} (${j.checkpoints.length} in all)`] : []),
    ...(j.error ? [`    error: ${j.error.code}: ${j.error.message}`] : []),
    ...j.events.slice(-5).map((e) => `    ${new Date(e.at * 1000).toISOString().replace('T', ' ').slice(0, 19)}  ${e.level.padEnd(5)}  ${e.message}`),
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
    `  component ${r.component} · status ${r.status} · base model ${r.baseModel} (${r.backend})${r.approvedBy ? ` · approved by ${r.approvedBy}` : ''}`,
    `  created ${when(r.createdAt)}, updated ${when(r.updatedAt)}`,
    ...(r.error ? [`  ${r.status === 'dismissed' ? 'reason' : 'error'}: ${r.error}`] : []),
    '',
    ...arithmeticLines(r.arithmetic),
    '',
    ...patternLines(r.patterns),
    exampleLine(r.examples),
    ...(r.dataset ? ['', ...datasetLines(r.dataset)] : []),
    ...(r.trainingJob ? ['', ...trainingLines(r.trainingJob)] : []),
    ...(r.evaluation ? ['', `  evaluation: ${JSON.stringify(r.evaluation)}`] : []),
    ...(r.tunedModel || r.versionId ? [`  tuned model ${r.tunedModel ?? '-'}; prompt version ${r.versionId ?? '-'}`] : []),
    '',
    '  events:',
    ...(r.events ?? []).map(
      (e) => `    ${when(e.at)}  ${e.type.padEnd(8)} ${e.fromStatus || e.toStatus ? `${e.fromStatus ?? '-'} → ${e.toStatus ?? '-'}` : ''}  (${e.actor})${Object.keys(e.detail ?? {}).length > 0 ? `  ${JSON.stringify(e.detail).slice(0, 200)}` : ''}`,
    ),
    ...(next ? ['', `  next: ${next}`] : []),
  ];
  return lines.join('\n');
}
