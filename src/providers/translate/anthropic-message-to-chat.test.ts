import { describe, expect, it } from 'vitest';
import type { ContentBlock, Message, StopReason, Usage } from '@anthropic-ai/sdk/resources/messages';
import { anthropicMessageToChatCompletion } from './anthropic-message-to-chat.ts';

const ids = { id: 'chatcmpl-abc', model: 'claude-sonnet', created: 1_750_000_000 };

function usage(fields: Partial<Usage> = {}): Usage {
  return {
    input_tokens: 10,
    output_tokens: 5,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: null,
    cache_creation: null,
    inference_geo: null,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: 'standard',
    speed: null,
    ...fields,
  };
}

function message(content: ContentBlock[], stopReason: StopReason | null = 'end_turn', u: Usage = usage()): Message {
  return {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: u,
  };
}

describe('anthropicMessageToChatCompletion', () => {
  it('concatenates text blocks, maps tool_use blocks to tool calls and drops thinking', () => {
    const out = anthropicMessageToChatCompletion(
      message(
        [
          { type: 'thinking', thinking: 'The user wants weather.', signature: 'sig' },
          { type: 'text', text: 'Checking ', citations: null },
          { type: 'text', text: 'both.', citations: null },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' }, caller: { type: 'direct' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: { tz: 'CET' }, caller: { type: 'direct' } },
        ],
        'tool_use',
      ),
      ids,
    );
    expect(out).toEqual({
      id: 'chatcmpl-abc',
      object: 'chat.completion',
      created: 1_750_000_000,
      model: 'claude-sonnet',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          logprobs: null,
          message: {
            role: 'assistant',
            content: 'Checking both.',
            refusal: null,
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
            ],
          },
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 } },
    });
  });

  it('gives null content when there is no text, and no tool_calls key when there are no tools', () => {
    const toolsOnly = anthropicMessageToChatCompletion(
      message([{ type: 'tool_use', id: 't', name: 'now', input: {}, caller: { type: 'direct' } }], 'tool_use'),
      ids,
    );
    expect(toolsOnly.choices[0]?.message.content).toBeNull();
    expect(toolsOnly.choices[0]?.message.tool_calls?.[0]?.type).toBe('function');
    const textOnly = anthropicMessageToChatCompletion(message([{ type: 'text', text: 'Hi', citations: null }]), ids);
    expect(textOnly.choices[0]?.message).toEqual({ role: 'assistant', content: 'Hi', refusal: null });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
  ] as const)('maps stop_reason %s to finish_reason %s', (stopReason, finishReason) => {
    const out = anthropicMessageToChatCompletion(message([{ type: 'text', text: 'x', citations: null }], stopReason), ids);
    expect(out.choices[0]?.finish_reason).toBe(finishReason);
  });

  it('counts cache reads and writes into prompt_tokens and reports cache reads as cached_tokens', () => {
    const out = anthropicMessageToChatCompletion(
      message(
        [{ type: 'text', text: 'x', citations: null }],
        'end_turn',
        usage({ input_tokens: 12, cache_creation_input_tokens: 300, cache_read_input_tokens: 2000, output_tokens: 40 }),
      ),
      ids,
    );
    expect(out.usage).toEqual({
      prompt_tokens: 2312,
      completion_tokens: 40,
      total_tokens: 2352,
      prompt_tokens_details: { cached_tokens: 2000 },
    });
  });
});
