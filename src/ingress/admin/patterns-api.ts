import { Hono } from 'hono';
import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import { diagnoses, failures, patternEvents, patterns, patternStatuses, remedies, rowsOf, type Db, type PatternRow } from '../../db/index.ts';
import { encodePatternCursor, patternOrder, patternSorts } from './pattern-order.ts';
import { noQuery, pagingFields, parseQuery } from './query.ts';
import { storedObject, time, userData, uuid } from './wire-schemas.ts';
import { isoTime, toWire } from './wire.ts';

const diagnosisValues = [...diagnoses, 'undiagnosed'] as const;

export const patternListQuery = z.strictObject({
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

const windows = z.object({ h1: z.number().int(), h24: z.number().int(), d7: z.number().int() });

/** A pattern as lists and GET /:id show it (the centroid stays inside). */
const patternSchema = z.object({
  id: uuid,
  component: z.string(),
  kind: z.string(),
  rule_id: z.string(),
  title: z.string(),
  summary: z.string(),
  summary_source: z.string(),
  top_terms: z.array(z.string()),
  status: z.string(),
  systematic: z.boolean(),
  failure_count: z.number().int(),
  first_seen: time,
  last_seen: time,
  /** As of stats_at; null until first computed. */
  stats: z
    .object({
      windows,
      component_calls: windows,
      share24h: z.number(),
      rate_lower_bound: z.number(),
      hours_seen: z.number(),
      hours_with_traffic: z.number(),
      sessions: z.number().int(),
      users: z.number().int(),
      unmet: z.array(z.string()),
    })
    .nullable(),
  stats_at: time.nullable(),
  diagnosis: z.object({ kind: z.string(), confidence: z.number().nullable(), reasons: z.array(z.string()), source: z.string().nullable() }).nullable(),
  remedy: z.string(),
  /** How many distinct fingerprints its failures have. */
  fingerprints: z.number().int(),
  space: z.string(),
  created_at: time,
  updated_at: time,
});

export const patternListResponse = z.object({ data: z.array(patternSchema), next_cursor: z.string().nullable(), sort: z.enum(patternSorts) });

const timelinePoint = z.object({ at: time, failures: z.number().int() });

export const patternDetailResponse = patternSchema.extend({
  /** Set when it was merged into another pattern (then nothing else below is sent). */
  merged_into: uuid.optional(),
  examples: z
    .array(z.object({ id: uuid, call_id: uuid, kind: z.string(), rule_id: z.string(), message: z.string(), evidence: storedObject, correction: userData, call_started_at: time }))
    .optional(),
  timeline: z
    .object({
      hourly: z.array(timelinePoint),
      daily: z.array(timelinePoint),
      events: z.array(z.object({ at: time, type: z.string(), from: z.string().nullable(), to: z.string().nullable(), detail: storedObject })),
    })
    .optional(),
});

/** The public shape of a pattern. */
function view(p: PatternRow): z.input<typeof patternSchema> {
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
    first_seen: isoTime(p.firstSeen),
    last_seen: isoTime(p.lastSeen),
    stats: toWire(p.stats),
    stats_at: p.statsAt ? isoTime(p.statsAt) : null,
    diagnosis: p.diagnosis === null ? null : { kind: p.diagnosis, confidence: p.diagnosisConfidence, reasons: p.diagnosisReasons, source: p.diagnosisSource },
    remedy: p.remedy,
    fingerprints: Object.keys(p.fingerprints).length,
    space: p.space,
    created_at: isoTime(p.createdAt),
    updated_at: isoTime(p.updatedAt),
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
  return { hourly: hourly.map((r) => ({ at: isoTime(r.at), failures: Number(r.n) })), daily: daily.map((r) => ({ at: isoTime(r.at), failures: Number(r.n) })) };
}

/**
 * GET /api/patterns (filters: component, status, diagnosis, remedy, kind, systematic; `sort`, largest
 * first: failures_24h (default), failures, last_seen, created; keyset cursor paging on the sort value
 * and id) and GET /api/patterns/:id.
 */
export function patternsApi(db: Db): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const q = parseQuery(patternListQuery, c.req.query());
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
    const body: z.input<typeof patternListResponse> = { data: page.map((r) => view(r.pattern)), next_cursor: nextCursor, sort: q.sort };
    return c.json(body);
  });

  app.get('/:id', async (c) => {
    parseQuery(noQuery, c.req.query());
    const id = c.req.param('id');
    if (!isUuid(id)) throw new AppError('invalid_request', 'id: must be a pattern id', { param: 'id' });
    const [p] = await db.select().from(patterns).where(eq(patterns.id, id));
    if (!p) throw new AppError('not_found', `no pattern ${id}`, { param: 'id' });
    // A merged pattern answers with where it went, so old links keep working.
    if (p.mergedInto) {
      const merged: z.input<typeof patternDetailResponse> = { ...view(p), merged_into: p.mergedInto };
      return c.json(merged);
    }
    const examples = await db
      .select({ id: failures.id, call_id: failures.callId, kind: failures.kind, rule_id: failures.ruleId, message: failures.message, evidence: failures.evidence, correction: failures.correction, call_started_at: failures.callStartedAt })
      .from(failures)
      .where(eq(failures.patternId, id))
      .orderBy(desc(failures.callStartedAt))
      .limit(10);
    const events = await db.select().from(patternEvents).where(eq(patternEvents.patternId, id)).orderBy(asc(patternEvents.at)).limit(200);
    const body: z.input<typeof patternDetailResponse> = {
      ...view(p),
      examples: toWire(examples),
      timeline: { ...(await timeline(db, id)), events: toWire(events.map((e) => ({ at: e.at, type: e.type, from: e.fromStatus, to: e.toStatus, detail: e.detail }))) },
    };
    return c.json(body);
  });
  return app;
}
