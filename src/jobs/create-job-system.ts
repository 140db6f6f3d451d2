import { createBullmqJobSystem } from './bullmq-job-system.ts';
import { createInProcessJobSystem } from './in-process-job-system.ts';
import type { CreateJobSystemOptions, JobSystem } from './job-system.ts';

export const defaultJobPrefix = 'fixpoint';

/** BullMQ when Redis is configured, in-process otherwise. Connects nothing until first use. */
export function createJobSystem(opts: CreateJobSystemOptions): JobSystem {
  if (opts.redisUrl) {
    return createBullmqJobSystem({
      redisUrl: opts.redisUrl,
      prefix: opts.prefix ?? defaultJobPrefix,
      logger: opts.logger,
      ...(opts.hooks ? { hooks: opts.hooks } : {}),
    });
  }
  return createInProcessJobSystem({ logger: opts.logger, ...(opts.hooks ? { hooks: opts.hooks } : {}) });
}
