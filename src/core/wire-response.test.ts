import { describe, expect, it } from 'vitest';
import { noOutput, readModelOutput, responseShapeOf } from './wire-response.ts';

const chat = (message: Record<string, unknown>, finish_reason: string | null = 'stop') => ({ object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason }] });

describe('readModelOutput: chat completions', () => {
  it('reads string content, tool calls and the finish reason', () => {
    const res = chat({ content: 'Hello', refusal: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] }, 'tool_calls');
    expect(readModelOutput('chat.completions', res)).toEqual({
      ...noOutput,
      text: 'Hello',
      toolCalls: [{ id: 'c1', name: 'f', arguments: '{"x":1}', input: { kind: 'json' } }],
      finishReason: 'tool_calls',
    });
  });

  it('joins the text of array-of-parts content, and says where the output was cut or filtered', () => {
    expect(readModelOutput('chat.completions', chat({ content: [{ type: 'text', text: 'a' }, { type: 'image_url' }, { type: 'text', text: 'b' }] }))?.text).toBe('ab');
    expect(readModelOutput('chat.completions', chat({ content: 'par' }, 'length'))?.truncated).toBe('finish_reason: length');
    expect(readModelOutput('chat.completions', chat({ content: null }, 'content_filter'))?.contentFilter).toBe('finish_reason: content_filter');
  });

  it('reads an output assembled from a stream: no refusal field, tool calls without ids, custom and legacy calls', () => {
    const assembled = {
      id: 'chatcmpl-2', object: 'chat.completion', created: 1, model: 'm', usage: null,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hi', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }, { id: 'c2', type: 'custom', custom: { name: 'sh', input: 'ls' } }], function_call: { name: 'old', arguments: { a: 1 } } } }],
    };
    expect(readModelOutput('chat.completions', assembled)).toMatchObject({
      text: 'Hi',
      refusal: null,
      toolCalls: [
        { id: null, name: 'f', arguments: '{}', input: { kind: 'json' } },
        { id: 'c2', name: 'sh', arguments: 'ls', input: { kind: 'text' } },
        { id: null, name: 'old', arguments: '{"a":1}', input: { kind: 'object', value: { a: 1 } } },
      ],
    });
    expect(readModelOutput('chat.completions', chat({ content: null, refusal: 'No.' }))?.refusal).toBe('No.');
    expect(readModelOutput('chat.completions', chat({ content: null, refusal: '  ' }))?.refusal).toBeNull();
  });
});

describe('readModelOutput: Anthropic messages', () => {
  it('joins text blocks, reads tool_use input, and the stop reason', () => {
    const msg = { type: 'message', content: [{ type: 'thinking', thinking: '…' }, { type: 'text', text: 'One ' }, { type: 'text', text: 'two.' }, { type: 'tool_use', id: 't1', name: 'f', input: { q: 1 } }], stop_reason: 'max_tokens' };
    expect(readModelOutput('messages', msg)).toEqual({
      ...noOutput,
      text: 'One two.',
      toolCalls: [{ id: 't1', name: 'f', arguments: '{"q":1}', input: { kind: 'object', value: { q: 1 } } }],
      truncated: 'stop_reason: max_tokens',
      finishReason: 'max_tokens',
    });
  });

  it('keeps a stream\'s unparsed tool input as text, and a refusal stop with its words', () => {
    const cut = { content: [{ type: 'tool_use', id: 't', name: 'f', input: { unparsed: '{"q":' } }], stop_reason: 'max_tokens' };
    expect(readModelOutput('messages', cut)?.toolCalls).toEqual([{ id: 't', name: 'f', arguments: '{"q":', input: { kind: 'unparsed' } }]);
    const refused = readModelOutput('messages', { content: [{ type: 'text', text: 'I can\'t.' }], stop_reason: 'refusal' });
    expect(refused).toMatchObject({ refusal: 'I can\'t.', refusalStop: 'stop_reason: refusal' });
  });
});

describe('readModelOutput: Responses', () => {
  it('reads output_text of message items, function calls by call_id, refusals, incomplete and failed states', () => {
    const res = {
      object: 'response',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [
        { type: 'reasoning', summary: [] },
        { type: 'message', content: [{ type: 'output_text', text: 'First.' }] },
        { type: 'message', content: [{ type: 'output_text', text: 'Second.' }, { type: 'refusal', refusal: 'Not that.' }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{}' },
      ],
    };
    expect(readModelOutput('responses', res)).toEqual({
      ...noOutput,
      text: 'First.\n\nSecond.',
      refusal: 'Not that.',
      toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}', input: { kind: 'json' } }],
      truncated: 'incomplete_details.reason: max_output_tokens',
      finishReason: 'incomplete',
    });
    expect(readModelOutput('responses', { status: 'failed', error: { code: 'server_error', message: 'boom' }, output: [] })?.failed).toEqual({ code: 'server_error', message: 'boom' });
  });
});

describe('bodies of no known shape', () => {
  it('are null for the route, never a throw', () => {
    expect(readModelOutput('chat.completions', { unparsed: '<html>' })).toBeNull();
    expect(readModelOutput('messages', 'a string')).toBeNull();
    expect(readModelOutput('embeddings', { data: [] })).toBeNull();
    expect(readModelOutput('chat.completions', { choices: [null] })).toMatchObject({ text: null, toolCalls: [] });
  });

  it('responseShapeOf tells the three shapes apart by their output field', () => {
    expect(responseShapeOf({ choices: [] })).toBe('chat.completions');
    expect(responseShapeOf({ content: [] })).toBe('messages');
    expect(responseShapeOf({ output: [] })).toBe('responses');
    expect(responseShapeOf({ output_text: 'x' })).toBeNull();
    expect(responseShapeOf([{ choices: [] }])).toBeNull();
  });
});
