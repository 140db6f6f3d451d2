import { describe, expect, it } from 'vitest';
import { anthropicCall, anthropicMessage, assembledChatStream, callOf, chatCall, chatCompletion, chatToolCall, responsesCall, responsesFunctionCall, responsesObject, responsesRefusal, responsesText, textBlock, toolUseBlock } from './call-fixtures.ts';
import { outputOf } from './index.ts';

describe('outputOf', () => {
  it('reads a chat completion, and the same answer assembled from a stream', () => {
    const toolCalls = [chatToolCall('get_weather', '{"city":"Paris"}')];
    expect(outputOf(chatCall(chatCompletion('Hello', { tool_calls: toolCalls })))).toEqual({
      text: 'Hello',
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      refusal: null,
    });
    expect(outputOf(chatCall(assembledChatStream('Hello', { tool_calls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] })))).toEqual({
      text: 'Hello',
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      refusal: null,
    });
    expect(outputOf(chatCall(chatCompletion(null, { refusal: 'I cannot help with that.' }))).refusal).toBe('I cannot help with that.');
  });

  it('reads an Anthropic message: text blocks joined, tool_use input as JSON arguments, a refusal stop', () => {
    const msg = anthropicMessage([textBlock('Let me check. '), textBlock('One moment.'), toolUseBlock('get_weather', { city: 'Paris' })], 'tool_use');
    expect(outputOf(anthropicCall(msg))).toEqual({
      text: 'Let me check. One moment.',
      toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      refusal: null,
    });
    expect(outputOf(anthropicCall(anthropicMessage([], 'refusal'))).refusal).toBe('stop_reason: refusal');
  });

  it('reads a Responses object: output_text of message items, function calls by call_id, refusal content', () => {
    const res = responsesObject([responsesText('{"total": 3}'), responsesFunctionCall('lookup', '{"id":7}', 'call_9')]);
    expect(outputOf(responsesCall(res))).toEqual({ text: '{"total": 3}', toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{"id":7}' }], refusal: null });
    expect(outputOf(responsesCall(responsesObject([responsesRefusal('No.')]))).refusal).toBe('No.');
  });

  it('gives an empty view for routes without model output and for bodies of no known shape', () => {
    const empty = { text: null, toolCalls: [], refusal: null };
    expect(outputOf(callOf('embeddings', { input: 'x' }, { object: 'list', data: [] }))).toEqual(empty);
    expect(outputOf(chatCall({ unparsed: '<html>502 Bad Gateway</html>' }))).toEqual(empty);
    expect(outputOf(chatCall(null))).toEqual(empty);
    expect(outputOf(anthropicCall('a string'))).toEqual(empty);
    expect(outputOf(responsesCall({ output: [null, 3, { type: 'message', content: 'odd' }] }))).toEqual(empty);
  });
});
