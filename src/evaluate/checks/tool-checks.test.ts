import { describe, expect, it } from 'vitest';
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletionTool } from 'openai/resources/chat/completions';
import type { FunctionTool } from 'openai/resources/responses/responses';
import type { CallView } from '../types.ts';
import { anthropicCall, anthropicMessage, assembledChatStream, chatCall, chatCompletion, chatToolCall, responsesCall, responsesFunctionCall, responsesObject, toolUseBlock } from './call-fixtures.ts';
import { builtInChecks } from './index.ts';

const ids = (call: CallView) => builtInChecks(call).map((f) => `${f.kind}:${f.ruleId}`).sort();

const weatherParams = { type: 'object', properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] } }, required: ['city'] };
const chatTools: ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: weatherParams } }];
const anthropicTools: Tool[] = [{ name: 'get_weather', input_schema: { ...weatherParams, type: 'object' } }];
const responsesTools: FunctionTool[] = [{ type: 'function', name: 'get_weather', parameters: weatherParams, strict: false }];

describe('tool calls on chat completions', () => {
  const call = (name: string, args: string) => chatCall(chatCompletion(null, { tool_calls: [chatToolCall(name, args)] }), { tools: chatTools });

  it('passes a call to an offered tool with matching arguments', () => {
    expect(ids(call('get_weather', '{"city":"Paris","unit":"c"}'))).toEqual([]);
  });

  it('flags a tool that was not offered, naming it and the offered ones', () => {
    expect(builtInChecks(call('send_email', '{"to":"a@b.c"}'))).toEqual([
      {
        kind: 'tool',
        ruleId: 'tool:unknown',
        message: 'call to a tool that was not offered: "send_email" (offered: [get_weather])',
        evidence: { tool: 'send_email', id: 'call_1', arguments: '{"to":"a@b.c"}', offered: ['get_weather'], calls: [{ tool: 'send_email', id: 'call_1', arguments: '{"to":"a@b.c"}', offered: ['get_weather'] }] },
      },
    ]);
  });

  it('flags arguments that do not parse', () => {
    const [f] = builtInChecks(call('get_weather', '{"city":'));
    expect(f).toMatchObject({ kind: 'tool', ruleId: 'tool:arguments-json', message: 'arguments of tool "get_weather" are not valid JSON (ends before the JSON is complete)' });
    expect(f?.evidence).toMatchObject({ tool: 'get_weather', arguments: '{"city":', problem: 'ends before the JSON is complete' });
  });

  it('flags arguments that do not match the parameters schema, with path, expected and got', () => {
    const [f] = builtInChecks(call('get_weather', '{"town":"Paris","unit":"kelvin"}'));
    expect(f?.ruleId).toBe('tool:arguments-schema');
    expect(f?.message).toBe(`arguments of tool "get_weather" do not match its parameters schema: $.city: expected required property 'city', got missing; $.unit: expected one of [c, f], got "kelvin"`);
  });

  it('works on an assembled stream, and merges several offending calls into one failure per rule', () => {
    const res = assembledChatStream(null, {
      finish_reason: 'tool_calls',
      tool_calls: [
        { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'call_b', name: 'book_flight', arguments: '{}' },
        { id: 'call_c', name: 'cancel_order', arguments: '{}' },
      ],
    });
    const found = builtInChecks(chatCall(res, { tools: chatTools }));
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toBe('call to a tool that was not offered: "book_flight" (offered: [get_weather]); and 1 more tool calls');
    expect((found[0]?.evidence['calls'] as { tool: string }[]).map((c) => c.tool)).toEqual(['book_flight', 'cancel_order']);
  });

  it('flags any tool call when no tools were offered', () => {
    expect(ids(chatCall(chatCompletion(null, { tool_calls: [chatToolCall('get_weather', '{}')] })))).toEqual(['tool:tool:unknown']);
  });

  it('leaves the arguments of a cut-off output to the truncation failure', () => {
    const res = chatCompletion(null, { tool_calls: [chatToolCall('get_weather', '{"ci')], finish_reason: 'length' });
    expect(ids(chatCall(res, { tools: chatTools }))).toEqual(['truncation:truncation']);
  });
});

describe('tool calls on Anthropic messages', () => {
  const call = (block: ReturnType<typeof toolUseBlock>) => anthropicCall(anthropicMessage([block], 'tool_use'), { tools: anthropicTools });

  it('passes a tool_use whose input matches input_schema, flags one that does not', () => {
    expect(ids(call(toolUseBlock('get_weather', { city: 'Paris' })))).toEqual([]);
    const [f] = builtInChecks(call(toolUseBlock('get_weather', { city: 7 })));
    expect(f).toMatchObject({ ruleId: 'tool:arguments-schema' });
    expect(f?.message).toMatch(/\$\.city: expected type string, got 7/);
  });

  it('flags an unknown tool', () => {
    expect(ids(call(toolUseBlock('delete_account', {})))).toEqual(['tool:tool:unknown']);
  });

  it('flags a streamed tool input that never parsed (assembled as { unparsed })', () => {
    const [f] = builtInChecks(call(toolUseBlock('get_weather', { unparsed: '{"city": "Par' })));
    expect(f).toMatchObject({ ruleId: 'tool:arguments-json', evidence: { arguments: '{"city": "Par' } });
  });
});

describe('tool calls on Responses', () => {
  const call = (name: string, args: string) => responsesCall(responsesObject([responsesFunctionCall(name, args, 'call_7')]), { tools: responsesTools });

  it('passes a good function call and flags each kind of bad one', () => {
    expect(ids(call('get_weather', '{"city":"Oslo"}'))).toEqual([]);
    expect(ids(call('get_time', '{}'))).toEqual(['tool:tool:unknown']);
    expect(ids(call('get_weather', "{'city': 'Oslo'}"))).toEqual(['tool:tool:arguments-json']);
    const [f] = builtInChecks(call('get_weather', '{}'));
    expect(f).toMatchObject({ ruleId: 'tool:arguments-schema', evidence: { id: 'call_7', violations: [{ path: '$.city', expected: "required property 'city'", got: 'missing' }] } });
  });

  it('does not guess when the tools come from a stored prompt', () => {
    const res = responsesObject([responsesFunctionCall('get_time', '{}')]);
    expect(ids(responsesCall(res, { prompt: { id: 'pmpt_123' } }))).toEqual([]);
  });
});
