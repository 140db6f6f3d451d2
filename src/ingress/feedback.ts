import { timingSafeEqual, createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { HttpBindings } from '@hono/node-server';
import { z } from 'zod';
import { AppError } from '../core/errors.ts';
import { newUuidV7 } from '../core/ids.ts';
import { calls, failures, feedback } from '../db/index.ts';
import { clientKeyOf } from './client-auth.ts';
import type { IngressDeps } from './deps.ts';
import { readJsonBody } from './json-body.ts';
import { localTrust } from './local-trust.ts';

const ratingWords: Record<string, number> = { up: 1, thumbs_up: 1, positive: 1, good: 1, down: 0, thumbs_down: 0, negative: 0, bad: 0 };

const feedbackBody = z
  .object({
    call_id: z.uuid('must be the x-fixpoint-call-id of a call'),
    rating: z.union([z.enum(Object.keys(ratingWords) as [string, ...string[]]), z.boolean(), z.number().min(0).max(1)], {
      error: 'must be "up"/"down", true/false, or a score from 0 to 1',
    }),
    comment: z.string().max(4000).optional(),
    /** The output that should have been produced: text, or a JSON value for structured outputs. */
    correction: z.union([z.string().min(1).max(200_000), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  })
  .strict();

interface CallOwner {
  component: string;
  startedAt: Date;
  clientKeyHash: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The call from the database, or from the write buffer; a call acknowledged moments ago elsewhere gets a short grace. */
async function findCall(deps: IngressDeps, id: string): Promise<CallOwner | null> {
  const until = Date.now() + 2 * deps.config.env.FIXPOINT_RECORD_FLUSH_MS + 1500;
  for (;;) {
    const pending = await deps.recorder.findPending(id);
    if (pending) return pending;
    const [row] = await deps.database.db
      .select({ component: calls.component, startedAt: calls.startedAt, clientKeyHash: calls.clientKeyHash })
      .from(calls)
      .where(eq(calls.id, id))
      .limit(1);
    if (row) return row;
    if (Date.now() > until) return null;
    await sleep(200);
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function isAdmin(token: string | undefined, auth: string | undefined): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(auth ?? '');
  return Boolean(token && m?.[1] && timingSafeEqual(digest(m[1].trim()), digest(token)));
}

/**
 * POST /v1/feedback: a rating, a comment and optionally the correct output for a call. Only the
 * caller that made the call (same key, compared by keyed hash) or an admin may give it, so nobody
 * can poison another tenant's training data. Negative feedback is a failure of kind `feedback`,
 * carrying the correction as ground truth.
 */
export function feedbackApi(deps: IngressDeps): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.use(
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new AppError('body_too_large', 'feedback bodies are limited to 1 MiB');
      },
    }),
  );
  app.post('/', async (c) => {
    const body = await readJsonBody(c, feedbackBody);
    const call = await findCall(deps, body.call_id);
    if (!call) throw new AppError('not_found', `no call ${body.call_id}`, { param: 'call_id' });
    const admin = isAdmin(deps.config.env.FIXPOINT_ADMIN_TOKEN, c.req.header('authorization'));
    const key = clientKeyOf(c.env.incoming.headers);
    const sameCaller = call.clientKeyHash !== null ? deps.hashKey(key) === call.clientKeyHash : key === null && localTrust(c.env.incoming.socket.remoteAddress, c.env.incoming.headers) === 'local';
    if (!admin && !sameCaller) throw new AppError('forbidden', 'feedback must come from the caller that made the call (same API key) or carry the admin token');

    const rating = typeof body.rating === 'number' ? body.rating : typeof body.rating === 'boolean' ? (body.rating ? 1 : 0) : (ratingWords[body.rating] ?? 0);
    const id = newUuidV7();
    const db = deps.database.db;
    await db.insert(feedback).values({ id, callId: body.call_id, rating, comment: body.comment ?? null, correction: body.correction ?? null, source: admin ? 'admin' : 'client' });
    const negative = rating < 0.5;
    if (negative) {
      const message = body.comment ? `negative user feedback: ${body.comment.slice(0, 300)}` : 'negative user feedback';
      const evidence = { rating, comment: body.comment ?? null, feedbackId: id, hasCorrection: body.correction !== undefined };
      await db
        .insert(failures)
        .values({ id: newUuidV7(), callId: body.call_id, component: call.component, kind: 'feedback', ruleId: 'feedback:negative', message, evidence, correction: body.correction ?? null, callStartedAt: call.startedAt })
        .onConflictDoUpdate({ target: [failures.callId, failures.kind, failures.ruleId], set: { message, evidence, correction: body.correction ?? null } });
    }
    const component = deps.metrics.label.component(call.component);
    deps.metrics.feedback.labels(component, negative ? 'negative' : 'positive').inc();
    if (negative) deps.metrics.failures.labels(component, 'feedback', 'feedback:negative').inc();
    return c.json({ id, call_id: body.call_id, rating, failure_recorded: negative }, 201);
  });
  return app;
}
