import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, completeness, homogeneity, purity } from './quality.ts';

describe('clustering quality', () => {
  it('is 1 for identical partitions whatever the names', () => {
    const t = ['a', 'a', 'b', 'b', 'c'];
    const p = ['x', 'x', 'y', 'y', 'z'];
    expect(adjustedRandIndex(t, p)).toBeCloseTo(1);
    expect(purity(t, p)).toBe(1);
    expect(homogeneity(t, p)).toBeCloseTo(1);
    expect(completeness(t, p)).toBeCloseTo(1);
  });

  it('matches a known adjusted Rand index', () => {
    // scikit-learn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) == 0.5714285714285715
    expect(adjustedRandIndex(['0', '0', '1', '1'], ['0', '0', '1', '2'])).toBeCloseTo(0.5714, 4);
    expect(purity(['a', 'a', 'b', 'b'], ['x', 'x', 'x', 'x'])).toBe(0.5);
    expect(completeness(['a', 'a', 'b', 'b'], ['x', 'x', 'x', 'x'])).toBeCloseTo(1);
    expect(homogeneity(['a', 'a', 'b', 'b'], ['x', 'x', 'x', 'x'])).toBeCloseTo(0);
  });
});
