import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { rowsOf, type Db } from '../../db/index.ts';
import { noQuery, parseQuery } from './query.ts';
import { time } from './wire-schemas.ts';
import { isoTime } from './wire.ts';

export const componentListResponse = z.object({
  data: z.array(
    z.object({
      component: z.string(),
      /** Whether the configuration names it (else it was only seen in traffic). */
      declared: z.boolean(),
      description: z.string().nullable(),
      rules: z.array(z.object({ id: z.string(), type: z.string() })),
      judge: z.object({ model: z.string(), sample_rate: z.number(), max_spend_usd_per_hour: z.number() }).nullable(),
      traffic: z.object({ calls_24h: z.number().int(), calls_7d: z.number().int(), failed_calls_24h: z.number().int(), last_seen: time.nullable() }),
    }),
  ),
});

interface Observed {
  component: string;
  calls_24h: number;
  calls_7d: number;
  failed_calls_24h: number;
  /** Timestamp text (postgres.js) or a Date (PGlite). */
  last_seen: string | Date | null;
}

/**
 * GET /api/components: every declared component (its rules and judge, without keys) and every
 * component seen in the last 7 days, with traffic and failure counts.
 */
export function componentsApi(db: Db, config: Config): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    parseQuery(noQuery, c.req.query());
    const observed = rowsOf<Observed>(
      await db.execute(sql`
        select c.component,
          count(*) filter (where c.started_at > now() - interval '24 hours')::int as calls_24h,
          count(*)::int as calls_7d,
          count(*) filter (where c.started_at > now() - interval '24 hours' and e.failure_count > 0)::int as failed_calls_24h,
          max(c.started_at) as last_seen
        from calls c left join call_evaluations e on e.call_id = c.id
        where c.started_at > now() - interval '7 days'
        group by c.component
        order by calls_7d desc
        limit 1000`),
    );
    const byName = new Map(observed.map((o) => [o.component, o]));
    const declared = config.file.components;
    const names = [...new Set([...Object.keys(declared), ...byName.keys()])];
    const data = names.map((name) => {
      const settings = declared[name];
      const o = byName.get(name);
      return {
        component: name,
        declared: settings !== undefined,
        description: settings?.description ?? null,
        rules: settings?.rules.map((r) => ({ id: r.id, type: r.type })) ?? [],
        judge: settings?.judge ? { model: settings.judge.model, sample_rate: settings.judge.sampleRate, max_spend_usd_per_hour: settings.judge.maxSpendUsdPerHour } : null,
        traffic: { calls_24h: o?.calls_24h ?? 0, calls_7d: o?.calls_7d ?? 0, failed_calls_24h: o?.failed_calls_24h ?? 0, last_seen: o?.last_seen ? isoTime(o.last_seen) : null },
      };
    });
    const body: z.input<typeof componentListResponse> = { data };
    return c.json(body);
  });
  return app;
}
