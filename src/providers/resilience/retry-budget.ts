/**
 * A provider's retry budget, a token bucket: it holds `burst` tokens at most and starts full; each
 * first attempt adds `ratio` of a token, each retry spends one. During an outage retries stop once the
 * bucket is empty, so they add at most `ratio` of the traffic (plus `burst`) to a provider already failing.
 */
export class RetryBudget {
  private tokens: number;

  constructor(
    private readonly ratio: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** A first attempt went to the provider. */
  deposit(): void {
    this.tokens = Math.min(this.burst, this.tokens + this.ratio);
  }

  /** Takes a token for one retry; false when the budget is spent. */
  trySpend(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
