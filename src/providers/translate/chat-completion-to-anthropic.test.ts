import { describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionMessage } from 'openai/resources/chat/completions';
import { chatCompletionToAnthropicMessage } from './chat-completion-to-anthropic.ts';

const ids = { id: 'msg_gw_1', model: 'qwen3-32b' };

function completion(
  message: Partial<ChatCompletionMessage>,
  finishReason: ChatCompletion.Choice['finish_reason'] = 'stop',
  usage: ChatCompletion['usage'] | null = { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
): ChatCompletion {
  return {
    id: 'chatcmpl-up',
    object: 'chat.completion',
    created: 1_750_000_000,
    model: 'Qwen/Qwen3-32B',
    choices: [
      { index: 0, finish_reason: finishReason, logprobs: null, message: { role: 'assistant', content: null, refusal: null, ...message } },
    ],
    ...(usage ? { usage } : {}),
  };
}

describe('chatCompletionToAnthropicMessage', () => {
  it('builds a whole Anthropic message from text and tool calls', () => {
    const out = chatCompletionToAnthropicMessage(
      completion(
        {
          content: 'Looking both up.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
          ],
        },
        'tool_calls',
      ),
      ids,
    );
    expect(out).toEqual({
      id: 'msg_gw_1',
      type: 'message',
      role: 'assistant',
      model: 'qwen3-32b',
      content: [
        { type: 'text', text: 'Looking both up.', citations: null },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' }, caller: { type: 'direct' } },
        { type: 'tool_use', id: 'call_2', name: 'get_time', input: { tz: 'CET' }, caller: { type: 'direct' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: {
        input_tokens: 30,
        output_tokens: 12,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: null,
        inference_geo: null,
        output_tokens_details: null,
        server_tool_use: null,
        service_tier: null,
        speed: null,
      },
    });
  });

  it('keeps going with input {} when an upstream sends unparsable arguments', () => {
    const out = chatCompletionToAnthropicMessage(
      completion({ tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a": tru' } }] }, 'tool_calls'),
      ids,
    );
    expect(out.content).toEqual([{ type: 'tool_use', id: 'c', name: 'f', input: {}, caller: { type: 'direct' } }]);
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
  ] as const)('maps finish_reason %s to stop_reason %s', (finishReason, stopReason) => {
    expect(chatCompletionToAnthropicMessage(completion({ content: 'x' }, finishReason), ids).stop_reason).toBe(stopReason);
  });

  it('says tool_use when an upstream stops with tool calls but finish_reason stop', () => {
    const out = chatCompletionToAnthropicMessage(
      completion({ tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, 'stop'),
      ids,
    );
    expect(out.stop_reason).toBe('tool_use');
  });

  it('moves cached prompt tokens out of input_tokens into cache_read_input_tokens', () => {
    const out = chatCompletionToAnthropicMessage(
      completion({ content: 'x' }, 'stop', {
        prompt_tokens: 1200,
        completion_tokens: 7,
        total_tokens: 1207,
        prompt_tokens_details: { cached_tokens: 1024 },
      }),
      ids,
    );
    expect(out.usage).toMatchObject({ input_tokens: 176, cache_read_input_tokens: 1024, cache_creation_input_tokens: 0, output_tokens: 7 });
  });

  it('reports zero usage when the upstream sends none, and no content for an empty answer', () => {
    const out = chatCompletionToAnthropicMessage(completion({ content: '' }, 'stop', null), ids);
    expect(out.content).toEqual([]);
    expect(out.usage).toMatchObject({ input_tokens: 0, output_tokens: 0 });
  });

  it('turns a refusal into text with stop_reason refusal', () => {
    const out = chatCompletionToAnthropicMessage(completion({ refusal: 'I cannot help with that.' }, 'content_filter'), ids);
    expect(out.content).toEqual([{ type: 'text', text: 'I cannot help with that.', citations: null }]);
    expect(out.stop_reason).toBe('refusal');
  });
});
