import { describe, expect, it } from 'vitest';
import { parseJsonText } from './json-text.ts';

describe('parseJsonText', () => {
  it('parses strict JSON', () => {
    expect(parseJsonText(' {"a": [1, 2]} ')).toEqual({ ok: true, value: { a: [1, 2] } });
  });

  it('names why text is not JSON', () => {
    const problem = (t: string) => {
      const r = parseJsonText(t);
      return r.ok ? 'parsed' : r.problem;
    };
    expect(problem('```json\n{"a": 1}\n```')).toBe('wrapped in a markdown code fence');
    expect(problem('```\n[1,2]\n```\n')).toBe('wrapped in a markdown code fence');
    expect(problem('{"a": {"b": "unfinished')).toBe('ends before the JSON is complete');
    expect(problem('Sure! {"answer": "ok"}')).toBe('text around the JSON');
    expect(problem('{"answer": "ok"} Hope this helps!')).toBe('text around the JSON');
    expect(problem("{'answer': 'ok'}")).toBe('invalid JSON syntax');
    expect(problem('{"a": 1,}')).toBe('invalid JSON syntax');
    expect(problem('billing')).toBe('not JSON');
  });

  it('keeps the parser error for the evidence', () => {
    const r = parseJsonText('{"a":');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.parseError).toMatch(/JSON/);
  });
});
