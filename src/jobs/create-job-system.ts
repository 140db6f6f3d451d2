import { createBullmqJobSystem } from './bullmq-job-system.ts';
import { createInProcessJobSystem } from './in-process-job-system.ts';
import type { CreateJobSystemOptions, JobSystem } from './job-system.ts';

export const defaultJobPrefix = 'fixpoint';

/** BullMQ when Redis is configured (shared clients or a URL), in-process otherwise. Connects nothing until first use. */
export function createJobSystem(opts: CreateJobSystemOptions): JobSystem {
  const redis = opts.redis ?? opts.redisUrl;
  if (redis) {
    return createBullmqJobSystem({
      redis,
      prefix: opts.prefix ?? defaultJobPrefix,
      logger: opts.logger,
      ...(opts.hooks ? { hooks: opts.hooks } : {}),
    });
  }
  return createInProcessJobSystem({ logger: opts.logger, ...(opts.hooks ? { hooks: opts.hooks } : {}) });
}
