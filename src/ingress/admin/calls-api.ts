import { Hono } from 'hono';
import { and, desc, eq, gte, inArray, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { attemptOutcomes, callStatuses } from '../../core/call-capture.ts';
import { AppError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import { callEvaluations, calls, failures, feedback, judgeVerdicts, prompts, type Db } from '../../db/index.ts';
import { hydratePrompts, promptRefsIn } from '../../prompts/index.ts';
import { failureSchema } from './failures-api.ts';
import { noQuery, pageOf, pagingFields, parseQuery } from './query.ts';
import { page, time, userData, uuid } from './wire-schemas.ts';
import { toWire } from './wire.ts';

export const callListQuery = z.strictObject({
  component: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  status: z.enum(callStatuses).optional(),
  session_id: z.string().min(1).max(512).optional(),
  user_id: z.string().min(1).max(512).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...pagingFields('call'),
});

const callSummary = {
  id: uuid,
  started_at: time,
  latency_ms: z.number(),
  ttft_ms: z.number().nullable(),
  route: z.string(),
  component: z.string(),
  provider: z.string().nullable(),
  requested_model: z.string().nullable(),
  served_model: z.string().nullable(),
  status: z.string(),
  http_status: z.number().int(),
  stream: z.boolean(),
  finish_reasons: z.array(z.string()),
  input_tokens: z.number().int().nullable(),
  output_tokens: z.number().int().nullable(),
  cost_usd: z.number().nullable(),
  session_id: z.string().nullable(),
  user_id: z.string().nullable(),
};

export const callListResponse = page(z.object(callSummary));

export const callDetailResponse = z.object({
  ...callSummary,
  ended_at: time,
  upstream_latency_ms: z.number().nullable(),
  total_tokens: z.number().int().nullable(),
  cached_tokens: z.number().int().nullable(),
  system_prompt_hash: z.string().nullable(),
  /** As received, with the system prompt put back in place of its stored reference. */
  request_body: userData,
  response_body: userData,
  error: z.string().nullable(),
  properties: z.record(z.string(), z.string()),
  client_key_hash: z.string().nullable(),
  prompt_version_id: uuid.nullable(),
  inserted_at: time,
  /** Every upstream attempt (retries, fallbacks), when there was more than one; null for a single attempt. */
  attempts: z
    .array(
      z.object({
        provider: z.string(),
        model: z.string(),
        outcome: z.enum(attemptOutcomes),
        http_status: z.number().int().nullable(),
        latency_ms: z.number(),
        retry_after_ms: z.number().optional(),
        fallback: z.boolean().optional(),
      }),
    )
    .nullable(),
  evaluation: z.object({ call_id: uuid, failure_count: z.number().int(), evaluated_at: time }).nullable(),
  failures: z.array(failureSchema),
  verdicts: z.array(
    z.object({
      id: uuid,
      call_id: uuid,
      component: z.string(),
      rubric_version: z.string(),
      judge_model: z.string(),
      pass: z.boolean(),
      score: z.number(),
      failed_criteria: z.array(z.string()),
      rationale: z.string(),
      input_tokens: z.number().int().nullable(),
      output_tokens: z.number().int().nullable(),
      cost_usd: z.number().nullable(),
      latency_ms: z.number(),
      created_at: time,
    }),
  ),
  feedback: z.array(z.object({ id: uuid, call_id: uuid, rating: z.number(), comment: z.string().nullable(), correction: userData, source: z.string(), created_at: time })),
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
    const q = parseQuery(callListQuery, c.req.query());
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
    const body: z.input<typeof callListResponse> = toWire(pageOf(rows, q.limit));
    return c.json(body);
  });
  app.get('/:id', async (c) => {
    parseQuery(noQuery, c.req.query());
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
    const body: z.input<typeof callDetailResponse> = toWire({ ...row, requestBody: hydratePrompts(row.requestBody, byHash), evaluation: evaluation[0] ?? null, failures: found, verdicts, feedback: given });
    return c.json(body);
  });
  return app;
}
