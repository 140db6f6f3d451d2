import { eq } from 'drizzle-orm';
import { finetuneRecommendations, promptVersions, trainingJobs } from '../db/index.ts';
import { movePromptPointer } from '../prompts/index.ts';
import type { RetrainDeps } from './deps.ts';

/**
 * After a person cancelled a recommendation (the admin API moved it to `dismissed`): stop its
 * training job at the backend, and take its tuned model off canary if it was on one.
 */
export async function cancelRecommendation(deps: RetrainDeps, recommendationId: string): Promise<void> {
  const [rec] = await deps.db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.id, recommendationId));
  if (!rec || rec.status !== 'dismissed') return;
  if (rec.trainingJobId) {
    const [job] = await deps.db.select().from(trainingJobs).where(eq(trainingJobs.id, rec.trainingJobId));
    if (job?.externalId && !job.finishedAt) {
      await deps.backend(job.backend).cancel(job.externalId);
      // One more poll records the cancelled status and the job's last events.
      await deps.jobs.enqueue('retrain.poll', { trainingJobId: job.id }, { jobId: `poll:${job.id}:cancel`, delayMs: 1000 });
    }
  }
  if (rec.versionId) {
    const [v] = await deps.db.select({ status: promptVersions.status }).from(promptVersions).where(eq(promptVersions.id, rec.versionId));
    if (v?.status === 'canary') {
      await movePromptPointer(deps.db, rec.versionId, { action: 'rollback', reason: 'fine-tuning recommendation cancelled' }, 'retrain');
      await deps.announcePrompts();
    }
  }
}
