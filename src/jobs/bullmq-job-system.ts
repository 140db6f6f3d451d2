import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';
import { assertJobName, parseJobPayload, type JobName, type JobPayload } from './contracts.ts';
import {
  abortGraceMs,
  checkSchedule,
  defaultCloseDeadlineMs,
  resolveHandleOptions,
  resolveJobOptions,
  runJob,
  settleWithin,
  type ResolvedHandleOptions,
  type ResolvedJobOptions,
  type RunDeps,
  type StoredHandler,
} from './job-runner.ts';
import type { HandleOptions, JobCounts, JobHandler, JobMetricsHooks, JobOptions, JobSystem } from './job-system.ts';
import { createRedisClients, throttledErrorLog, unavailable, type RedisClients } from './redis-clients.ts';

/** How soon a worker retries fetching or finishing a job after a Redis connection error. */
const workerRetryDelayMs = 1000;
/** Schedules are re-asserted at least this often (and at once when Redis comes back). */
const scheduleHealMaxMs = 30_000;

type FixpointQueue = Queue<unknown, void, string>;
type FixpointWorker = Worker<unknown, void, string>;
type FixpointJob = Job<unknown, void, string>;

interface Registered {
  fn: StoredHandler;
  opts: ResolvedHandleOptions;
}

/**
 * Removal is explicit: completed jobs are kept an hour (at most 1000) for inspection, failed
 * ones a week. Dedupe uses BullMQ's `deduplication: { id }` ("simple mode": the key lives until
 * the job completes or finally fails), not a custom jobId: a custom jobId would keep blocking
 * later enqueues for as long as the completed or failed job is retained.
 */
function retention(opts: ResolvedJobOptions): Pick<JobsOptions, 'attempts' | 'backoff' | 'removeOnComplete' | 'removeOnFail'> {
  return {
    attempts: opts.attempts,
    backoff: { type: 'exponential', delay: opts.backoffMs },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

function jobsOptions(opts: ResolvedJobOptions): JobsOptions {
  return {
    ...retention(opts),
    delay: opts.delayMs,
    ...(opts.dedupeId === undefined ? {} : { deduplication: { id: opts.dedupeId } }),
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** The job system on BullMQ: one Queue per job name (lazy), one Worker per registered handler. */
class BullmqJobSystem implements JobSystem {
  readonly kind = 'bullmq';
  private readonly logger: Logger;
  private readonly redis: RedisClients;
  private readonly runDeps: RunDeps;
  private readonly abort = new AbortController();
  private readonly queues = new Map<JobName, Promise<FixpointQueue>>();
  private readonly handlers = new Map<JobName, Registered>();
  private readonly workers = new Map<JobName, FixpointWorker>();
  private started = false;
  private closing: Promise<void> | undefined;
  /** Every schedule asked for, so it can be asserted again (see healSchedules). */
  private readonly schedules = new Map<string, { name: JobName; data: unknown; everyMs: number }>();
  private healTimer: NodeJS.Timeout | undefined;

  /** Whether close() closes the Redis clients (its own) or leaves them to their owner (shared). */
  private readonly ownsRedis: boolean;

  constructor(
    redis: RedisClients | string,
    private readonly prefix: string,
    logger: Logger,
    hooks: JobMetricsHooks | undefined,
  ) {
    this.logger = logger.child({ component: 'jobs', jobSystem: 'bullmq' });
    this.ownsRedis = typeof redis === 'string';
    this.redis = typeof redis === 'string' ? createRedisClients(redis, this.logger) : redis;
    this.runDeps = { logger: this.logger, hooks };
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts?: JobOptions): Promise<void> {
    const data = parseJobPayload(name, payload);
    const resolved = resolveJobOptions(opts);
    await this.withQueue(name, (queue) => queue.add(name, data, jobsOptions(resolved)));
  }

  async schedule<N extends JobName>(schedulerId: string, name: N, payload: JobPayload<N>, everyMs: number): Promise<void> {
    checkSchedule(schedulerId, everyMs);
    const data = parseJobPayload(name, payload);
    this.schedules.set(schedulerId, { name, data, everyMs });
    this.startHealing();
    await this.upsertSchedule(schedulerId, name, data, everyMs);
  }

  private async upsertSchedule(schedulerId: string, name: JobName, data: unknown, everyMs: number): Promise<void> {
    const template = { name, data, opts: retention(resolveJobOptions()) };
    await this.withQueue(name, (queue) => queue.upsertJobScheduler(schedulerId, { every: everyMs }, template));
  }

  /**
   * A scheduler's next run is created when its current one starts; a Redis drop at that moment can
   * lose it, and the schedule would silently stop. So schedules are asserted again periodically and
   * whenever the producer reconnects (upserting an existing schedule changes nothing).
   */
  private startHealing(): void {
    if (this.healTimer) return;
    const heal = (): void => {
      if (this.closing) return;
      for (const [id, s] of this.schedules) {
        this.upsertSchedule(id, s.name, s.data, s.everyMs).catch(() => undefined);
      }
    };
    const shortest = Math.min(...[...this.schedules.values()].map((s) => s.everyMs));
    this.healTimer = setInterval(heal, Math.min(scheduleHealMaxMs, Math.max(1000, shortest * 10)));
    this.healTimer.unref();
    this.redis.producer.on('ready', heal);
  }

  handle<N extends JobName>(name: N, handler: JobHandler<N>, opts?: HandleOptions): void {
    assertJobName(name);
    if (this.handlers.has(name)) throw new AppError('invalid_request', `a handler for ${name} is already registered`, { param: 'name' });
    // Safe: the runner validates the payload against this name's contract before calling.
    const registered = { fn: handler as StoredHandler, opts: resolveHandleOptions(opts) };
    this.handlers.set(name, registered);
    if (this.started && !this.closing) this.workers.set(name, this.createWorker(name, registered));
  }

  /** Creates the workers and resolves once they are connected (it waits while Redis is down). */
  async start(): Promise<void> {
    this.assertOpen();
    this.started = true;
    for (const [name, registered] of this.handlers) {
      if (!this.workers.has(name)) this.workers.set(name, this.createWorker(name, registered));
    }
    await Promise.all([...this.workers.values()].map((worker) => worker.waitUntilReady()));
  }

  close(deadlineMs: number = defaultCloseDeadlineMs): Promise<void> {
    this.closing ??= this.shutdown(deadlineMs);
    return this.closing;
  }

  async counts(name: JobName): Promise<JobCounts> {
    assertJobName(name);
    const c = await this.withQueue(name, (queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'));
    return {
      waiting: c.waiting ?? 0,
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      failed: c.failed ?? 0,
      completed: c.completed ?? 0,
    };
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError('overloaded', 'the job system is closed');
  }

  /** One Queue per job name, created on first use; a queue whose start failed is forgotten. */
  private queueFor(name: JobName): Promise<FixpointQueue> {
    const existing = this.queues.get(name);
    if (existing) return existing;
    const queue: FixpointQueue = new Queue(name, { connection: this.redis.producer, prefix: this.prefix });
    queue.on('error', throttledErrorLog(this.logger, `queue:${name}`));
    const ready = queue.waitUntilReady().then(
      () => queue,
      async (err: unknown) => {
        this.queues.delete(name);
        await queue.close().catch(() => undefined);
        throw err;
      },
    );
    this.queues.set(name, ready);
    return ready;
  }

  /** Runs a producer-side operation; Redis trouble becomes AppError('overloaded'), never a hang. */
  private async withQueue<T>(name: JobName, op: (queue: FixpointQueue) => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      await this.redis.ensureProducerReady();
      return await op(await this.queueFor(name));
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw unavailable(err);
    }
  }

  private createWorker(name: JobName, registered: Registered): FixpointWorker {
    // Three parameters: BullMQ passes the per-job AbortSignal only to processors declaring it.
    const processor = async (job: FixpointJob, _token: string | undefined, signal: AbortSignal | undefined): Promise<void> => {
      const run = {
        name,
        id: job.id ?? '',
        attempt: job.attemptsMade + 1,
        attempts: job.opts.attempts ?? 1,
        data: job.data,
        signal: signal ? AbortSignal.any([signal, this.abort.signal]) : this.abort.signal,
      };
      const outcome = await runJob(run, registered.fn, this.runDeps);
      if (outcome.ok) return;
      // An invalid payload would fail the same way on every attempt: fail it for good.
      throw outcome.invalidPayload ? new UnrecoverableError(asError(outcome.error).message) : asError(outcome.error);
    };
    const { concurrency, limiter } = registered.opts;
    const worker: FixpointWorker = new Worker(name, processor, {
      connection: this.redis.workerTemplate,
      prefix: this.prefix,
      concurrency,
      // BullMQ waits runRetryDelay (default 15 s) before retrying a loop step that hit a
      // connection error; two such waits after a short Redis blip left workers idle for 30 s.
      // One second matches the clients' reconnect backoff (capped at 2 s).
      runRetryDelay: workerRetryDelayMs,
      ...(limiter ? { limiter: { max: limiter.max, duration: limiter.durationMs } } : {}),
    });
    worker.on('error', throttledErrorLog(this.logger, `worker:${name}`));
    return worker;
  }

  /** Closes workers (waiting for active jobs up to the deadline), then queues, then its own clients. */
  private async shutdown(deadlineMs: number): Promise<void> {
    if (this.healTimer) clearInterval(this.healTimer);
    const workers = [...this.workers.values()];
    const workersClosed = Promise.allSettled(workers.map((worker) => worker.close()));
    if (!(await settleWithin(workersClosed, deadlineMs))) {
      this.logger.warn({ deadlineMs }, 'close deadline passed with jobs still running; aborting them');
      this.abort.abort(new Error('job system closing'));
      for (const worker of workers) worker.cancelAllJobs('job system closing');
      if (!(await settleWithin(workersClosed, abortGraceMs))) {
        // Their locks lapse and the stalled-job check hands them to another worker.
        this.logger.warn('jobs still running after abort; disconnecting their workers');
        await Promise.allSettled(workers.map((worker) => worker.disconnect()));
      }
    }
    const queues = await Promise.allSettled([...this.queues.values()]);
    await Promise.allSettled(queues.map((q) => (q.status === 'fulfilled' ? q.value.close() : undefined)));
    if (this.ownsRedis) await this.redis.close();
  }
}

/** `redis`: shared clients (closed by their owner), or a URL to open clients of its own on (closed with it). */
export function createBullmqJobSystem(deps: { redis: RedisClients | string; prefix: string; logger: Logger; hooks?: JobMetricsHooks }): JobSystem {
  return new BullmqJobSystem(deps.redis, deps.prefix, deps.logger, deps.hooks);
}
