import { describe, expect, it } from 'vitest';
import { onePatternOf, sameProblem, survivorOf } from './co-occurrence.ts';

describe('one problem, several signals', () => {
  it('joins patterns on largely the same calls, beyond what chance puts there', () => {
    // The judge fails exactly the 40 calls of 500 that broke the rule.
    expect(sameProblem({ a: 40, b: 40, shared: 40, calls: 500 })).toBe(true);
    // Feedback on 12 of them, and on 1 other call.
    expect(sameProblem({ a: 40, b: 13, shared: 12, calls: 500 })).toBe(true);
    // Two patterns sharing a few calls by chance: 30 % and 20 % of calls, independent (6 % overlap).
    expect(sameProblem({ a: 150, b: 100, shared: 30, calls: 500 })).toBe(false);
    // A pattern on 80 % of the calls overlaps with everything: an independent 30 % problem is not it.
    expect(sameProblem({ a: 400, b: 150, shared: 120, calls: 500 })).toBe(false);
    // …but a 30 % problem entirely inside it, and never outside, is.
    expect(sameProblem({ a: 400, b: 150, shared: 150, calls: 500 })).toBe(true);
  });

  it('says nothing on too few shared calls, and without contrast asks for near-identical sets', () => {
    expect(sameProblem({ a: 2, b: 2, shared: 2, calls: 500 })).toBe(false);
    expect(sameProblem({ a: 50, b: 48, shared: 46, calls: 52 })).toBe(true);
    expect(sameProblem({ a: 50, b: 20, shared: 20, calls: 52 })).toBe(false);
  });

  it('keeps the named check over the judge over feedback, then the larger', () => {
    const rule = { id: 'r', kind: 'rule', calls: 10 };
    const judge = { id: 'j', kind: 'judge', calls: 30 };
    const feedback = { id: 'f', kind: 'feedback', calls: 50 };
    expect(survivorOf(judge, rule).map((p) => p.id)).toEqual(['j', 'r']);
    expect(survivorOf(feedback, judge).map((p) => p.id)).toEqual(['f', 'j']);
    expect(survivorOf({ ...judge, id: 'j2', calls: 5 }, judge).map((p) => p.id)).toEqual(['j2', 'j']);
  });

  it('points a comment at the pattern of the check its call broke, when that is unambiguous', () => {
    const kinds: Record<string, string> = { r: 'rule', s: 'schema', j: 'judge' };
    const byCall = new Map([
      ['c1', new Set(['r', 'j'])],
      ['c2', new Set(['r', 's'])],
      ['c3', new Set(['j'])],
      ['c4', new Set(['old'])],
    ]);
    const resolve = (id: string) => (id === 'old' ? 'r' : id);
    const of = (call: string) => onePatternOf(byCall, call, resolve, (id) => kinds[id]);
    expect(of('c1')).toBe('r');
    expect(of('c2')).toBeUndefined();
    expect(of('c3')).toBe('j');
    expect(of('c4')).toBe('r');
    expect(of('c5')).toBeUndefined();
  });
});
