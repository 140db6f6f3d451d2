import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../testkit/grouping-corpus/index.ts';
import { defaultSystematicThresholds, evidenceHolds, isSystematic, wilsonLowerBound, type PatternCounts } from './stats.ts';

describe('Wilson lower bound', () => {
  it('matches known values', () => {
    expect(wilsonLowerBound(0, 10)).toBe(0);
    expect(wilsonLowerBound(5, 10)).toBeCloseTo(0.2366, 4);
    expect(wilsonLowerBound(10, 10)).toBeCloseTo(0.7225, 4);
    expect(wilsonLowerBound(0, 0)).toBe(0);
  });
});

describe('systematic detection', () => {
  it('flags every true pattern of a corpus and none of the noise', () => {
    const corpus = generateCorpus({ seed: 11, size: 3000 });
    const byLabel = new Map<string, typeof corpus.items>();
    for (const it of corpus.items) byLabel.set(it.label, [...(byLabel.get(it.label) ?? []), it]);
    const verdicts = [...byLabel].map(([label, items]) => {
      const calls = corpus.calls[items[0]?.component ?? ''];
      if (!calls) throw new Error('calls missing');
      const counts: PatternCounts = {
        failures: items.length,
        calls: calls.total,
        windows: calls.perWindow.map((c, w) => ({ count: items.filter((i) => i.window === w).length, calls: c })),
        distinctSessions: new Set(items.map((i) => i.sessionId)).size,
        distinctUsers: new Set(items.map((i) => i.userId)).size,
      };
      return { label, systematic: isSystematic(counts, defaultSystematicThresholds).systematic };
    });
    const flagged = verdicts.filter((v) => v.systematic).map((v) => v.label).sort();
    expect(flagged).toEqual(corpus.patterns.map((p) => p.label).sort());
    expect(verdicts.filter((v) => v.label.startsWith('noise:')).length).toBeGreaterThan(200);
  });

  it('needs enough failures and calls before a share means anything: 4 failures in 211 calls is not systematic', () => {
    const spread = { distinctSessions: 4, distinctUsers: 4 };
    const hours = (n: number) => Array.from({ length: 4 }, (_, i) => ({ count: i < n ? 1 : 0, calls: 1 }));
    const few = isSystematic({ failures: 4, calls: 211, windows: hours(4), ...spread, distinctSessions: 10 });
    expect(wilsonLowerBound(4, 211)).toBeGreaterThan(defaultSystematicThresholds.minRate);
    expect(few).toMatchObject({ systematic: false, unmet: ['volume'] });
    expect(isSystematic({ failures: 40, calls: 60, windows: hours(4), distinctSessions: 10, distinctUsers: 4 }).unmet).toEqual(['volume']);
    expect(isSystematic({ failures: 12, calls: 211, windows: hours(4), distinctSessions: 10, distinctUsers: 4 }).systematic).toBe(true);
    expect(evidenceHolds(few.unmet)).toBe(false);
    expect(evidenceHolds(['recurrence', 'spread'])).toBe(true);
    expect(evidenceHolds(['rate'])).toBe(false);
  });

  it('names the unmet conditions', () => {
    const v = isSystematic({ failures: 40, calls: 1000, windows: [{ count: 40, calls: 250 }, { count: 0, calls: 250 }, { count: 0, calls: 250 }], distinctSessions: 1, distinctUsers: 1 });
    expect(v.systematic).toBe(false);
    expect(v.unmet).toEqual(['recurrence', 'spread']);
  });
});
