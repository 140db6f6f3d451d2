import { describe, expect, it } from 'vitest';
import { evidenceShape, failureFingerprint, normalizeMessage } from './fingerprint.ts';

const f = (message: string, evidence: Record<string, unknown> = { output: 'x' }, ruleId = 'intent-label') => ({ component: 'intent', kind: 'rule', ruleId, message, evidence });

describe('failure fingerprints', () => {
  it('give the same key to messages of one shape and different keys across shapes', () => {
    const a = failureFingerprint(f('expected one of [billing, technical, account], got "BILLING_ISSUE"'));
    const b = failureFingerprint(f('expected one of [billing, technical, account], got "TECH"'));
    const sentence = failureFingerprint(f('expected one of [billing, technical, account], got a sentence (6 words)'));
    const sentence2 = failureFingerprint(f('expected one of [billing, technical, account], got a sentence (11 words)'));
    expect(a.key).toBe(b.key);
    expect(a.shape).toBe('expected one of [billing, technical, account], got <value>');
    expect(sentence.key).toBe(sentence2.key);
    expect(sentence.key).not.toBe(a.key);
    expect(failureFingerprint(f('expected one of [billing, technical, account], got "TECH"', { output: 'x' }, 'other')).key).not.toBe(a.key);
  });

  it('abstract ids, numbers, array indexes and long free text', () => {
    expect(normalizeMessage('$.items[2].price: expected type number, got 12.5')).toBe('$.items[*].price: expected type number, got <n>');
    expect(normalizeMessage('call 0190c9a0-0000-7000-8000-000000000001 failed')).toBe('call <id> failed');
    expect(normalizeMessage('negative user feedback: the answer was about the wrong plan and ignored what I asked twice already today')).toBe('negative user feedback: <text>');
  });

  it('compare evidence by structure, not values', () => {
    expect(evidenceShape({ path: '$.a[3]', got: 1 })).toBe(evidenceShape({ got: 99, path: '$.a[7]' }));
    expect(evidenceShape({ got: 'x' })).not.toBe(evidenceShape({ got: 1 }));
  });
});
