import { describe, expect, it } from 'vitest';
import { RestartBackoff } from './restart-backoff.ts';

describe('RestartBackoff', () => {
  it('doubles from 0.5 s up to 10 s, and starts over once reset', () => {
    const b = new RestartBackoff();
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    b.reset();
    expect(b.next()).toBe(500);
  });
});
