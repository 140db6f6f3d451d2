import { describe, expect, it } from 'vitest';
import { TimeSlice } from './time-slice.ts';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('TimeSlice', () => {
  it('lets the event loop run between slices of work, and not within one', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('io'));
    const slice = new TimeSlice(1);
    for (let i = 0; i < 8; i++) {
      if (slice.spent) await slice.yield();
      order.push(`w${i}`);
      busy(0.4);
    }
    const io = order.indexOf('io');
    // Three items (1.2 ms) spend the first slice: the waiting callback runs right after them, not at the end.
    expect(io).toBeGreaterThan(0);
    expect(io).toBeLessThan(order.length - 1);
  });

  it('does not yield while the slice lasts', async () => {
    const slice = new TimeSlice(60_000);
    let ran = false;
    setImmediate(() => (ran = true));
    for (let i = 0; i < 100; i++) if (slice.spent) await slice.yield();
    expect(ran).toBe(false);
  });
});
