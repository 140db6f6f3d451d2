import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AttemptFailure, UpstreamFailure } from '../../providers/index.ts';
import type { CallContext } from './call-context.ts';
import { sendError, type ErrorDialect } from './respond.ts';

/**
 * How one upstream attempt ended. `answered`: the client has its answer (or went away) and the call
 * is finished. `failed`: nothing reached the client; `answer()` sends what the failure was (the
 * upstream's held-back error, or the gateway's) and finishes the call, unless another attempt follows.
 */
export type AttemptResult =
  | { kind: 'answered' }
  | { kind: 'failed'; failure: AttemptFailure; httpStatus: number | null; answer: () => void };

export const ANSWERED: AttemptResult = { kind: 'answered' };

/** Answers the client with the gateway's error for an upstream failure (nothing when it went away) and finishes the call. */
export function finishWithFailure(ctx: CallContext, res: ServerResponse, failure: UpstreamFailure, dialect: ErrorDialect, headers: OutgoingHttpHeaders): void {
  ctx.httpStatus = failure.status === 'client_abort' ? 499 : failure.error.status;
  if (failure.status !== 'client_abort') ctx.responseBody = sendError(res, failure.error, dialect, headers);
  ctx.finish(failure.status, failure.message);
}

/** What an attempt runs under: whether a retryable failure is held back, and its timeouts. */
export interface AttemptOptions {
  /** Hold back 429/5xx answers and connection failures (another attempt may follow). */
  hold: boolean;
  headersMs: number;
  idleMs: number;
  totalMs: number | null;
}
