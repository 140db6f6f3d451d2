import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, type Db } from '../../db/index.ts';
import { parseQuery } from './query.ts';
import { time } from './wire-schemas.ts';
import { isoTime } from './wire.ts';

export const componentTrafficQuery = z.strictObject({
  bucket: z.enum(['hour', 'day']).default('hour').describe('hour: the last 24 hours, one bucket an hour; day: the last 7 days, one a day'),
});

export const componentTrafficResponse = z.object({
  component: z.string(),
  bucket: z.enum(['hour', 'day']),
  /** Oldest first; every bucket present, empty ones as 0. */
  data: z.array(z.object({ at: time, calls: z.number().int(), failed_calls: z.number().int() })),
});

interface Bucket {
  /** Timestamp text (postgres.js) or a Date (PGlite). */
  at: Date | string;
  calls: string | number;
  failed_calls: string | number;
}

/**
 * GET /api/components/:component/traffic?bucket=hour|day: the component's calls and failed calls
 * (calls whose evaluation found a failure, as in GET /api/components) per hour over the last 24 hours
 * or per day over the last 7 days, oldest first, every bucket present (empty ones as 0).
 */
export function componentTrafficApi(db: Db): Hono {
  const app = new Hono();
  app.get('/:component/traffic', async (c) => {
    const component = c.req.param('component');
    const { bucket } = parseQuery(componentTrafficQuery, c.req.query());
    const span = bucket === 'hour' ? sql`interval '23 hours'` : sql`interval '6 days'`;
    const step = bucket === 'hour' ? sql`interval '1 hour'` : sql`interval '1 day'`;
    const unit = bucket === 'hour' ? sql.raw(`'hour'`) : sql.raw(`'day'`);
    const rows = rowsOf<Bucket>(
      await db.execute(sql`
        with buckets as (
          select generate_series(date_trunc(${unit}, now()) - ${span}, date_trunc(${unit}, now()), ${step}) as at
        ), counted as (
          select date_trunc(${unit}, c.started_at) as at, count(*) as calls, count(*) filter (where e.failure_count > 0) as failed_calls
          from calls c left join call_evaluations e on e.call_id = c.id
          where c.component = ${component} and c.started_at >= date_trunc(${unit}, now()) - ${span}
          group by 1
        )
        select b.at, coalesce(n.calls, 0) as calls, coalesce(n.failed_calls, 0) as failed_calls
        from buckets b left join counted n on n.at = b.at
        order by b.at`),
    );
    const body: z.infer<typeof componentTrafficResponse> = { component, bucket, data: rows.map((r) => ({ at: isoTime(r.at), calls: Number(r.calls), failed_calls: Number(r.failed_calls) })) };
    return c.json(body);
  });
  return app;
}
