import { describe, expect, it } from 'vitest';
import { UsageChunkFilter } from './strip-usage.ts';

const ev = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const chunk = (content: string) => ev({ id: 'c', choices: [{ index: 0, delta: { content } }], usage: null });
const usage = ev({ id: 'c', choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });

describe('UsageChunkFilter', () => {
  it('drops only the usage-only chunk, however the bytes are split', () => {
    const stream = chunk('a') + chunk('b') + usage + 'data: [DONE]\n\n';
    const expected = chunk('a') + chunk('b') + 'data: [DONE]\n\n';
    for (const size of [1, 7, 50, stream.length]) {
      const f = new UsageChunkFilter();
      let out = '';
      for (let i = 0; i < stream.length; i += size) out += f.push(Buffer.from(stream.slice(i, i + size))).toString();
      out += f.end().toString();
      expect(out, `split every ${size} bytes`).toBe(expected);
    }
  });

  it('with CRLF line endings, passes each event on as soon as it ends and drops the usage chunk', () => {
    const crlf = (e: string) => e.replace(/\n/g, '\r\n');
    const f = new UsageChunkFilter();
    expect(f.push(Buffer.from(crlf(chunk('a')))).toString()).toBe(crlf(chunk('a')));
    expect(f.push(Buffer.from(crlf(chunk('b') + usage))).toString()).toBe(crlf(chunk('b')));
    expect(f.push(Buffer.from(crlf(chunk('c')).slice(0, 10))).toString()).toBe('');
    expect(f.push(Buffer.from(crlf(chunk('c')).slice(10) + crlf('data: [DONE]\n\n'))).toString()).toBe(crlf(chunk('c')) + crlf('data: [DONE]\n\n'));
    expect(f.end().length).toBe(0);
  });

  it('leaves an unfinished event that also holds the marker for the next chunk', () => {
    const f = new UsageChunkFilter();
    const out = f.push(Buffer.from(chunk('a') + usage + usage.slice(0, -5))).toString();
    expect(out).toBe(chunk('a'));
    expect(f.push(Buffer.from(usage.slice(-5) + 'data: [DONE]\n\n')).toString()).toBe('data: [DONE]\n\n');
  });

  it('cuts at the right bytes when events carry multi-byte characters, split anywhere', () => {
    const stream = Buffer.from(chunk('héllo 😀') + usage + chunk('naïve — ünïcödé') + 'data: [DONE]\n\n');
    const expected = Buffer.from(chunk('héllo 😀') + chunk('naïve — ünïcödé') + 'data: [DONE]\n\n');
    for (const size of [1, 3, 40, stream.length]) {
      const f = new UsageChunkFilter();
      const parts: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) parts.push(f.push(stream.subarray(i, i + size)));
      parts.push(f.end());
      expect(Buffer.concat(parts).equals(expected), `split every ${size} bytes`).toBe(true);
    }
  });

  it('drops it among other events in one chunk, and keeps a delta that only quotes its marker', () => {
    const quoting = chunk('"choices":[] is how the usage chunk looks');
    const stream = chunk('a') + usage + quoting + usage + 'data: [DONE]\n\n';
    const f = new UsageChunkFilter();
    const out = f.push(Buffer.from(stream)).toString() + f.end().toString();
    expect(out).toBe(chunk('a') + quoting + 'data: [DONE]\n\n');
  });

  it('keeps chunks with empty choices but no usage, and passes whole events through untouched', () => {
    const f = new UsageChunkFilter();
    const keep = ev({ id: 'c', choices: [], usage: null });
    expect(f.push(Buffer.from(keep)).toString()).toBe(keep);
    const b = Buffer.from(chunk('x'));
    expect(f.push(b)).toBe(b);
  });
});
