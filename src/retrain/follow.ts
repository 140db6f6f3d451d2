import { and, eq, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { finetuneRecommendations, moveRecommendation, patternEvents, promptAudit, promptVersions, trainingJobs } from '../db/index.ts';
import { newUuidV7 } from '../core/ids.ts';
import { notify, type RetrainDeps } from './deps.ts';
import { publishTunedModel } from './publish-tuned.ts';

/**
 * Tuned models on canary follow their prompt version: promoted by the canary monitor → the
 * recommendation is `promoted` (and its patterns' timelines say so; their lifecycle follows the
 * traffic: quiet → resolved); rolled back → `rejected` with the monitor's reason.
 */
export async function followCanaries(deps: RetrainDeps): Promise<void> {
  const recs = await deps.db.select().from(finetuneRecommendations).where(and(eq(finetuneRecommendations.status, 'canary'), isNotNull(finetuneRecommendations.versionId)));
  for (const rec of recs) {
    const [v] = await deps.db.select({ status: promptVersions.status }).from(promptVersions).where(eq(promptVersions.id, rec.versionId!));
    if (v?.status === 'active') {
      const moved = await moveRecommendation(deps.db, rec.id, { from: ['canary'], to: 'promoted', actor: 'retrain', detail: { versionId: rec.versionId, tunedModel: rec.tunedModel } });
      if (!moved) continue;
      await deps.db.insert(patternEvents).values(rec.patterns.map((p) => ({ id: newUuidV7(), patternId: p.id, type: 'fine_tuned', detail: { recommendationId: rec.id, tunedModel: rec.tunedModel, versionId: rec.versionId } })));
      await notify(deps, rec.id, moved.eventId);
    } else if (v && v.status !== 'canary') {
      const [audit] = await deps.db
        .select({ detail: promptAudit.detail })
        .from(promptAudit)
        .where(and(eq(promptAudit.versionId, rec.versionId!), eq(promptAudit.action, 'rolled_back')))
        .orderBy(sql`${promptAudit.at} desc`)
        .limit(1);
      const reason = typeof audit?.detail['reason'] === 'string' ? audit.detail['reason'] : `version left the canary as ${v.status}`;
      const moved = await moveRecommendation(deps.db, rec.id, { from: ['canary'], to: 'rejected', actor: 'retrain', detail: { versionId: rec.versionId, canary: reason }, patch: { error: `the tuned model's canary was rolled back: ${reason}` } });
      if (moved) await notify(deps, rec.id, moved.eventId);
    }
  }
}

/**
 * Work a lost job would leave stuck, queued again (every step is idempotent): approved
 * recommendations never started, training jobs nobody polled lately (a worker restarted mid-job),
 * evaluations that never ran, accepted tuned models waiting for the canary to free up.
 */
export async function resumeStalled(deps: RetrainDeps): Promise<void> {
  const stale = new Date(Date.now() - Math.max(2 * deps.settings.maxPollMs, 120_000));
  const approved = await deps.db.select({ id: finetuneRecommendations.id }).from(finetuneRecommendations).where(and(eq(finetuneRecommendations.status, 'approved'), lt(finetuneRecommendations.updatedAt, stale)));
  for (const r of approved) await deps.jobs.enqueue('retrain.train', { recommendationId: r.id }, { jobId: `train:${r.id}` });
  const jobs = await deps.db
    .select({ id: trainingJobs.id, polls: trainingJobs.polls })
    .from(trainingJobs)
    .where(and(isNotNull(trainingJobs.externalId), isNull(trainingJobs.finishedAt), or(isNull(trainingJobs.polledAt), lt(trainingJobs.polledAt, stale))));
  for (const j of jobs) await deps.jobs.enqueue('retrain.poll', { trainingJobId: j.id }, { jobId: `poll:${j.id}:${j.polls}` });
  // An accepted tuned model waiting for the canary to free up tries at every sweep; an evaluation that never ran, once stale.
  const evaluating = await deps.db.select().from(finetuneRecommendations).where(inArray(finetuneRecommendations.status, ['evaluating']));
  for (const r of evaluating) {
    if (r.versionId) await publishTunedModel(deps, r);
    else if (r.updatedAt < stale) await deps.jobs.enqueue('retrain.evaluate', { recommendationId: r.id }, { jobId: `evaluate:${r.id}` });
  }
}
