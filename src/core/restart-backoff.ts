/**
 * How long to wait before starting a thread again that died: 0.5 s, doubling while it keeps dying
 * before it serves, at most 10 s; back to 0.5 s once it serves. Shared by the recorder's thread and
 * the embedded database's thread.
 */
export class RestartBackoff {
  private nextMs: number;

  constructor(
    private readonly firstMs = 500,
    private readonly maxMs = 10_000,
  ) {
    this.nextMs = firstMs;
  }

  /** The delay before the next start; the one after it is twice as long (at most the maximum). */
  next(): number {
    const delay = this.nextMs;
    this.nextMs = Math.min(delay * 2, this.maxMs);
    return delay;
  }

  /** It serves again: the next restart waits the first delay. */
  reset(): void {
    this.nextMs = this.firstMs;
  }
}
