import { describe, expect, it } from 'vitest';
import { failureText } from './failure-text.ts';
import { createClusterer } from './incremental-clusterer.ts';
import { nextStatus } from './lifecycle.ts';
import { fallbackDescription } from './pattern-text.ts';
import { createVectorizer } from './text-vector.ts';

describe('lifecycle', () => {
  it('emerging → systematic → resolved → regressed, without flapping', () => {
    const q = { quietWithTraffic: false, recentFailures: 3, evidenceHolds: true };
    expect(nextStatus({ ...q, status: 'emerging', systematic: false })).toBe('emerging');
    expect(nextStatus({ ...q, status: 'emerging', systematic: true })).toBe('systematic');
    // A slow hour does not undo "systematic"; going quiet while the component is called resolves it.
    expect(nextStatus({ ...q, status: 'systematic', systematic: false })).toBe('systematic');
    expect(nextStatus({ ...q, status: 'systematic', systematic: false, quietWithTraffic: true })).toBe('resolved');
    expect(nextStatus({ ...q, status: 'resolved', systematic: false })).toBe('resolved');
    expect(nextStatus({ ...q, status: 'resolved', systematic: true })).toBe('regressed');
    expect(nextStatus({ ...q, status: 'regressed', systematic: true, quietWithTraffic: true })).toBe('resolved');
  });

  it('takes a flag back when its evidence no longer holds (too few failures or calls, or the rate)', () => {
    const q = { quietWithTraffic: false, recentFailures: 3, systematic: false, evidenceHolds: false };
    expect(nextStatus({ ...q, status: 'systematic' })).toBe('emerging');
    expect(nextStatus({ ...q, status: 'regressed' })).toBe('emerging');
    expect(nextStatus({ ...q, status: 'systematic', quietWithTraffic: true })).toBe('resolved');
    expect(nextStatus({ ...q, status: 'resolved' })).toBe('resolved');
  });
});

describe('failure text', () => {
  it('is the free-text evidence when there is some, else the message and the offending value', () => {
    expect(failureText({ kind: 'judge', message: 'judge failed the call (score 0.10)', evidence: { rationale: 'Quoted the wrong refund window.' } })).toBe('Quoted the wrong refund window.');
    expect(failureText({ kind: 'rule', message: 'expected one of [a, b], got "C"', evidence: { got: 'C', expected: ['a', 'b'] } })).toBe('expected one of [a, b], got "C"\nC\na, b');
    expect(failureText({ kind: 'feedback', message: 'x', evidence: { comment: 'y'.repeat(5000) } })).toHaveLength(2000);
  });
});

describe('plain titles and summaries', () => {
  it('name the rule and the shape for checks, the top terms for free text', () => {
    const rule = fallbackDescription({ component: 'intent', kind: 'rule', ruleId: 'label', shape: 'expected one of [billing], got <value>', failureCount: 12, topTerms: ['billing'] });
    expect(rule.title).toBe('Rule label: expected one of [billing], got <value>');
    expect(rule.summary).toContain('12 failures of kind rule (rule label) in component intent');
    const judge = fallbackDescription({ component: 'bot', kind: 'judge', ruleId: 'judge:r1', shape: 'judge failed', failureCount: 1, topTerms: ['refund window', 'wrong', 'policy', 'days'] });
    expect(judge.title).toBe('Judge judge:r1: refund window, wrong, policy');
    expect(judge.summary).toContain('1 failure of');
  });
});

describe('persisting clusters', () => {
  it('restores a cluster from its state, reports what changed, and forgets on eviction', () => {
    const v = createVectorizer();
    for (const t of ['answer too long verbose', 'answer too long and verbose', 'wrong refund window']) v.observe(t);
    const a = createClusterer({ threshold: 0.3, newId: () => crypto.randomUUID() });
    const first = a.assign('1', v.vector('answer too long verbose'), 'fp', 'judge');
    expect(a.takeChanged()).toEqual([first.clusterId]);
    expect(a.takeChanged()).toEqual([]);
    const st = a.state(first.clusterId)!;
    expect(st).toMatchObject({ scope: 'judge', size: 1, fingerprints: { fp: 1 } });

    const b = createClusterer({ threshold: 0.3 });
    b.restore(st);
    const joined = b.assign('2', v.vector('answer too long and verbose'), 'other', 'judge');
    expect(joined).toMatchObject({ clusterId: first.clusterId, created: false });
    expect(b.state(first.clusterId)?.size).toBe(2);
    b.forget(first.clusterId);
    expect(b.size()).toBe(0);
    expect(b.assign('3', v.vector('answer too long verbose'), 'fp', 'judge').created).toBe(true);
  });

  it('keeps a centroid to its heaviest dimensions', () => {
    const v = createVectorizer();
    const texts = Array.from({ length: 300 }, (_, i) => `shared words here unique${i} other${i} more${i}`);
    for (const t of texts) v.observe(t);
    const c = createClusterer({ threshold: 0.01, maxTerms: 16 });
    let id = '';
    for (const [i, t] of texts.entries()) id = c.assign(String(i), v.vector(t), 'fp', 's').clusterId;
    expect(c.clusters()).toHaveLength(1);
    expect(c.state(id)!.sum.idx.length).toBeLessThanOrEqual(32);
  });

  it('saves and absorbs document frequencies, keeping the larger count', () => {
    const a = createVectorizer({ bits: 10 });
    a.observe('alpha beta');
    a.observe('alpha gamma');
    const b = createVectorizer({ bits: 10 });
    b.observe('alpha');
    b.absorbFrequencies(a.frequencies());
    expect(b.documents()).toBe(2);
    expect(b.vector('alpha beta')).toEqual(a.vector('alpha beta'));
    // Frequencies of another size are ignored rather than misread.
    const c = createVectorizer({ bits: 12 });
    c.absorbFrequencies(a.frequencies());
    expect(c.documents()).toBe(0);
  });
});
