import { describe, expect, it } from 'vitest';
import { clip, clipMiddle, clipWithin } from './clip-text.ts';
import { isRecord } from './json-value.ts';

describe('clipping text', () => {
  it('clip keeps the first max characters and marks the cut', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('abcdef', 3)).toBe('abc…');
  });

  it('clipWithin fits the mark within max, without a space before it', () => {
    expect(clipWithin('abc def', 7)).toBe('abc def');
    expect(clipWithin('abc defgh', 5)).toBe('abc…');
  });

  it('clipMiddle keeps head and tail and says how much was cut', () => {
    expect(clipMiddle('a'.repeat(50) + 'b'.repeat(50), 20)).toBe(`${'a'.repeat(14)}\n…[80 characters omitted]…\n${'b'.repeat(6)}`);
  });
});

describe('isRecord', () => {
  it('is true for plain objects only', () => {
    expect([{}, { a: 1 }].map(isRecord)).toEqual([true, true]);
    expect([null, [], 'x', 1, undefined].map(isRecord)).toEqual([false, false, false, false, false]);
  });
});
