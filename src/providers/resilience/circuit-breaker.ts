/** The states of a circuit, as the breaker-state gauge reports them. */
export const breakerStates = { closed: 0, half_open: 1, open: 2 } as const;
export type BreakerState = keyof typeof breakerStates;

export interface BreakerSettings {
  /** Consecutive failures that open the circuit; 0: never opens. */
  failureThreshold: number;
  openMs: number;
  halfOpenProbes: number;
}

/**
 * One provider's circuit breaker. Closed: calls go through and consecutive failures are counted;
 * at the threshold it opens. Open: calls are refused (the caller falls back or answers 503) until
 * `openMs` has passed, then it is half-open: up to `halfOpenProbes` calls at once go through as
 * probes; a probe's success closes it, a failure opens it again for another `openMs`.
 * `now` is injectable for unit tests.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probes = 0;

  constructor(
    private readonly s: BreakerSettings,
    private readonly onChange: (state: BreakerState) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.s.openMs) this.become('half_open');
    return this.current;
  }

  /** Whether an attempt may go to the provider now; a true while half-open takes a probe slot (give it back with success or failure). */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.probes >= this.s.halfOpenProbes) return false;
    this.probes++;
    return true;
  }

  /** The provider answered (any status below 500, 429 aside: see `neutral`). */
  success(): void {
    this.failures = 0;
    if (this.current === 'half_open') {
      this.probes = Math.max(0, this.probes - 1);
      this.become('closed');
    }
  }

  /** A connect error, timeout or 5xx. */
  failure(): void {
    if (this.current === 'half_open') {
      this.probes = Math.max(0, this.probes - 1);
      this.trip();
      return;
    }
    this.failures++;
    if (this.s.failureThreshold > 0 && this.current === 'closed' && this.failures >= this.s.failureThreshold) this.trip();
  }

  /** An attempt that says nothing about the provider's health (429, the client went away): frees its probe slot. */
  neutral(): void {
    if (this.current === 'half_open') this.probes = Math.max(0, this.probes - 1);
  }

  private trip(): void {
    this.failures = 0;
    this.openedAt = this.now();
    this.become('open');
  }

  private become(state: BreakerState): void {
    if (state === this.current) return;
    this.current = state;
    if (state !== 'half_open') this.probes = 0;
    this.onChange(state);
  }
}
