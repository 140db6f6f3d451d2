import path from 'node:path';
import { eq } from 'drizzle-orm';
import { newUuidV7 } from '../core/ids.ts';
import { finetuneDatasets, finetuneRecommendations, moveRecommendation, trainingJobs, type DatasetRow, type RecommendationRow } from '../db/index.ts';
import { notify, type RetrainDeps } from './deps.ts';
import { isRetrainDatasetError } from './dataset/index.ts';
import { observeDatasetRows, observeTrainingJobFinished } from './recommendation-metrics.ts';
import { waitsForPromptCanary } from './wait-for-canary.ts';

/**
 * An approved recommendation: its dataset (built once, kept), a training job row, the backend
 * started and its job id stored, the recommendation `training`, the first poll queued. Safe to run
 * twice: a job already started is only polled again. Too few trusted rows → `needs_examples`; a
 * backend that refuses to start → `failed` with its error.
 */
export async function startTraining(deps: RetrainDeps, recommendationId: string, signal?: AbortSignal): Promise<void> {
  const [rec] = await deps.db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.id, recommendationId));
  if (!rec || rec.status !== 'approved') return;
  if (rec.trainingJobId) {
    const [job] = await deps.db.select().from(trainingJobs).where(eq(trainingJobs.id, rec.trainingJobId));
    if (job?.externalId) return void (await toTraining(deps, rec, job.id));
  }
  // Approved by hand during a prompt canary: it stays approved until the canary is decided.
  if (await waitsForPromptCanary(deps, rec, 'training')) return;
  const dataset = await datasetOf(deps, rec, signal);
  if (!dataset) return;
  const jobId = rec.trainingJobId ?? newUuidV7();
  const hyperparameters = deps.settings.hyperparameters;
  await deps.db.insert(trainingJobs).values({ id: jobId, recommendationId: rec.id, datasetId: dataset.id, backend: rec.backend, status: 'validating_files', baseModel: rec.baseModel, hyperparameters }).onConflictDoNothing();
  await deps.db.update(finetuneRecommendations).set({ trainingJobId: jobId, datasetId: dataset.id }).where(eq(finetuneRecommendations.id, rec.id));
  const validationRows = dataset.files['validation.jsonl']?.rows ?? 0;
  try {
    const { externalId } = await deps.backend(rec.backend).start(
      {
        jobId,
        files: { train: path.join(dataset.dir, 'train.jsonl'), validation: validationRows > 0 ? path.join(dataset.dir, 'validation.jsonl') : null },
        baseModel: rec.baseModel,
        suffix: deps.settings.openai.suffix,
        hyperparameters,
      },
      signal,
    );
    await deps.db.update(trainingJobs).set({ externalId, startedAt: new Date() }).where(eq(trainingJobs.id, jobId));
  } catch (err) {
    const message = (err as Error).message;
    await deps.db.update(trainingJobs).set({ status: 'failed', error: { code: 'start_failed', message }, finishedAt: new Date() }).where(eq(trainingJobs.id, jobId));
    observeTrainingJobFinished(deps.metrics, { backend: rec.backend, status: 'failed', startedAt: null, finishedAt: null });
    const moved = await moveRecommendation(deps.db, rec.id, { from: ['approved'], to: 'failed', actor: 'retrain', detail: { trainingJobId: jobId, error: message }, patch: { error: `the ${rec.backend} backend could not start the job: ${message}` } });
    if (moved) await notify(deps, rec.id, moved.eventId);
    return;
  }
  await toTraining(deps, rec, jobId);
}

async function toTraining(deps: RetrainDeps, rec: RecommendationRow, jobId: string): Promise<void> {
  const moved = await moveRecommendation(deps.db, rec.id, { from: ['approved'], to: 'training', actor: 'retrain', detail: { trainingJobId: jobId, backend: rec.backend, baseModel: rec.baseModel }, patch: { trainingJobId: jobId } });
  if (moved) await notify(deps, rec.id, moved.eventId);
  await deps.jobs.enqueue('retrain.poll', { trainingJobId: jobId }, { jobId: `poll:${jobId}:0`, delayMs: deps.settings.pollMs });
}

async function datasetOf(deps: RetrainDeps, rec: RecommendationRow, signal?: AbortSignal): Promise<DatasetRow | null> {
  if (rec.datasetId) {
    const [existing] = await deps.db.select().from(finetuneDatasets).where(eq(finetuneDatasets.id, rec.datasetId));
    if (existing) return existing;
  }
  try {
    const dataset = await deps.buildDataset({ recommendationId: rec.id, component: rec.component, patternIds: rec.patterns.map((p) => p.id) }, signal);
    observeDatasetRows(deps.metrics, Object.fromEntries(Object.entries(dataset.files).map(([file, f]) => [path.basename(file, '.jsonl'), f.rows])));
    return dataset;
  } catch (err) {
    if (!isRetrainDatasetError(err)) throw err;
    const missing = err.missing;
    const moved = await moveRecommendation(deps.db, rec.id, {
      from: ['approved'],
      to: 'needs_examples',
      actor: 'retrain',
      detail: { missing, reason: (err as Error).message },
      patch: { examples: { ...rec.examples, missing }, error: (err as Error).message },
    });
    if (moved) await notify(deps, rec.id, moved.eventId);
    return null;
  }
}
