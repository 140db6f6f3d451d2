import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { AppError } from '../../core/errors.ts';
import { isUuid, newUuidV7 } from '../../core/ids.ts';
import { optimizationRuns, patterns, type Db } from '../../db/index.ts';
import type { JobSystem } from '../../jobs/index.ts';

/** POST /api/patterns/:id/optimize: start a prompt optimization run for a pattern (a background job). */
export function optimizeTriggerApi(db: Db, jobs: JobSystem): Hono {
  const app = new Hono();
  app.post('/:id/optimize', async (c) => {
    const id = c.req.param('id');
    if (!isUuid(id)) throw new AppError('invalid_request', 'id: must be a pattern id', { param: 'id' });
    const [p] = await db.select().from(patterns).where(eq(patterns.id, id));
    if (!p) throw new AppError('not_found', `no pattern ${id}`, { param: 'id' });
    if (p.mergedInto) throw new AppError('invalid_request', `pattern ${id} was merged into ${p.mergedInto}`, { param: 'id' });
    // A queued row and a job: the optimization stage picks the run up from there.
    const runId = newUuidV7();
    await db.insert(optimizationRuns).values({ id: runId, patternId: p.id, component: p.component, status: 'queued', trigger: 'manual' });
    await jobs.enqueue('optimize.run', { runId }, { jobId: `optimize:${runId}` });
    return c.json({ id: runId, pattern_id: p.id, component: p.component, status: 'queued' }, 202);
  });
  return app;
}

/** GET /api/optimizations/:id: the run — candidates, scores per set and model, the gate, the winner, cost, time. */
export function optimizationsApi(db: Db): Hono {
  const app = new Hono();
  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    if (!isUuid(id)) throw new AppError('invalid_request', 'id: must be an optimization run id', { param: 'id' });
    const [run] = await db.select().from(optimizationRuns).where(eq(optimizationRuns.id, id));
    if (!run) throw new AppError('not_found', `no optimization run ${id}`, { param: 'id' });
    const seconds = run.startedAt ? ((run.finishedAt ?? new Date()).getTime() - run.startedAt.getTime()) / 1000 : null;
    return c.json({ ...run, seconds });
  });
  return app;
}
