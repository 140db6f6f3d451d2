import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JudgeOutputError, parseVerdict, verdictJsonSchema, verdictSchema } from './verdict.ts';

const good = { pass: false, score: 0.2, failed_criteria: ['correctness'], rationale: 'Says Lyon.' };

describe('parseVerdict', () => {
  it('accepts a valid verdict, bare, fenced or wrapped in prose', () => {
    expect(parseVerdict(JSON.stringify(good))).toEqual(good);
    expect(parseVerdict('```json\n' + JSON.stringify(good) + '\n```')).toEqual(good);
    expect(parseVerdict(`Here is my verdict: ${JSON.stringify(good)} Done.`)).toEqual(good);
  });

  it.each([
    ['not JSON', 'The output passes.'],
    ['missing fields', JSON.stringify({ pass: true })],
    ['score above 1', JSON.stringify({ ...good, score: 1.5 })],
    ['score as text', JSON.stringify({ ...good, score: '0.5' })],
    ['pass as text', JSON.stringify({ ...good, pass: 'yes' })],
    ['rationale too long', JSON.stringify({ ...good, rationale: 'x'.repeat(2001) })],
    ['an array', JSON.stringify([good])],
    ['empty', ''],
  ])('rejects %s with JudgeOutputError', (_what, content) => {
    expect(() => parseVerdict(content)).toThrow(JudgeOutputError);
  });

  it('names the field in the error without quoting the answer', () => {
    const secretish = 'quoted user data 12345';
    const err = (() => {
      try {
        parseVerdict(JSON.stringify({ ...good, score: 7, rationale: secretish }));
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(JudgeOutputError);
    expect(err?.message).toContain('score');
    expect(err?.message).not.toContain(secretish);
  });

  it('treats a refusal or no content as no verdict', () => {
    expect(() => parseVerdict(null)).toThrow(/no content/);
    expect(() => parseVerdict(JSON.stringify(good), 'I cannot help with that.')).toThrow(/refused/);
  });
});

describe('verdictJsonSchema', () => {
  it('describes the same fields as the zod schema, all required, nothing else (strict mode)', () => {
    const fromZod = z.toJSONSchema(verdictSchema) as { properties: Record<string, { type: string }>; required: string[] };
    expect(Object.keys(verdictJsonSchema.properties).sort()).toEqual(Object.keys(fromZod.properties).sort());
    for (const [k, v] of Object.entries(verdictJsonSchema.properties)) expect(v.type).toBe(fromZod.properties[k]?.type);
    expect([...verdictJsonSchema.required].sort()).toEqual([...fromZod.required].sort());
    expect(verdictJsonSchema.additionalProperties).toBe(false);
  });
});
