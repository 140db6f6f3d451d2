import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';
import { assertJobName, parseJobPayload, type JobName, type JobPayload } from './contracts.ts';
import { InProcessQueue } from './in-process-queue.ts';
import {
  abortGraceMs,
  checkSchedule,
  defaultCloseDeadlineMs,
  resolveHandleOptions,
  resolveJobOptions,
  settleWithin,
  type ResolvedJobOptions,
  type StoredHandler,
} from './job-runner.ts';
import type { HandleOptions, JobCounts, JobHandler, JobMetricsHooks, JobOptions, JobSystem } from './job-system.ts';

/**
 * The job system without Redis: the same contract as the BullMQ one, in memory. Pending jobs
 * do not survive the process (close() drops them and logs how many); everything else matches:
 * validation, dedupe while pending or active, attempts with exponential backoff, delay,
 * per-handler concurrency and rate limit, schedules on unref'd timers.
 */
class InProcessJobSystem implements JobSystem {
  readonly kind = 'in-process';
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private readonly queues = new Map<JobName, InProcessQueue>();
  private readonly schedules = new Map<string, NodeJS.Timeout>();
  private started = false;
  private closing: Promise<void> | undefined;
  private seq = 0;

  constructor(
    logger: Logger,
    private readonly hooks: JobMetricsHooks | undefined,
  ) {
    this.logger = logger.child({ component: 'jobs', jobSystem: 'in-process' });
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts?: JobOptions): Promise<void> {
    const data = parseJobPayload(name, payload);
    const resolved = resolveJobOptions(opts);
    this.assertOpen();
    this.add(name, data, resolved.dedupeId === undefined ? undefined : `job:${resolved.dedupeId}`, resolved);
  }

  async schedule<N extends JobName>(schedulerId: string, name: N, payload: JobPayload<N>, everyMs: number): Promise<void> {
    checkSchedule(schedulerId, everyMs);
    const data = parseJobPayload(name, payload);
    this.assertOpen();
    const key = JSON.stringify([name, schedulerId]);
    clearInterval(this.schedules.get(key));
    const defaults = resolveJobOptions();
    const dedupeKey = `schedule:${schedulerId}`;
    // One pending iteration at most: a tick while the last one still waits or runs is a no-op.
    const fire = (): void => this.add(name, data, dedupeKey, defaults);
    // Like BullMQ's upsert, an iteration not yet started takes the updated payload.
    this.queueFor(name).updatePending(dedupeKey, JSON.parse(JSON.stringify(data)));
    fire();
    const timer = setInterval(fire, everyMs);
    timer.unref();
    this.schedules.set(key, timer);
  }

  handle<N extends JobName>(name: N, handler: JobHandler<N>, opts?: HandleOptions): void {
    assertJobName(name);
    const queue = this.queueFor(name);
    if (queue.hasHandler) throw new AppError('invalid_request', `a handler for ${name} is already registered`, { param: 'name' });
    // Safe: the runner validates the payload against this name's contract before calling.
    queue.setHandler(handler as StoredHandler, resolveHandleOptions(opts));
    if (this.started && !this.closing) queue.start();
  }

  async start(): Promise<void> {
    this.assertOpen();
    this.started = true;
    for (const queue of this.queues.values()) if (queue.hasHandler) queue.start();
  }

  close(deadlineMs: number = defaultCloseDeadlineMs): Promise<void> {
    this.closing ??= this.shutdown(deadlineMs);
    return this.closing;
  }

  async counts(name: JobName): Promise<JobCounts> {
    assertJobName(name);
    return this.queueFor(name).counts();
  }

  private queueFor(name: JobName): InProcessQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new InProcessQueue(name, { logger: this.logger, hooks: this.hooks, signal: this.abort.signal });
      this.queues.set(name, queue);
    }
    return queue;
  }

  private assertOpen(): void {
    if (this.closing) throw new AppError('overloaded', 'the job system is closed');
  }

  /** Payloads travel as JSON, as they do through Redis, so both implementations see the same data. */
  private add(name: JobName, data: unknown, dedupeKey: string | undefined, opts: ResolvedJobOptions): void {
    this.seq += 1;
    const payload: unknown = JSON.parse(JSON.stringify(data));
    const job = { id: String(this.seq), payload, dedupeKey, attempt: 0, attempts: opts.attempts, backoffMs: opts.backoffMs };
    this.queueFor(name).add(job, opts.delayMs);
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    for (const timer of this.schedules.values()) clearInterval(timer);
    this.schedules.clear();
    const stops = [...this.queues.values()].map((queue) => queue.stop());
    const dropped = stops.reduce((sum, stop) => sum + stop.dropped, 0);
    if (dropped > 0) this.logger.warn({ dropped }, 'pending in-process jobs dropped at close');
    const idle = Promise.all(stops.map((stop) => stop.idle));
    if (await settleWithin(idle, deadlineMs)) return;
    this.logger.warn({ deadlineMs }, 'close deadline passed with jobs still running; aborting them');
    this.abort.abort(new Error('job system closing'));
    await settleWithin(idle, abortGraceMs);
  }
}

export function createInProcessJobSystem(deps: { logger: Logger; hooks?: JobMetricsHooks }): JobSystem {
  return new InProcessJobSystem(deps.logger, deps.hooks);
}
