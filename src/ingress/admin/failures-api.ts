import { Hono } from 'hono';
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { isUuid } from '../../core/ids.ts';
import { failureKinds, failures, type Db } from '../../db/index.ts';
import { pageOf, pagingFields, parseQuery } from './query.ts';
import { page, storedObject, time, userData, uuid } from './wire-schemas.ts';
import { toWire } from './wire.ts';

export const failureListQuery = z.strictObject({
  component: z.string().min(1).optional(),
  kind: z.enum(failureKinds).optional(),
  rule: z.string().min(1).optional(),
  call_id: z.string().refine(isUuid, 'must be a call id').optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  ...pagingFields('failure'),
});

/** A failure as the admin API shows it (in lists, in a call's detail). */
export const failureSchema = z.object({
  id: uuid,
  call_id: uuid,
  component: z.string(),
  kind: z.string(),
  rule_id: z.string(),
  message: z.string(),
  evidence: storedObject,
  /** The output that should have been produced, when feedback gave one. */
  correction: userData,
  call_started_at: time,
  created_at: time,
  pattern_id: uuid.nullable(),
});

export const failureListResponse = page(failureSchema);

/** GET /api/failures: newest first, filtered by component, kind, rule, call and time; cursor paging. */
export function failuresApi(db: Db): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const q = parseQuery(failureListQuery, c.req.query());
    const where: SQL[] = [];
    if (q.component) where.push(eq(failures.component, q.component));
    if (q.kind) where.push(eq(failures.kind, q.kind));
    if (q.rule) where.push(eq(failures.ruleId, q.rule));
    if (q.call_id) where.push(eq(failures.callId, q.call_id));
    if (q.from) where.push(gte(failures.callStartedAt, new Date(q.from)));
    if (q.to) where.push(lt(failures.callStartedAt, new Date(q.to)));
    if (q.cursor) where.push(lt(failures.id, q.cursor));
    const rows = await db.select().from(failures).where(where.length ? and(...where) : undefined).orderBy(desc(failures.id)).limit(q.limit + 1);
    const body: z.input<typeof failureListResponse> = toWire(pageOf(rows, q.limit));
    return c.json(body);
  });
  return app;
}
