import { describe, expect, it } from 'vitest';
import { ChatCompletionStream } from 'openai/lib/ChatCompletionStream';
import type { Message, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { anthropicMessageToChatCompletion } from './anthropic-message-to-chat.ts';
import { createAnthropicToChatStreamTranslator } from './anthropic-stream-to-chat.ts';

const ids = { id: 'chatcmpl-xyz', model: 'claude-sonnet', created: 1_750_000_000 };

const startUsage = {
  input_tokens: 25,
  output_tokens: 1,
  cache_creation_input_tokens: 100,
  cache_read_input_tokens: 900,
  cache_creation: null,
  inference_geo: null,
  output_tokens_details: null,
  server_tool_use: null,
  service_tier: 'standard' as const,
  speed: null,
};

const emptyMessage: Message = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content: [],
  stop_reason: null,
  stop_sequence: null,
  stop_details: null,
  container: null,
  diagnostics: null,
  usage: startUsage,
};

/** What Anthropic streams for: thinking, some text, then two parallel tool calls. */
const events: RawMessageStreamEvent[] = [
  { type: 'message_start', message: emptyMessage },
  { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Two lookups.' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'c2ln' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'ping' } as unknown as RawMessageStreamEvent, // ping is on the wire but not in the SDK's union
  { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '', citations: null } },
  { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Let me ' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'check.' } },
  { type: 'content_block_stop', index: 1 },
  {
    type: 'content_block_start',
    index: 2,
    content_block: { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: {}, caller: { type: 'direct' } },
  },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "Par' } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: 'is"}' } },
  { type: 'content_block_stop', index: 2 },
  {
    type: 'content_block_start',
    index: 3,
    content_block: { type: 'tool_use', id: 'toolu_B', name: 'get_time', input: {}, caller: { type: 'direct' } },
  },
  { type: 'content_block_delta', index: 3, delta: { type: 'input_json_delta', partial_json: '{"tz":"CET"}' } },
  { type: 'content_block_stop', index: 3 },
  {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null, stop_details: null, container: null },
    usage: {
      output_tokens: 87,
      input_tokens: null,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
      output_tokens_details: null,
      server_tool_use: null,
    },
  },
  { type: 'message_stop' },
];

/** The same answer as a whole message, for comparing the assembled stream with the non-streaming path. */
const wholeMessage: Message = {
  ...emptyMessage,
  content: [
    { type: 'thinking', thinking: 'Two lookups.', signature: 'c2ln' },
    { type: 'text', text: 'Let me check.', citations: null },
    { type: 'tool_use', id: 'toolu_A', name: 'get_weather', input: { city: 'Paris' }, caller: { type: 'direct' } },
    { type: 'tool_use', id: 'toolu_B', name: 'get_time', input: { tz: 'CET' }, caller: { type: 'direct' } },
  ],
  stop_reason: 'tool_use',
  usage: { ...startUsage, output_tokens: 87 },
};

function translateAll(includeUsage: boolean): ChatCompletionChunk[] {
  const translator = createAnthropicToChatStreamTranslator({ ...ids, includeUsage });
  return events.flatMap((event) => translator.push(event));
}

/** Assembles chunks with the OpenAI SDK's own stream accumulator. */
async function assemble(chunks: ChatCompletionChunk[]): Promise<ChatCompletion> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(`${JSON.stringify(chunk)}\n`));
      controller.close();
    },
  });
  return ChatCompletionStream.fromReadableStream(body).finalChatCompletion();
}

describe('createAnthropicToChatStreamTranslator', () => {
  it('emits role first, text deltas, indexed tool call deltas, a finish chunk and a usage chunk', () => {
    const chunks = translateAll(true);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: 'chatcmpl-xyz', object: 'chat.completion.chunk', created: 1_750_000_000, model: 'claude-sonnet' });
    }
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Let me ' },
      { content: 'check.' },
      { tool_calls: [{ index: 0, id: 'toolu_A', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"city": "Par' } }] },
      { tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] },
      { tool_calls: [{ index: 1, id: 'toolu_B', type: 'function', function: { name: 'get_time', arguments: '' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{"tz":"CET"}' } }] },
      {},
      null,
    ]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([...Array(8).fill(null), 'tool_calls', null]);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 1025, completion_tokens: 87, total_tokens: 1112, prompt_tokens_details: { cached_tokens: 900 } },
    });
  });

  it('sends no usage chunk and no usage fields unless asked', () => {
    const chunks = translateAll(false);
    expect(chunks).toHaveLength(9);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
  });

  it('assembles (with the OpenAI SDK) into the same completion as the non-streaming translation', async () => {
    const assembled = await assemble(translateAll(true));
    const direct = anthropicMessageToChatCompletion(wholeMessage, ids);
    expect(assembled.choices[0]?.message.content).toBe(direct.choices[0]?.message.content);
    // Streamed arguments keep the upstream's spacing, so compare them parsed.
    const calls = (c: ChatCompletion) =>
      c.choices[0]?.message.tool_calls?.map((t) =>
        t.type === 'function' ? { id: t.id, name: t.function.name, args: JSON.parse(t.function.arguments) as unknown } : t,
      );
    expect(calls(assembled)).toEqual(calls(direct));
    expect(calls(assembled)).toHaveLength(2);
    expect(assembled.choices[0]?.finish_reason).toBe(direct.choices[0]?.finish_reason);
    expect(assembled.usage).toEqual(direct.usage);
  });

  it('takes input and cache counts from message_delta when it carries them', () => {
    const translator = createAnthropicToChatStreamTranslator({ ...ids, includeUsage: true });
    translator.push({ type: 'message_start', message: { ...emptyMessage, usage: { ...startUsage, cache_read_input_tokens: 0 } } });
    translator.push({
      type: 'message_delta',
      delta: { stop_reason: 'max_tokens', stop_sequence: null, stop_details: null, container: null },
      usage: {
        output_tokens: 9,
        input_tokens: 30,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: 50,
        output_tokens_details: null,
        server_tool_use: null,
      },
    });
    const [last] = translator.push({ type: 'message_stop' });
    expect(last?.usage).toEqual({
      prompt_tokens: 180,
      completion_tokens: 9,
      total_tokens: 189,
      prompt_tokens_details: { cached_tokens: 50 },
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
  ] as const)('maps a streamed stop_reason %s to %s', (stopReason, finishReason) => {
    const translator = createAnthropicToChatStreamTranslator({ ...ids, includeUsage: false });
    translator.push({ type: 'message_start', message: emptyMessage });
    const [chunk] = translator.push({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null, stop_details: null, container: null },
      usage: { output_tokens: 1, input_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null, output_tokens_details: null, server_tool_use: null },
    });
    expect(chunk?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: finishReason, logprobs: null });
  });
});
