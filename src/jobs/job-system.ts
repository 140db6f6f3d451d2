import type { Logger } from 'pino';
import type { JobName, JobPayload } from './contracts.ts';
import type { RedisClients } from './redis-clients.ts';

export interface JobOptions {
  /**
   * Deduplication id, scoped to the job name: a second enqueue with the same id while the
   * first job is waiting, delayed (including between retries) or active is a no-op. Once that
   * job completes or fails for good, the id is free again, so a later enqueue runs.
   */
  jobId?: string;
  /** Wait this long before the first attempt. Default 0. */
  delayMs?: number;
  /** Total attempts, the first included. Default 5. */
  attempts?: number;
  /** Exponential backoff base: retry n waits backoffMs * 2^(n-1). Default 1000. */
  backoffMs?: number;
}

export interface JobContext {
  /** This run's job id (unique per enqueue; not the deduplication id). */
  jobId: string;
  /** 1-based: 1 on the first try, 2 on the first retry, ... */
  attempt: number;
  /** Aborted when close() gives up waiting (its deadline passed) while this job still runs. */
  signal: AbortSignal;
}

export type JobHandler<N extends JobName> = (payload: JobPayload<N>, ctx: JobContext) => Promise<void>;

export interface HandleOptions {
  /** Jobs of this name run at most this many at a time in this process. Default 1. */
  concurrency?: number;
  /** At most `max` job starts per `durationMs` (BullMQ: per queue, across all workers). */
  limiter?: { max: number; durationMs: number };
}

export interface JobCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

export interface JobSystem {
  readonly kind: 'bullmq' | 'in-process';
  /**
   * Validates the payload with its zod contract (AppError 'invalid_request' naming the field)
   * and enqueues it. Rejects (AppError 'overloaded') rather than waits when Redis is down.
   */
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts?: JobOptions): Promise<void>;
  /**
   * Repeat a job every everyMs, the first run right away. Idempotent: calling it again with
   * the same schedulerId (scoped to the job name) updates the schedule, never duplicates it.
   */
  schedule<N extends JobName>(schedulerId: string, name: N, payload: JobPayload<N>, everyMs: number): Promise<void>;
  /** Register a handler; jobs are processed only in processes that registered one and called start(). */
  handle<N extends JobName>(name: N, handler: JobHandler<N>, opts?: HandleOptions): void;
  start(): Promise<void>;
  /** Stop taking jobs, wait for active ones up to the deadline, close connections. */
  close(deadlineMs?: number): Promise<void>;
  /** Counts for /metrics and tests. */
  counts(name: JobName): Promise<JobCounts>;
}

export interface JobMetricsHooks {
  /** A job's handler resolved; seconds is the handler's run time. */
  onCompleted?(name: string, seconds: number): void;
  /** A handler rejected (or its payload was invalid); final when no retry follows. */
  onFailed?(name: string, final: boolean): void;
}

export interface CreateJobSystemOptions {
  /** BullMQ on these shared clients when set; their owner closes them (after the job system). */
  redis?: RedisClients;
  /** Otherwise BullMQ on clients of its own to this Redis, closed with the job system; in-process without either. */
  redisUrl?: string;
  /** BullMQ key prefix, default 'fixpoint'; tests use a unique one. */
  prefix?: string;
  logger: Logger;
  hooks?: JobMetricsHooks;
}
