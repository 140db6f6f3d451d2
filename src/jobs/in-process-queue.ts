import type { JobName } from './contracts.ts';
import type { JobCounts } from './job-system.ts';
import {
  backoffDelay,
  runJob,
  type ResolvedHandleOptions,
  type RunDeps,
  type StoredHandler,
} from './job-runner.ts';

/** One job waiting, delayed or running in memory. */
export interface QueuedJob {
  id: string;
  payload: unknown;
  /** Internal dedupe key (user jobId or scheduler id, namespaced), freed when the job settles for good. */
  dedupeKey: string | undefined;
  /** Attempts started so far. */
  attempt: number;
  attempts: number;
  backoffMs: number;
}

/**
 * The in-memory queue for one job name: waiting list, delayed timers (delay and backoff),
 * a concurrency cap, an optional sliding-window rate limiter and dedupe keys. Nothing here
 * survives the process; timers are unref'd so they never keep it alive.
 */
export class InProcessQueue {
  private readonly waiting: QueuedJob[] = [];
  private readonly delayed = new Map<QueuedJob, NodeJS.Timeout>();
  private readonly dedupe = new Set<string>();
  private readonly active = new Set<Promise<void>>();
  private readonly recentStarts: number[] = [];
  private limiterTimer: NodeJS.Timeout | undefined;
  private handler: { fn: StoredHandler; opts: ResolvedHandleOptions } | undefined;
  private running = false;
  private stopped = false;
  private completed = 0;
  private failed = 0;

  constructor(
    private readonly name: JobName,
    private readonly deps: RunDeps & { signal: AbortSignal },
  ) {}

  setHandler(fn: StoredHandler, opts: ResolvedHandleOptions): void {
    this.handler = { fn, opts };
  }

  get hasHandler(): boolean {
    return this.handler !== undefined;
  }

  /** Adds a job unless its dedupe key is pending; returns false when it was a duplicate. */
  add(job: QueuedJob, delayMs: number): boolean {
    if (this.stopped) return false;
    if (job.dedupeKey !== undefined) {
      if (this.dedupe.has(job.dedupeKey)) return false;
      this.dedupe.add(job.dedupeKey);
    }
    if (delayMs > 0) this.delay(job, delayMs);
    else {
      this.waiting.push(job);
      this.pump();
    }
    return true;
  }

  /** Gives a waiting or delayed job with this dedupe key a new payload; false when there is none. */
  updatePending(dedupeKey: string, payload: unknown): boolean {
    const job = [...this.waiting, ...this.delayed.keys()].find((pending) => pending.dedupeKey === dedupeKey);
    if (job) job.payload = payload;
    return job !== undefined;
  }

  start(): void {
    if (this.stopped) return;
    this.running = true;
    this.pump();
  }

  /** Stops taking jobs, drops the pending ones; resolves when the active ones have settled. */
  stop(): { dropped: number; idle: Promise<void> } {
    this.running = false;
    this.stopped = true;
    for (const timer of this.delayed.values()) clearTimeout(timer);
    clearTimeout(this.limiterTimer);
    const dropped = this.waiting.length + this.delayed.size;
    this.waiting.length = 0;
    this.delayed.clear();
    return { dropped, idle: Promise.all([...this.active]).then(() => undefined) };
  }

  counts(): JobCounts {
    return {
      waiting: this.waiting.length,
      active: this.active.size,
      delayed: this.delayed.size,
      failed: this.failed,
      completed: this.completed,
    };
  }

  private delay(job: QueuedJob, ms: number): void {
    const timer = setTimeout(() => {
      this.delayed.delete(job);
      this.waiting.push(job);
      this.pump();
    }, ms);
    timer.unref();
    this.delayed.set(job, timer);
  }

  private pump(): void {
    const handler = this.handler;
    if (!this.running || !handler) return;
    while (this.active.size < handler.opts.concurrency && this.waiting.length > 0) {
      const wait = this.takeLimiterSlot(handler.opts.limiter, Date.now());
      if (wait > 0) {
        this.armLimiter(wait);
        return;
      }
      const job = this.waiting.shift();
      if (!job) return;
      const settled: Promise<void> = this.execute(job, handler.fn)
        .catch((err: unknown) => this.deps.logger.error({ job: this.name, jobId: job.id, err }, 'in-process job bookkeeping failed'))
        .finally(() => {
          this.active.delete(settled);
          this.pump();
        });
      this.active.add(settled);
    }
  }

  /** Takes a start slot and returns 0, or returns the milliseconds until one frees up. */
  private takeLimiterSlot(limiter: ResolvedHandleOptions['limiter'], now: number): number {
    if (!limiter) return 0;
    while (this.recentStarts.length > 0 && (this.recentStarts[0] ?? 0) <= now - limiter.durationMs) {
      this.recentStarts.shift();
    }
    if (this.recentStarts.length < limiter.max) {
      this.recentStarts.push(now);
      return 0;
    }
    return Math.max(1, (this.recentStarts[0] ?? now) + limiter.durationMs - now);
  }

  private armLimiter(ms: number): void {
    if (this.limiterTimer) return;
    this.limiterTimer = setTimeout(() => {
      this.limiterTimer = undefined;
      this.pump();
    }, ms);
    this.limiterTimer.unref();
  }

  /** Runs one attempt and files the job as completed, failed or delayed for retry. Never rejects. */
  private async execute(job: QueuedJob, fn: StoredHandler): Promise<void> {
    job.attempt += 1;
    const outcome = await runJob(
      { name: this.name, id: job.id, attempt: job.attempt, attempts: job.attempts, data: job.payload, signal: this.deps.signal },
      fn,
      this.deps,
    );
    if (outcome.ok) this.completed += 1;
    else if (outcome.final) this.failed += 1;
    else if (!this.stopped) {
      this.delay(job, backoffDelay(job.backoffMs, job.attempt));
      return;
    }
    if (job.dedupeKey !== undefined) this.dedupe.delete(job.dedupeKey);
  }
}
