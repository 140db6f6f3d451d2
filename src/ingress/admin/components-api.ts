import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import type { Config } from '../../config/index.ts';
import { rowsOf, type Db } from '../../db/index.ts';

interface Observed {
  component: string;
  calls_24h: number;
  calls_7d: number;
  failed_calls_24h: number;
  last_seen: string | null;
}

/**
 * GET /api/components: every declared component (its rules and judge, without keys) and every
 * component seen in the last 7 days, with traffic and failure counts.
 */
export function componentsApi(db: Db, config: Config): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
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
        judge: settings?.judge ? { model: settings.judge.model, sampleRate: settings.judge.sampleRate, maxSpendUsdPerHour: settings.judge.maxSpendUsdPerHour } : null,
        traffic: { calls24h: o?.calls_24h ?? 0, calls7d: o?.calls_7d ?? 0, failedCalls24h: o?.failed_calls_24h ?? 0, lastSeen: o?.last_seen ?? null },
      };
    });
    return c.json({ data });
  });
  return app;
}
