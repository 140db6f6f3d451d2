/**
 * Work that shares a thread with proxied calls, cut into slices: once a slice has run `ms`, the work
 * lets the event loop have a turn (the calls' I/O first) and starts a new slice, so a call waits
 * at most one slice behind it.
 *
 *   const slice = new TimeSlice(0.5);
 *   for (const item of items) {
 *     if (slice.spent) await slice.yield();
 *     work(item);
 *   }
 */
export class TimeSlice {
  private start = performance.now();

  constructor(private readonly ms: number) {}

  get spent(): boolean {
    return performance.now() - this.start > this.ms;
  }

  /** A turn of the event loop (setImmediate: after pending I/O), then a new slice. */
  async yield(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.start = performance.now();
  }
}
