export { jobContracts, isJobName, notifyJobOptions, type JobName, type JobPayload } from './contracts.ts';
export type {
  CreateJobSystemOptions,
  HandleOptions,
  JobContext,
  JobCounts,
  JobHandler,
  JobMetricsHooks,
  JobOptions,
  JobSystem,
} from './job-system.ts';
export { createJobSystem, defaultJobPrefix } from './create-job-system.ts';
export { createRedisClients, type RedisClients } from './redis-clients.ts';
