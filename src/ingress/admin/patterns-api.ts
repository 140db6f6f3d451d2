import { Hono } from 'hono';
import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import { diagnoses, failures, patternEvents, patterns, patternStatuses, remedies, rowsOf, type Db, type PatternRow } from '../../db/index.ts';
import { encodePatternCursor, patternOrder, patternSorts } from './pattern-order.ts';
import { pagingFields, parseQuery } from './query.ts';

const diagnosisValues = [...diagnoses, 'undiagnosed'] as const;

const listQuery = z.object({
  component: z.string().min(1).optional(),
  status: z.enum(patternStatuses).optional(),
  diagnosis: z.enum(diagnosisValues).optional(),
  remedy: z.enum(remedies).optional(),
  kind: z.string().min(1).optional(),
  systematic: z.enum(['true', 'false']).optional(),
  sort: z.enum(patternSorts, { error: `must be one of ${patternSorts.join(', ')}` }).default('failures_24h'),
  limit: pagingFields('pattern').limit,
  /** next_cursor of the previous page (opaque: the sort, its value and the id of the page's last pattern). */
  cursor: z.string().min(1).max(512).optional(),
});

/** The public shape of a pattern (the centroid stays inside). */
function view(p: PatternRow) {
  return {
    id: p.id,
    component: p.component,
    kind: p.kind,
    rule_id: p.ruleId,
    title: p.title,
    summary: p.summary,
    summary_source: p.summarySource,
    top_terms: p.topTerms,
    status: p.status,
    systematic: p.systematic,
    failure_count: p.failureCount,
    first_seen: p.firstSeen,
    last_seen: p.lastSeen,
    stats: p.stats,
    stats_at: p.statsAt,
    diagnosis: p.diagnosis === null ? null : { kind: p.diagnosis, confidence: p.diagnosisConfidence, reasons: p.diagnosisReasons, source: p.diagnosisSource },
    remedy: p.remedy,
    fingerprints: Object.keys(p.fingerprints).length,
    space: p.space,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

/** Failures per hour (last 24 h) and per day (last 7 days) of one pattern. */
async function timeline(db: Db, id: string) {
  const hourly = rowsOf<{ at: Date | string; n: string | number }>(
    await db.execute(sql`select date_trunc('hour', call_started_at) as at, count(*) as n from failures
      where pattern_id = ${id} and call_started_at > now() - interval '24 hours' group by 1 order by 1`),
  );
  const daily = rowsOf<{ at: Date | string; n: string | number }>(
    await db.execute(sql`select date_trunc('day', call_started_at) as at, count(*) as n from failures
      where pattern_id = ${id} and call_started_at > now() - interval '7 days' group by 1 order by 1`),
  );
  const iso = (d: Date | string): string => new Date(d).toISOString();
  return { hourly: hourly.map((r) => ({ at: iso(r.at), failures: Number(r.n) })), daily: daily.map((r) => ({ at: iso(r.at), failures: Number(r.n) })) };
}

/**
 * GET /api/patterns (filters: component, status, diagnosis, remedy, kind, systematic; `sort`, largest
 * first: failures_24h (default), failures, last_seen, created; keyset cursor paging on the sort value
 * and id) and GET /api/patterns/:id.
 */
export function patternsApi(db: Db): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const q = parseQuery(listQuery, c.req.query());
    const where: SQL[] = [isNull(patterns.mergedInto)];
    if (q.component) where.push(eq(patterns.component, q.component));
    if (q.status) where.push(eq(patterns.status, q.status));
    if (q.diagnosis) where.push(q.diagnosis === 'undiagnosed' ? isNull(patterns.diagnosis) : eq(patterns.diagnosis, q.diagnosis));
    if (q.remedy) where.push(eq(patterns.remedy, q.remedy));
    if (q.kind) where.push(eq(patterns.kind, q.kind));
    if (q.systematic) where.push(eq(patterns.systematic, q.systematic === 'true'));
    const order = patternOrder(q.sort, q.cursor);
    if (order.after) where.push(order.after);
    const rows = await db
      .select({ pattern: patterns, sortValue: order.cursorText })
      .from(patterns)
      .where(and(...where))
      .orderBy(...order.orderBy)
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > q.limit && last ? encodePatternCursor(q.sort, last.sortValue, last.pattern.id) : null;
    return c.json({ data: page.map((r) => view(r.pattern)), next_cursor: nextCursor, sort: q.sort });
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    if (!isUuid(id)) throw new AppError('invalid_request', 'id: must be a pattern id', { param: 'id' });
    const [p] = await db.select().from(patterns).where(eq(patterns.id, id));
    if (!p) throw new AppError('not_found', `no pattern ${id}`, { param: 'id' });
    // A merged pattern answers with where it went, so old links keep working.
    if (p.mergedInto) return c.json({ ...view(p), merged_into: p.mergedInto });
    const examples = await db
      .select({ id: failures.id, call_id: failures.callId, kind: failures.kind, rule_id: failures.ruleId, message: failures.message, evidence: failures.evidence, correction: failures.correction, call_started_at: failures.callStartedAt })
      .from(failures)
      .where(eq(failures.patternId, id))
      .orderBy(desc(failures.callStartedAt))
      .limit(10);
    const events = await db.select().from(patternEvents).where(eq(patternEvents.patternId, id)).orderBy(asc(patternEvents.at)).limit(200);
    return c.json({
      ...view(p),
      examples,
      timeline: { ...(await timeline(db, id)), events: events.map((e) => ({ at: e.at, type: e.type, from: e.fromStatus, to: e.toStatus, detail: e.detail })) },
    });
  });
  return app;
}
