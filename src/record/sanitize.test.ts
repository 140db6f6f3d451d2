import { describe, expect, it } from 'vitest';
import { storableJson } from './finalize.ts';
import { needsSanitizing, sanitizeForPostgres } from './sanitize.ts';

const FFFD = '\uFFFD';
const EMOJI = '\uD83D\uDE00'; // 😀

/** A `\u0000` escape or a surrogate escape that is not part of a high+low pair. */
const BAD_ESCAPE = /\\u0000|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/i;

describe('sanitizeForPostgres', () => {
  it('replaces NUL in values and keys', () => {
    expect(sanitizeForPostgres('a\u0000b\u0000')).toBe(`a${FFFD}b${FFFD}`);
    expect(sanitizeForPostgres({ 'k\u0000ey': 'v\u0000' })).toEqual({ [`k${FFFD}ey`]: `v${FFFD}` });
  });

  it('replaces a lone high surrogate, including one at the end or before another high', () => {
    expect(sanitizeForPostgres('a\uD83Db')).toBe(`a${FFFD}b`);
    expect(sanitizeForPostgres('end\uD83D')).toBe(`end${FFFD}`);
    expect(sanitizeForPostgres(`\uD83D${EMOJI}`)).toBe(`${FFFD}${EMOJI}`);
  });

  it('replaces a lone low surrogate, including one at the start or after a pair', () => {
    expect(sanitizeForPostgres('\uDE00x')).toBe(`${FFFD}x`);
    expect(sanitizeForPostgres(`${EMOJI}\uDE00`)).toBe(`${EMOJI}${FFFD}`);
  });

  it('replaces both halves of a reversed pair', () => {
    expect(sanitizeForPostgres('\uDE00\uD83D')).toBe(`${FFFD}${FFFD}`);
  });

  it('keeps well-formed surrogate pairs and returns clean strings unchanged', () => {
    const s = `hi ${EMOJI} 👩‍👩‍👧 𝄞 ok`;
    expect(sanitizeForPostgres(s)).toBe(s);
    expect(sanitizeForPostgres({ [EMOJI]: [EMOJI] })).toEqual({ [EMOJI]: [EMOJI] });
  });

  it('copies nested arrays and objects, passing other values through', () => {
    const input = {
      a: [1, true, null, 'x\u0000', { b: ['\uD800', { c: 'ok' }] }],
      n: 3.5,
      f: false,
      z: null,
    };
    expect(sanitizeForPostgres(input)).toEqual({
      a: [1, true, null, `x${FFFD}`, { b: [FFFD, { c: 'ok' }] }],
      n: 3.5,
      f: false,
      z: null,
    });
    expect(sanitizeForPostgres(42)).toBe(42);
    expect(sanitizeForPostgres(null)).toBe(null);
  });

  it('does not mutate the input and returns fresh containers', () => {
    const inner = { s: 'a\u0000' };
    const input = { list: [inner, 'b\uDC00'], clean: { x: 'y' } };
    const snapshot = JSON.stringify(input);
    const out = sanitizeForPostgres(input);
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(out).not.toBe(input);
    expect(out.list).not.toBe(input.list);
    expect(out.list[0]).not.toBe(inner);
    expect(out.clean).not.toBe(input.clean);
    expect(out.clean).toEqual({ x: 'y' });
  });

  it('keeps a "__proto__" key as an own property', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "\\u0000"}}') as Record<string, unknown>;
    const out = sanitizeForPostgres(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"polluted":"${FFFD}"}}`);
  });

  it('yields JSON with neither \\u0000 nor lone surrogate escapes', () => {
    const nasty = {
      'k\u0000': ['\u0000', '\uD800', '\uDFFF', '\uDE00\uD83D', `${EMOJI}\uD83D`, { '\uDBFF': 'x\uDC00y' }],
    };
    const before = JSON.stringify(nasty);
    expect(before).toMatch(BAD_ESCAPE); // the check itself catches the bad input
    const after = JSON.stringify(sanitizeForPostgres(nasty));
    expect(after).not.toMatch(BAD_ESCAPE);
    expect(after).not.toContain('\\u0000');
    expect(after).toContain(EMOJI);
  });
});

describe('needsSanitizing', () => {
  it('finds NUL and lone surrogates deeply, keys included', () => {
    expect(needsSanitizing('a\u0000')).toBe(true);
    expect(needsSanitizing(['ok', { deep: ['\uD800'] }])).toBe(true);
    expect(needsSanitizing({ 'k\uDC00': 1 })).toBe(true);
    expect(needsSanitizing('\uDE00\uD83D')).toBe(true);
  });

  it('accepts clean values, emoji and non-strings', () => {
    expect(needsSanitizing(`x ${EMOJI}`)).toBe(false);
    expect(needsSanitizing({ [EMOJI]: [1, null, true, { a: 'b' }] })).toBe(false);
    expect(needsSanitizing(7)).toBe(false);
    expect(needsSanitizing(null)).toBe(false);
    expect(needsSanitizing(undefined)).toBe(false);
  });
});

describe('storableJson (JSON text for the json body columns)', () => {
  it('keeps text without an escaped NUL or lone surrogate exactly as written', () => {
    for (const text of ['{"a": 1,  "b":"x"}', '{"emoji":"\\ud83d\\ude00"}', '{"literal":"\\\\u0000 is six characters"}', '{"e":"\\u00e9"}']) {
      expect(storableJson(text)).toBe(text);
    }
  });

  it('replaces an escaped NUL or lone surrogate with U+FFFD, as a jsonb cast or ->> would refuse them', () => {
    expect(JSON.parse(storableJson('{"a":"x\\u0000y"}'))).toEqual({ a: 'x\ufffdy' });
    expect(JSON.parse(storableJson('{"k\\ud800":"lone \\udc00"}'))).toEqual({ 'k\ufffd': 'lone \ufffd' });
  });
});
