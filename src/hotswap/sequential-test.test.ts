import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../testkit/grouping-corpus/index.ts';
import { compareFailureRates } from './sequential-test.ts';

describe('sequential comparison of failure rates', () => {
  it('finds a large improvement quickly, in the right direction', () => {
    const r = compareFailureRates({ calls: 40, failures: 36 }, { calls: 40, failures: 2 });
    expect(r.significant).toBe(true);
    expect(r.difference).toBeGreaterThan(0.8);
    const worse = compareFailureRates({ calls: 40, failures: 2 }, { calls: 40, failures: 36 });
    expect(worse.significant).toBe(true);
    expect(worse.difference).toBeLessThan(0);
  });

  it('stays quiet on small samples and on equal rates', () => {
    expect(compareFailureRates({ calls: 5, failures: 3 }, { calls: 5, failures: 1 }).significant).toBe(false);
    expect(compareFailureRates({ calls: 2000, failures: 200 }, { calls: 2000, failures: 205 }).significant).toBe(false);
  });

  it('keeps its false-alarm rate under alpha when checked after every call (simulated A/A tests)', () => {
    const random = seededRandom(7);
    let alarms = 0;
    const runs = 300;
    for (let run = 0; run < runs; run++) {
      const a = { calls: 0, failures: 0 };
      const b = { calls: 0, failures: 0 };
      for (let i = 0; i < 400; i++) {
        a.calls++;
        b.calls++;
        if (random() < 0.2) a.failures++;
        if (random() < 0.2) b.failures++;
        if (i >= 10 && compareFailureRates(a, b).significant) {
          alarms++;
          break;
        }
      }
    }
    expect(alarms / runs).toBeLessThanOrEqual(0.05);
  });
});
