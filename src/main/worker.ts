import type { Config } from '../config/index.ts';
import { buildCoreDeps, type BuildOptions, type CoreDeps } from './deps.ts';
import { registerJobHandlers, scheduleRecurringJobs } from './job-handlers.ts';

export interface RunningWorker {
  deps: CoreDeps;
  close(deadlineMs?: number): Promise<void>;
}

/** `fixpoint worker`: runs background jobs from BullMQ (needs REDIS_URL). */
export async function startWorker(config: Config, opts: BuildOptions = {}): Promise<RunningWorker> {
  if (!config.env.REDIS_URL) throw new Error('fixpoint worker needs REDIS_URL; without Redis, `fixpoint serve` runs the jobs in-process');
  const deps = await buildCoreDeps(config, opts);
  registerJobHandlers(deps.jobs, { db: deps.database.db, logger: deps.logger });
  await scheduleRecurringJobs(deps.jobs, config);
  await deps.jobs.start();
  deps.logger.info({ jobs: deps.jobs.kind }, 'fixpoint worker running');
  return {
    deps,
    async close(deadlineMs = config.env.FIXPOINT_DRAIN_TIMEOUT_MS) {
      await deps.jobs.close(deadlineMs);
      await deps.database.close();
    },
  };
}
