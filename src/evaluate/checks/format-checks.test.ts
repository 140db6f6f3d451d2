import { describe, expect, it } from 'vitest';
import type { ResponseFormatJSONSchema } from 'openai/resources/shared';
import type { CallView } from '../types.ts';
import { anthropicCall, anthropicMessage, assembledChatStream, chatCall, chatCompletion, responsesCall, responsesObject, responsesText, textBlock } from './call-fixtures.ts';
import { builtInChecks } from './index.ts';

const ids = (call: CallView) => builtInChecks(call).map((f) => `${f.kind}:${f.ruleId}`).sort();

const answerSchema = { type: 'object', properties: { answer: { type: 'string' }, confidence: { type: 'number' } }, required: ['answer', 'confidence'], additionalProperties: false };
const jsonSchemaFormat: ResponseFormatJSONSchema = { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema: answerSchema } };
const jsonObject = { type: 'json_object' } as const;

describe('format: JSON asked for, text that does not parse', () => {
  it('chat json_object: valid JSON passes, prose around JSON fails with the parse error', () => {
    expect(ids(chatCall(chatCompletion('{"answer":"ok"}'), { response_format: jsonObject }))).toEqual([]);
    const [f] = builtInChecks(chatCall(chatCompletion('Sure! {"answer": "ok"'), { response_format: jsonObject }));
    expect(f).toMatchObject({ kind: 'format', ruleId: 'format:json', message: 'output is not valid JSON (text around the JSON), but response_format json_object was requested' });
    expect(f?.evidence).toMatchObject({ output: 'Sure! {"answer": "ok"', problem: 'text around the JSON', requested: 'response_format json_object' });
    expect(typeof f?.evidence['parseError']).toBe('string');
  });

  it('JSON in a markdown fence is a format failure, and the message says so', () => {
    const [f] = builtInChecks(chatCall(chatCompletion('```json\n{"answer": "ok", "confidence": 1}\n```'), { response_format: jsonSchemaFormat }));
    expect(f?.ruleId).toBe('format:json');
    expect(f?.message).toMatch(/markdown code fence/);
  });

  it('applies to an assembled chat stream, to Responses text.format and to Anthropic output_config.format', () => {
    expect(ids(chatCall(assembledChatStream('not json'), { response_format: jsonObject }))).toEqual(['format:format:json']);
    expect(ids(responsesCall(responsesObject([responsesText('{"answer": "ok", "confidence": 0.9}')]), { text: { format: { type: 'json_object' } } }))).toEqual([]);
    expect(ids(responsesCall(responsesObject([responsesText('answer: ok')]), { text: { format: { type: 'json_object' } } }))).toEqual(['format:format:json']);
    const anthropicFormat = { output_config: { format: { type: 'json_schema' as const, schema: answerSchema } } };
    expect(ids(anthropicCall(anthropicMessage([textBlock('{"answer": "ok", "confidence": 1}')]), anthropicFormat))).toEqual([]);
    expect(ids(anthropicCall(anthropicMessage([textBlock('{"answer": "ok", "confidence": 1')]), anthropicFormat))).toEqual(['format:format:json']);
  });

  it('does not apply when no JSON was asked for', () => {
    expect(ids(chatCall(chatCompletion('plain prose')))).toEqual([]);
    expect(ids(chatCall(chatCompletion('plain prose'), { response_format: { type: 'text' } }))).toEqual([]);
  });
});

describe('schema: JSON that parses but does not match the requested json_schema', () => {
  it('chat: names the path, what was expected and what came', () => {
    expect(ids(chatCall(chatCompletion('{"answer":"ok","confidence":0.8}'), { response_format: jsonSchemaFormat }))).toEqual([]);
    const found = builtInChecks(chatCall(chatCompletion('{"answer": 42, "confidence": "high"}'), { response_format: jsonSchemaFormat }));
    expect(found).toHaveLength(1);
    const [f] = found;
    expect(f?.kind).toBe('schema');
    expect(f?.ruleId).toBe('schema:answer');
    expect(f?.message).toBe("output does not match the requested schema 'answer': $.answer: expected type string, got 42; $.confidence: expected type number, got \"high\"");
    expect(f?.evidence).toMatchObject({
      schemaName: 'answer',
      violationCount: 2,
      violations: [
        { path: '$.answer', expected: 'type string', got: '42', keyword: 'type' },
        { path: '$.confidence', expected: 'type number', got: '"high"', keyword: 'type' },
      ],
    });
  });

  it('reports a missing required property and an unexpected one', () => {
    const [f] = builtInChecks(chatCall(chatCompletion('{"answer": "ok", "extra": true}'), { response_format: jsonSchemaFormat }));
    expect(f?.message).toMatch(/\$\.confidence: expected required property 'confidence', got missing/);
    expect(f?.message).toMatch(/\$\.extra: expected no property 'extra'/);
  });

  it('Responses and Anthropic: the schema name, or "response" when it has none', () => {
    const textFormat = { text: { format: { type: 'json_schema' as const, name: 'invoice', schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { price: { type: 'number' } } } } } } } } };
    const [r] = builtInChecks(responsesCall(responsesObject([responsesText('{"items": [{"price": 1}, {"price": 2}, {"price": "12.50"}]}')]), textFormat));
    expect(r?.ruleId).toBe('schema:invoice');
    expect(r?.message).toMatch(/\$\.items\[2\]\.price: expected type number, got "12\.50"/);
    expect(ids(responsesCall(responsesObject([responsesText('{"items": [{"price": 1}]}')]), textFormat))).toEqual([]);
    const anthropicFormat = { output_config: { format: { type: 'json_schema' as const, schema: { type: 'object', properties: { label: { enum: ['billing', 'technical'] } } } } } };
    const [a] = builtInChecks(anthropicCall(anthropicMessage([textBlock('{"label": "sales"}')]), anthropicFormat));
    expect(a).toMatchObject({ kind: 'schema', ruleId: 'schema:response' });
    expect(a?.message).toMatch(/\$\.label: expected one of \[billing, technical\], got "sales"/);
  });

  it('skips a requested schema it cannot compile rather than blaming the output', () => {
    const broken: ResponseFormatJSONSchema = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'objekt' } } };
    expect(ids(chatCall(chatCompletion('{"a":1}'), { response_format: broken }))).toEqual([]);
  });
});
