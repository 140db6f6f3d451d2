import { describe, expect, it } from 'vitest';
import { findNestingPastLimit } from './json-depth.ts';

const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const past = (text: string, limit: number) => findNestingPastLimit(Buffer.from(text), limit);

/** The depth JSON.parse would see, by walking the parsed value (the reference). */
function parsedDepth(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(parsedDepth));
  if (v && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(parsedDepth));
  return 0;
}

describe('findNestingPastLimit', () => {
  it('counts the top-level value as level 1 and refuses one level past the limit, naming the top-level key', () => {
    const body = `{"model":"gpt-4o-mini","messages":[],"x":${nested(5000)}}`;
    expect(past(body, 256)).toEqual({ offset: body.indexOf('[[') + 255, topLevelKey: 'x' });
    expect(past(`{"x":${nested(255)}}`, 256)).toBeNull();
    expect(past(`{"x":${nested(256)}}`, 256)).toMatchObject({ topLevelKey: 'x' });
    expect(past(nested(300), 256)).toMatchObject({ topLevelKey: null });
  });

  it('ignores brackets, braces and escaped quotes inside strings', () => {
    const inString = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `${'['.repeat(2000)} \\" {{{ "quoted" ${'\\'.repeat(3)}` }] });
    expect(past(inString, 8)).toBeNull();
    const escapedKey = `{"a\\"[[[":1,"b\\\\":${nested(20)}}`;
    expect(past(escapedKey, 8)).toMatchObject({ topLevelKey: 'b\\' });
  });

  it('agrees with the parsed depth on long strings, escapes and many small containers', () => {
    const text = 'natural text with "quotes", [brackets] and {braces} and a backslash \\ '.repeat(3);
    const value = { model: 'm', messages: Array.from({ length: 400 }, (_, i) => ({ role: 'user', content: `${text}${i}`, parts: [[{ k: ['\\"', '"]'] }]] })) };
    const body = JSON.stringify(value);
    const depth = parsedDepth(value);
    expect(past(body, depth)).toBeNull();
    expect(past(body, depth - 1)).toMatchObject({ topLevelKey: 'messages' });
  });
});
