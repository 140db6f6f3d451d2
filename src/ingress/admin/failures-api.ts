import { Hono } from 'hono';
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { isUuid } from '../../core/ids.ts';
import { failures, type Db } from '../../db/index.ts';
import { parseQuery } from './query.ts';

const kinds = ['format', 'schema', 'tool', 'truncation', 'refusal', 'empty', 'error', 'rule', 'judge', 'feedback'] as const;

const listQuery = z.object({
  component: z.string().min(1).optional(),
  kind: z.enum(kinds).optional(),
  rule: z.string().min(1).optional(),
  call_id: z.string().refine(isUuid, 'must be a call id').optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().refine(isUuid, 'must be a failure id from next_cursor').optional(),
});

/** GET /api/failures: newest first, filtered by component, kind, rule, call and time; cursor paging. */
export function failuresApi(db: Db): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const q = parseQuery(listQuery, c.req.query());
    const where: SQL[] = [];
    if (q.component) where.push(eq(failures.component, q.component));
    if (q.kind) where.push(eq(failures.kind, q.kind));
    if (q.rule) where.push(eq(failures.ruleId, q.rule));
    if (q.call_id) where.push(eq(failures.callId, q.call_id));
    if (q.from) where.push(gte(failures.callStartedAt, new Date(q.from)));
    if (q.to) where.push(lt(failures.callStartedAt, new Date(q.to)));
    if (q.cursor) where.push(lt(failures.id, q.cursor));
    const rows = await db.select().from(failures).where(where.length ? and(...where) : undefined).orderBy(desc(failures.id)).limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    return c.json({ data: page, next_cursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null });
  });
  return app;
}
