import { Hono, type Context } from 'hono';
import { and, asc, desc, eq, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import {
  finetuneDatasets, finetuneRecommendations, moveRecommendation, recommendationEvents, recommendationStatuses, trainingJobs,
  type Db, type RecommendationRow, type RecommendationStatus,
} from '../../db/index.ts';
import { notifyJobOptions, type JobSystem } from '../../jobs/index.ts';
import { readJsonBody } from '../json-body.ts';
import { noQuery, pageOf, pagingFields, parseQuery } from './query.ts';
import { recommendationDetailResponse, recommendationListResponse, recommendationSchema } from './recommendation-schemas.ts';
import { toWire } from './wire.ts';

export const recommendationListQuery = z.strictObject({
  component: z.string().min(1).optional(),
  status: z.enum(recommendationStatuses).optional(),
  ...pagingFields('recommendation'),
});

export const reasonBody = z.object({ reason: z.string().min(1).max(2000).optional() }).strict();

/** Where a person may move a recommendation from, by action. */
const allowedFrom: Record<'approve' | 'dismiss' | 'cancel', readonly RecommendationStatus[]> = {
  approve: ['open'],
  dismiss: ['open', 'needs_examples', 'rejected', 'failed'],
  cancel: ['approved', 'training', 'evaluating', 'canary'],
};

/**
 * GET /api/recommendations (filters: component, status; newest first, cursor paging), GET
 * /api/recommendations/:id (with its events, dataset and training job), and a person's decisions:
 * POST /:id/approve (open → approved; training starts), /:id/dismiss (not now), /:id/cancel (stop
 * the training job or take the tuned model off canary). Status moves and their events go through
 * the shared table operation; the retrain stage picks approved and cancelled ones up as jobs.
 */
export function recommendationsApi(db: Db, jobs: JobSystem, webhook: boolean): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const q = parseQuery(recommendationListQuery, c.req.query());
    const where: SQL[] = [];
    if (q.component) where.push(eq(finetuneRecommendations.component, q.component));
    if (q.status) where.push(eq(finetuneRecommendations.status, q.status));
    if (q.cursor) where.push(lt(finetuneRecommendations.id, q.cursor));
    const rows = await db.select().from(finetuneRecommendations).where(and(...where)).orderBy(desc(finetuneRecommendations.id)).limit(q.limit + 1);
    const body: z.input<typeof recommendationListResponse> = toWire(pageOf(rows, q.limit));
    return c.json(body);
  });

  app.get('/:id', async (c) => {
    parseQuery(noQuery, c.req.query());
    const rec = await find(db, c.req.param('id'));
    const events = await db.select().from(recommendationEvents).where(eq(recommendationEvents.recommendationId, rec.id)).orderBy(asc(recommendationEvents.at)).limit(1000);
    const [job] = rec.trainingJobId ? await db.select().from(trainingJobs).where(eq(trainingJobs.id, rec.trainingJobId)) : [];
    const [dataset] = rec.datasetId
      ? await db.select({ id: finetuneDatasets.id, sha256: finetuneDatasets.sha256, files: finetuneDatasets.files, counts: finetuneDatasets.counts, createdAt: finetuneDatasets.createdAt }).from(finetuneDatasets).where(eq(finetuneDatasets.id, rec.datasetId))
      : [];
    // The job's events carry Unix seconds (as OpenAI's do); the API's times are ISO like the rest.
    const trainingJob = job ? { ...job, events: job.events.map((e) => ({ ...e, at: new Date(e.at * 1000) })) } : null;
    const body: z.input<typeof recommendationDetailResponse> = toWire({ ...rec, events, trainingJob, dataset: dataset ?? null });
    return c.json(body);
  });

  const decide = (action: keyof typeof allowedFrom, to: RecommendationStatus) => async (c: Context) => {
    parseQuery(noQuery, c.req.query());
    const rec = await find(db, c.req.param('id') ?? '');
    const { reason } = await readJsonBody(c, reasonBody, { emptyIsObject: true });
    if (action === 'approve' && rec.status === 'needs_examples') {
      throw new AppError('conflict', `recommendation ${rec.id} needs ${rec.examples.missing} more failure cases with a trusted target (a correction through /v1/feedback, or a passing answer under a later prompt) before it can be approved`, { param: 'id' });
    }
    const moved = await moveRecommendation(db, rec.id, {
      from: allowedFrom[action],
      to,
      actor: 'admin',
      detail: { action, ...(reason ? { reason } : {}) },
      patch: action === 'approve' ? { approvedBy: 'admin' } : { error: reason ? `${action === 'cancel' ? 'cancelled' : 'dismissed'} by a person: ${reason}` : `${action === 'cancel' ? 'cancelled' : 'dismissed'} by a person` },
    });
    if (!moved) throw new AppError('conflict', `recommendation ${rec.id} is ${rec.status}; ${action} needs it ${allowedFrom[action].join(' or ')}`, { param: 'id' });
    if (action === 'approve') await jobs.enqueue('retrain.train', { recommendationId: rec.id }, { jobId: `train:${rec.id}` });
    if (action === 'cancel') await jobs.enqueue('retrain.cancel', { recommendationId: rec.id }, { jobId: `cancel:${rec.id}` });
    if (webhook) await jobs.enqueue('retrain.notify', { recommendationId: rec.id, eventId: moved.eventId }, notifyJobOptions(moved.eventId));
    const body: z.input<typeof recommendationSchema> = toWire(moved.row);
    return c.json(body);
  };
  app.post('/:id/approve', decide('approve', 'approved'));
  app.post('/:id/dismiss', decide('dismiss', 'dismissed'));
  app.post('/:id/cancel', decide('cancel', 'dismissed'));
  return app;
}

async function find(db: Db, id: string): Promise<RecommendationRow> {
  if (!isUuid(id)) throw new AppError('invalid_request', 'must be a recommendation id', { param: 'id' });
  const [rec] = await db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.id, id));
  if (!rec) throw new AppError('not_found', `no recommendation ${id}`, { param: 'id' });
  return rec;
}
