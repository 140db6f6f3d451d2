import { eq, sql } from 'drizzle-orm';
import { finishedTrainingStatuses, moveRecommendation, trainingJobs, type TrainingJobRow } from '../db/index.ts';
import type { BackendJob } from './backends/training-backend.ts';
import { notify, type RetrainDeps } from './deps.ts';
import { observeTrainingJobFinished } from './recommendation-metrics.ts';

/** The wait before the next poll: the first interval growing by half each poll, up to the cap. */
export function nextPollDelay(polls: number, s: { pollMs: number; maxPollMs: number }): number {
  return Math.min(s.maxPollMs, Math.round(s.pollMs * 1.5 ** Math.min(polls, 40)));
}

/**
 * Asks the backend how a training job is doing and stores what it says (status, events,
 * checkpoints). Running: the next poll is queued with backoff. Succeeded: the tuned model is made
 * addressable (deploy) and evaluated. Failed: the recommendation fails with the backend's error.
 * Cancelled: it was dismissed (a person cancelled it). The stored external id is all it needs, so
 * a restarted worker carries on where the last one stopped.
 */
export async function pollTraining(deps: RetrainDeps, trainingJobId: string, signal?: AbortSignal): Promise<void> {
  const [job] = await deps.db.select().from(trainingJobs).where(eq(trainingJobs.id, trainingJobId));
  if (!job?.externalId || job.finishedAt) return;
  const backend = deps.backend(job.backend);
  const state = await backend.poll(job.externalId, signal);
  await deps.db
    .update(trainingJobs)
    .set({ status: state.status, events: state.events.slice(-500), checkpoints: state.checkpoints, trainedTokens: state.trainedTokens, error: state.error, polls: sql`${trainingJobs.polls} + 1`, polledAt: new Date() })
    .where(eq(trainingJobs.id, job.id));
  if (!(finishedTrainingStatuses as readonly string[]).includes(state.status)) {
    await deps.jobs.enqueue('retrain.poll', { trainingJobId }, { jobId: `poll:${job.id}:${job.polls + 1}`, delayMs: nextPollDelay(job.polls + 1, deps.settings) });
    return;
  }
  await finish(deps, job, state, signal);
}

async function finish(deps: RetrainDeps, job: TrainingJobRow, state: BackendJob, signal?: AbortSignal): Promise<void> {
  const finishedAt = new Date();
  const finished = { backend: job.backend, status: state.status, startedAt: job.startedAt, finishedAt };
  if (state.status === 'succeeded') {
    // Deploy may fail (the serving host is down): the job is retried and deploys again before it is marked finished.
    const tunedModel = await deps.backend(job.backend).deploy(job.externalId!, state, signal);
    await deps.db.update(trainingJobs).set({ tunedModel, finishedAt }).where(eq(trainingJobs.id, job.id));
    observeTrainingJobFinished(deps.metrics, finished);
    const moved = await moveRecommendation(deps.db, job.recommendationId, { from: ['training'], to: 'evaluating', actor: 'retrain', detail: { tunedModel, trainedTokens: state.trainedTokens, checkpoints: state.checkpoints.length }, patch: { tunedModel } });
    if (moved) {
      await notify(deps, job.recommendationId, moved.eventId);
      await deps.jobs.enqueue('retrain.evaluate', { recommendationId: job.recommendationId }, { jobId: `evaluate:${job.recommendationId}`, attempts: 3, backoffMs: 30_000 });
    }
    return;
  }
  await deps.db.update(trainingJobs).set({ finishedAt }).where(eq(trainingJobs.id, job.id));
  observeTrainingJobFinished(deps.metrics, finished);
  const moved =
    state.status === 'failed'
      ? await moveRecommendation(deps.db, job.recommendationId, { from: ['training'], to: 'failed', actor: 'retrain', detail: { error: state.error }, patch: { error: `training failed: ${state.error?.code ?? 'error'}: ${state.error?.message ?? 'no message from the backend'}` } })
      : await moveRecommendation(deps.db, job.recommendationId, { from: ['training'], to: 'dismissed', actor: 'retrain', detail: { reason: 'training job cancelled' }, patch: { error: 'the training job was cancelled' } });
  if (moved) await notify(deps, job.recommendationId, moved.eventId);
}
