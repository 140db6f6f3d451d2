/**
 * How one upstream attempt failed before anything reached the client, and what the policy may do next:
 * retry the same model, fall back to the next one, or neither.
 */
export type AttemptFailure =
  /** Connection refused or reset, or closed before the response head. */
  | { kind: 'connect'; code: string }
  /** No response head within the timeout (connect, headers or total). */
  | { kind: 'timeout'; code: string }
  /** A 429 or 5xx answer (held back from the client while another attempt could follow). */
  | { kind: 'status'; status: number; retryAfterMs: number | null }
  /** The provider's circuit is open: nothing was sent. */
  | { kind: 'breaker_open' };

/** Statuses held back while another attempt could follow: rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Whether the same model may be tried again: connect errors and timeouts before the head (after a
 * backoff), and 429/5xx answers that said when to come back within the cap.
 */
export function retryDelayMs(f: AttemptFailure, retry: number, s: { backoffMs: number; maxRetryAfterMs: number }): number | null {
  if (f.kind === 'connect' || f.kind === 'timeout') return s.backoffMs * 2 ** retry;
  if (f.kind === 'status' && f.retryAfterMs !== null && f.retryAfterMs <= s.maxRetryAfterMs) return f.retryAfterMs;
  return null;
}

/** Whether the failure counts against the provider's health (429 is the caller's quota, not an outage). */
export function countsAsProviderFailure(f: AttemptFailure): boolean {
  return f.kind === 'connect' || f.kind === 'timeout' || (f.kind === 'status' && f.status >= 500);
}
