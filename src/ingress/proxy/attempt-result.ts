import type { AttemptFailure } from '../../providers/index.ts';

/**
 * How one upstream attempt ended. `answered`: the client has its answer (or went away) and the call
 * is finished. `failed`: nothing reached the client; `answer()` sends what the failure was (the
 * upstream's held-back error, or the gateway's) and finishes the call, unless another attempt follows.
 */
export type AttemptResult =
  | { kind: 'answered' }
  | { kind: 'failed'; failure: AttemptFailure; httpStatus: number | null; answer: () => void };

/** What an attempt runs under: whether a retryable failure is held back, and its timeouts. */
export interface AttemptOptions {
  /** Hold back 429/5xx answers and connection failures (another attempt may follow). */
  hold: boolean;
  headersMs: number;
  idleMs: number;
  totalMs: number | null;
}
