import { recommendationStatuses, trainingJobStatuses, type TrainingJobRow } from '../db/index.ts';
import type { Metrics } from '../telemetry/index.ts';

/** Statuses that mean "a person should look, or it is under way": `fixpoint_finetune_recommended` is 1 for them. */
const datasetSplits: ReadonlySet<string> = new Set(['train', 'validation', 'gate', 'preference']);
const jobStatuses: ReadonlySet<string> = new Set(trainingJobStatuses);

const recommendedStatuses: ReadonlySet<string> = new Set(['open', 'approved', 'training', 'evaluating', 'canary']);

/**
 * Sets the recommendation gauges from the latest recommendation of every component (any status):
 * `fixpoint_finetune_recommended{component}` (1 while open, approved or in progress, else 0),
 * `fixpoint_finetune_recommendations{status}` (every status, zeros included) and
 * `fixpoint_tuned_model_canaries{component}`. Components absent from `latest` drop out.
 */
export function observeRecommendations(metrics: Metrics, latest: readonly { component: string; status: string }[]): void {
  const byStatus = new Map<string, number>(recommendationStatuses.map((s) => [s, 0]));
  const recommended = new Map<string, number>();
  const canaries = new Map<string, number>();
  for (const r of latest) {
    if (byStatus.has(r.status)) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    const component = metrics.label.component(r.component);
    recommended.set(component, Math.max(recommended.get(component) ?? 0, recommendedStatuses.has(r.status) ? 1 : 0));
    canaries.set(component, Math.max(canaries.get(component) ?? 0, r.status === 'canary' ? 1 : 0));
  }
  // Reset then set, synchronously: a scrape never sees the gap, and gone components disappear.
  metrics.finetuneRecommended.reset();
  metrics.finetuneRecommendations.reset();
  metrics.tunedModelCanaries.reset();
  for (const [component, v] of recommended) metrics.finetuneRecommended.set({ component }, v);
  for (const [status, n] of byStatus) metrics.finetuneRecommendations.set({ status }, n);
  for (const [component, v] of canaries) metrics.tunedModelCanaries.set({ component }, v);
}

/** Counts a training job that reached a final status, and its run time when it started and finished. */
export function observeTrainingJobFinished(metrics: Metrics, job: Pick<TrainingJobRow, 'backend' | 'status' | 'startedAt' | 'finishedAt'>): void {
  const backend = job.backend === 'openai' || job.backend === 'local' ? job.backend : 'other';
  metrics.trainingJobs.inc({ backend, status: jobStatuses.has(job.status) ? job.status : 'other' });
  if (job.startedAt && job.finishedAt) metrics.trainingJobDuration.observe({ backend }, Math.max(0, (job.finishedAt.getTime() - job.startedAt.getTime()) / 1000));
}

/** Sets `fixpoint_finetune_dataset_rows{split}` to the rows of the dataset just built (train, validation, gate, preference; other keys are ignored). */
export function observeDatasetRows(metrics: Metrics, rowsBySplit: Readonly<Record<string, number>>): void {
  metrics.datasetRows.reset();
  for (const [split, rows] of Object.entries(rowsBySplit)) if (datasetSplits.has(split)) metrics.datasetRows.set({ split }, rows);
}
