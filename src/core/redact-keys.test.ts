import { describe, expect, it } from 'vitest';
import { KeyMask, redactExactKey, redactKeyPatterns, redactKeys } from './redact-keys.ts';

const KEY = 'tgp_v1_QWERTYuiop0123456789asdfGHJK';

function through(mask: KeyMask, chunks: string[]): string[] {
  const out = chunks.map((c) => mask.push(Buffer.from(c)).toString());
  out.push(mask.end().toString());
  return out;
}

describe('redacting keys', () => {
  it('redacts the exact key whatever its shape, and well-known shapes as a second net', () => {
    for (const key of [KEY, 'gsk_abcdefghijklmnop1234', 'my-vllm-secret-0001']) {
      expect(redactExactKey(`Incorrect API key provided: ${key}.`, key)).toBe('Incorrect API key provided: [redacted].');
    }
    expect(redactExactKey('no key here', null)).toBe('no key here');
    expect(redactExactKey('the word EMPTY stays', 'EMPTY')).toBe('the word EMPTY stays'); // too short to be a secret
    const net = redactKeyPatterns('a sk-proj-abcdef123456 b gsk_abcdefghijklmnop12 c tgp_v1_abcdefghijklmnop d Bearer abc.def-ghi e xai-abcdefghijklmnopq');
    expect(net).toBe('a [redacted] b [redacted] c [redacted] d [redacted] e [redacted]');
    expect(redactKeys(`x ${KEY} sk-ant-abcdefgh`, KEY)).toBe('x [redacted] [redacted]');
  });

  it('masks a key in passing bytes at the same length, also split across chunks', () => {
    const body = `{"error":{"message":"Incorrect API key provided: ${KEY}."}}`;
    for (let cut = 1; cut < body.length; cut++) {
      const mask = KeyMask.for(KEY)!;
      const out = through(mask, [body.slice(0, cut), body.slice(cut)]).join('');
      expect(out.length, `cut at ${cut}`).toBe(body.length);
      expect(out).not.toContain(KEY.slice(0, 12));
      expect(JSON.parse(out)).toEqual({ error: { message: `Incorrect API key provided: [redacted]${'*'.repeat(KEY.length - 10)}.` } });
    }
  });

  it('holds back only a tail that could start the key, and releases it when it does not', () => {
    const mask = KeyMask.for(KEY)!;
    expect(through(mask, ['data: {"a":1}\n\n', 'data: {"b":2}\n\n'])).toEqual(['data: {"a":1}\n\n', 'data: {"b":2}\n\n', '']);
    const held = KeyMask.for(KEY)!;
    expect(held.push(Buffer.from('say tgp_v1_')).toString()).toBe('say ');
    expect(held.push(Buffer.from('not-the-key')).toString()).toBe('tgp_v1_not-the-key');
    expect(held.push(Buffer.from('tgp')).toString()).toBe('');
    expect(held.end().toString()).toBe('tgp');
    expect(KeyMask.for(null)).toBeNull();
    expect(KeyMask.for('short')).toBeNull();
  });

  it('masks every occurrence and never writes into the buffer it was given', () => {
    const input = Buffer.from(`${KEY} and ${KEY}!`);
    const copy = Buffer.from(input);
    const out = KeyMask.for(KEY)!.push(input).toString();
    expect(out).not.toContain(KEY);
    expect(out.match(/\[redacted\]/g)).toHaveLength(2);
    expect(input.equals(copy)).toBe(true);
  });
});
