import { Hono } from 'hono';
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { isUuid, newUuidV7 } from '../../core/ids.ts';
import { optimizationOutcomes, optimizationRuns, optimizationRunStatuses, optimizationTriggers, patterns, type Db } from '../../db/index.ts';
import { readJsonBody } from '../json-body.ts';
import { noQuery, pageOf, pagingFields, parseQuery } from './query.ts';
import { page, storedObject, time, uuid } from './wire-schemas.ts';
import { toWire } from './wire.ts';
import type { JobSystem } from '../../jobs/index.ts';

/** POST /api/patterns/:id/optimize takes no fields (an empty body, or `{}`). */
export const optimizeBody = z.strictObject({});
export const optimizeResponse = z.object({ id: uuid, pattern_id: uuid, component: z.string(), status: z.literal('queued') });

/** POST /api/patterns/:id/optimize: start a prompt optimization run for a pattern (a background job). */
export function optimizeTriggerApi(db: Db, jobs: JobSystem): Hono {
  const app = new Hono();
  app.post('/:id/optimize', async (c) => {
    parseQuery(noQuery, c.req.query());
    await readJsonBody(c, optimizeBody, { emptyIsObject: true });
    const id = c.req.param('id');
    if (!isUuid(id)) throw new AppError('invalid_request', 'id: must be a pattern id', { param: 'id' });
    const [p] = await db.select().from(patterns).where(eq(patterns.id, id));
    if (!p) throw new AppError('not_found', `no pattern ${id}`, { param: 'id' });
    if (p.mergedInto) throw new AppError('invalid_request', `pattern ${id} was merged into ${p.mergedInto}`, { param: 'id' });
    // A queued row and a job: the optimization stage picks the run up from there.
    const runId = newUuidV7();
    await db.insert(optimizationRuns).values({ id: runId, patternId: p.id, component: p.component, status: 'queued', trigger: 'manual' });
    await jobs.enqueue('optimize.run', { runId }, { jobId: `optimize:${runId}` });
    const body: z.input<typeof optimizeResponse> = { id: runId, pattern_id: p.id, component: p.component, status: 'queued' };
    return c.json(body, 202);
  });
  return app;
}

export const optimizationListQuery = z.strictObject({
  component: z.string().min(1).optional(),
  pattern: z.string().refine(isUuid, 'must be a pattern id').optional(),
  status: z.enum(optimizationRunStatuses).optional(),
  trigger: z.enum(optimizationTriggers).optional(),
  outcome: z.enum(optimizationOutcomes).optional(),
  ...pagingFields('run'),
});

const runSummary = {
  id: uuid,
  pattern_id: uuid,
  component: z.string(),
  status: z.string(),
  trigger: z.string(),
  result: z.string().nullable(),
  outcome: z.string().nullable(),
  /** Case counts of the feedback, selection and gate sets. */
  sets: z.record(z.string(), z.number()),
  winner_version_id: uuid.nullable(),
  eval_calls: z.number().int(),
  cost_usd: z.number(),
  created_at: time,
  started_at: time.nullable(),
  finished_at: time.nullable(),
};

export const optimizationListResponse = page(z.object(runSummary));

const fewShot = z.array(z.object({ user: z.string(), assistant: z.string() }));

export const optimizationDetailResponse = z.object({
  ...runSummary,
  candidates: z.array(
    z.object({
      id: z.string(),
      parent: z.string().nullable(),
      template: z.string(),
      model: z.string().nullable(),
      few_shot: fewShot.optional(),
      rejected: z.string().nullable(),
      /** Cases passed / evaluated, per set and model. */
      scores: z.record(z.string(), z.object({ passed: z.number().int(), total: z.number().int(), pattern_passed: z.number().int().optional(), pattern_total: z.number().int().optional() })),
      cost_usd: z.number(),
      latency_ms: z.number(),
    }),
  ),
  gate: storedObject.nullable(),
  optimizer_tokens: z.number().int(),
  /** Run time so far, or in all once finished; null before it started. */
  seconds: z.number().nullable(),
});

/** A run in a list: what it was for, how it ended, what it cost; the candidates and the gate stay in GET /:id. */
const summaryColumns = {
  id: optimizationRuns.id,
  patternId: optimizationRuns.patternId,
  component: optimizationRuns.component,
  status: optimizationRuns.status,
  trigger: optimizationRuns.trigger,
  outcome: optimizationRuns.outcome,
  result: optimizationRuns.result,
  sets: optimizationRuns.sets,
  winnerVersionId: optimizationRuns.winnerVersionId,
  evalCalls: optimizationRuns.evalCalls,
  costUsd: optimizationRuns.costUsd,
  createdAt: optimizationRuns.createdAt,
  startedAt: optimizationRuns.startedAt,
  finishedAt: optimizationRuns.finishedAt,
};

/**
 * GET /api/optimizations (filters: component, pattern, status, trigger, outcome; newest first, cursor paging)
 * and GET /api/optimizations/:id: the run — candidates, scores per set and model, the gate, the
 * winner, cost, time.
 */
export function optimizationsApi(db: Db): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const q = parseQuery(optimizationListQuery, c.req.query());
    const where: SQL[] = [];
    if (q.component) where.push(eq(optimizationRuns.component, q.component));
    if (q.pattern) where.push(eq(optimizationRuns.patternId, q.pattern));
    if (q.status) where.push(eq(optimizationRuns.status, q.status));
    if (q.trigger) where.push(eq(optimizationRuns.trigger, q.trigger));
    if (q.outcome) where.push(eq(optimizationRuns.outcome, q.outcome));
    if (q.cursor) where.push(lt(optimizationRuns.id, q.cursor));
    const rows = await db.select(summaryColumns).from(optimizationRuns).where(and(...where)).orderBy(desc(optimizationRuns.id)).limit(q.limit + 1);
    const body: z.input<typeof optimizationListResponse> = toWire(pageOf(rows, q.limit));
    return c.json(body);
  });

  app.get('/:id', async (c) => {
    parseQuery(noQuery, c.req.query());
    const id = c.req.param('id');
    if (!isUuid(id)) throw new AppError('invalid_request', 'id: must be an optimization run id', { param: 'id' });
    const [run] = await db.select().from(optimizationRuns).where(eq(optimizationRuns.id, id));
    if (!run) throw new AppError('not_found', `no optimization run ${id}`, { param: 'id' });
    const seconds = run.startedAt ? ((run.finishedAt ?? new Date()).getTime() - run.startedAt.getTime()) / 1000 : null;
    const body: z.input<typeof optimizationDetailResponse> = toWire({ ...run, seconds });
    return c.json(body);
  });
  return app;
}
