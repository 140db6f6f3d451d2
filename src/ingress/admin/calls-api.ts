import { Hono } from 'hono';
import { and, desc, eq, gte, inArray, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { callStatuses } from '../../core/call-capture.ts';
import { AppError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import { callEvaluations, calls, failures, feedback, judgeVerdicts, prompts, type Db } from '../../db/index.ts';
import { hydratePrompts, promptRefsIn } from '../../prompts/index.ts';
import { pageOf, pagingFields, parseQuery } from './query.ts';

const listQuery = z.object({
  component: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  status: z.enum(callStatuses).optional(),
  session_id: z.string().min(1).max(512).optional(),
  user_id: z.string().min(1).max(512).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...pagingFields('call'),
});

const summaryColumns = {
  id: calls.id,
  startedAt: calls.startedAt,
  latencyMs: calls.latencyMs,
  ttftMs: calls.ttftMs,
  route: calls.route,
  component: calls.component,
  provider: calls.provider,
  requestedModel: calls.requestedModel,
  servedModel: calls.servedModel,
  status: calls.status,
  httpStatus: calls.httpStatus,
  stream: calls.stream,
  finishReasons: calls.finishReasons,
  inputTokens: calls.inputTokens,
  outputTokens: calls.outputTokens,
  costUsd: calls.costUsd,
  sessionId: calls.sessionId,
  userId: calls.userId,
};

/** GET /api/calls (filters: component, model, status, session_id, user_id, from, to; newest first, cursor paging) and GET /api/calls/:id (the whole record). */
export function callsApi(db: Db): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const q = parseQuery(listQuery, c.req.query());
    const where: SQL[] = [];
    if (q.component) where.push(eq(calls.component, q.component));
    if (q.model) where.push(or(eq(calls.requestedModel, q.model), eq(calls.servedModel, q.model)) as SQL);
    if (q.status) where.push(eq(calls.status, q.status));
    if (q.session_id) where.push(eq(calls.sessionId, q.session_id));
    if (q.user_id) where.push(eq(calls.userId, q.user_id));
    if (q.from) where.push(gte(calls.startedAt, new Date(q.from)));
    if (q.to) where.push(lt(calls.startedAt, new Date(q.to)));
    if (q.cursor) where.push(lt(calls.id, q.cursor));
    const rows = await db
      .select(summaryColumns)
      .from(calls)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(calls.id))
      .limit(q.limit + 1);
    return c.json(pageOf(rows, q.limit));
  });
  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    if (!isUuid(id)) throw new AppError('invalid_request', 'call id must be a UUID (the x-fixpoint-call-id header)', { param: 'id' });
    const [row] = await db.select().from(calls).where(eq(calls.id, id)).limit(1);
    if (!row) throw new AppError('not_found', `no call ${id} (records are written within a second or so of the response)`);
    const refs = [...promptRefsIn(row.requestBody)];
    const texts = refs.length ? await db.select().from(prompts).where(inArray(prompts.hash, refs)) : [];
    const byHash = new Map(texts.map((p) => [p.hash, p.content]));
    const [evaluation, found, verdicts, given] = await Promise.all([
      db.select().from(callEvaluations).where(eq(callEvaluations.callId, id)),
      db.select().from(failures).where(eq(failures.callId, id)).orderBy(failures.id),
      db.select().from(judgeVerdicts).where(eq(judgeVerdicts.callId, id)).orderBy(judgeVerdicts.id),
      db.select().from(feedback).where(eq(feedback.callId, id)).orderBy(feedback.id),
    ]);
    return c.json({ ...row, requestBody: hydratePrompts(row.requestBody, byHash), evaluation: evaluation[0] ?? null, failures: found, verdicts, feedback: given });
  });
  return app;
}
