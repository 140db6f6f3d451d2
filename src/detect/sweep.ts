import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/index.ts';
import { DETECTED_ROUTES } from '../evaluate/index.ts';
import type { JobSystem } from '../jobs/index.ts';

const CHUNK = 200;

/**
 * Model calls (DETECTED_ROUTES) recorded in the lookback window that the detectors have not checked
 * — an enqueue lost to a Redis outage, a worker that died — are enqueued again. Calls younger than a
 * few seconds are left to the recorder's own enqueue.
 */
export async function sweepUnevaluated(db: Db, jobs: JobSystem, lookbackMinutes: number, limit = 5000): Promise<number> {
  const rows = await db.execute<{ id: string }>(sql`
    select c.id from calls c
    where c.started_at > now() - make_interval(mins => ${lookbackMinutes})
      and c.inserted_at < now() - interval '5 seconds'
      and c.route in (${sql.join(DETECTED_ROUTES.map((r) => sql`${r}`), sql`, `)})
      and not exists (select 1 from call_evaluations e where e.call_id = c.id)
    order by c.inserted_at
    limit ${limit}`);
  const ids = rowsOf<{ id: string }>(rows).map((r) => r.id);
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    await jobs.enqueue('detect.calls', { callIds: chunk }, { jobId: `sweep:${chunk[0]}` });
  }
  return ids.length;
}
