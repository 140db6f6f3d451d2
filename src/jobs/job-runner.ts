import type { Logger } from 'pino';
import { AppError } from '../core/errors.ts';
import { checkJobPayload, type JobName } from './contracts.ts';
import type { HandleOptions, JobContext, JobMetricsHooks, JobOptions } from './job-system.ts';

/** What both implementations share: option defaults and checks, and running one attempt. */

export const defaultAttempts = 5;
export const defaultBackoffMs = 1000;
export const defaultCloseDeadlineMs = 10_000;
/** After close()'s deadline aborts the running handlers, how long they get to settle. */
export const abortGraceMs = 250;

/** A handler with its payload type erased; payloads are validated before it is called. */
export type StoredHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

export interface ResolvedJobOptions {
  dedupeId: string | undefined;
  delayMs: number;
  attempts: number;
  backoffMs: number;
}

export interface ResolvedHandleOptions {
  concurrency: number;
  limiter: { max: number; durationMs: number } | undefined;
}

function invalid(param: string, message: string): AppError {
  return new AppError('invalid_request', `${param}: ${message}`, { param });
}

function checkInt(param: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw invalid(param, `must be an integer >= ${min}`);
  return value;
}

function checkNonNegative(param: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw invalid(param, 'must be a finite number >= 0');
  return value;
}

function checkId(param: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) {
    throw invalid(param, 'must be a non-empty string of at most 512 characters');
  }
  return value;
}

export function resolveJobOptions(opts: JobOptions = {}): ResolvedJobOptions {
  return {
    dedupeId: opts.jobId === undefined ? undefined : checkId('jobId', opts.jobId),
    delayMs: checkNonNegative('delayMs', opts.delayMs ?? 0),
    attempts: checkInt('attempts', opts.attempts ?? defaultAttempts, 1),
    backoffMs: checkNonNegative('backoffMs', opts.backoffMs ?? defaultBackoffMs),
  };
}

export function resolveHandleOptions(opts: HandleOptions = {}): ResolvedHandleOptions {
  const limiter = opts.limiter
    ? { max: checkInt('limiter.max', opts.limiter.max, 1), durationMs: checkInt('limiter.durationMs', opts.limiter.durationMs, 1) }
    : undefined;
  return { concurrency: checkInt('concurrency', opts.concurrency ?? 1, 1), limiter };
}

export function checkSchedule(schedulerId: string, everyMs: number): void {
  checkId('schedulerId', schedulerId);
  checkInt('everyMs', everyMs, 1);
}

/** BullMQ's exponential backoff: the wait before retry n (after attempt n failed) is base * 2^(n-1). */
export function backoffDelay(backoffMs: number, failedAttempt: number): number {
  return Math.round(backoffMs * 2 ** Math.max(0, failedAttempt - 1));
}

export interface JobRun {
  name: JobName;
  id: string;
  /** 1-based. */
  attempt: number;
  attempts: number;
  data: unknown;
  signal: AbortSignal;
}

export type JobOutcome = { ok: true } | { ok: false; final: boolean; error: unknown; invalidPayload: boolean };

export interface RunDeps {
  logger: Logger;
  hooks: JobMetricsHooks | undefined;
}

function callHook(logger: Logger, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    logger.error({ err }, 'job metrics hook threw');
  }
}

/**
 * Runs one attempt: re-validates the payload, calls the handler, reports to the hooks and logs.
 * Never rejects; the outcome says what happened and whether a retry follows.
 */
export async function runJob(run: JobRun, handler: StoredHandler, deps: RunDeps): Promise<JobOutcome> {
  const { logger, hooks } = deps;
  const log = { job: run.name, jobId: run.id, attempt: run.attempt, attempts: run.attempts };
  const checked = checkJobPayload(run.name, run.data);
  if (!checked.ok) {
    logger.error({ ...log, param: checked.param }, 'job payload invalid; failing without retry');
    callHook(logger, () => hooks?.onFailed?.(run.name, true));
    return { ok: false, final: true, invalidPayload: true, error: new Error(`invalid payload: ${checked.message}`) };
  }
  const started = performance.now();
  try {
    await handler(checked.data, { jobId: run.id, attempt: run.attempt, signal: run.signal });
  } catch (error) {
    const final = run.attempt >= run.attempts;
    logger.warn({ ...log, final, err: error }, final ? 'job failed; no attempts left' : 'job failed; will retry');
    callHook(logger, () => hooks?.onFailed?.(run.name, final));
    return { ok: false, final, invalidPayload: false, error };
  }
  const seconds = (performance.now() - started) / 1000;
  logger.debug({ ...log, seconds }, 'job completed');
  callHook(logger, () => hooks?.onCompleted?.(run.name, seconds));
  return { ok: true };
}

/** Resolves true when the promise settles within ms, false when the time runs out first. */
export function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, ms));
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}
