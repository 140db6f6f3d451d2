import { describe, expect, it } from 'vitest';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type { Message, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { chatCompletionToAnthropicMessage } from './chat-completion-to-anthropic.ts';
import { createChatToAnthropicStreamTranslator } from './chat-stream-to-anthropic.ts';

const ids = { id: 'msg_gw_2', model: 'qwen3-32b' };

type Delta = ChatCompletionChunk.Choice.Delta;

function chunk(delta: Delta, finishReason: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk {
  return {
    id: 'chatcmpl-up',
    object: 'chat.completion.chunk',
    created: 1_750_000_000,
    model: 'Qwen/Qwen3-32B',
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  };
}

const usage = { prompt_tokens: 300, completion_tokens: 45, total_tokens: 345, prompt_tokens_details: { cached_tokens: 256 } };

/** An OpenAI-style stream: text, then two parallel tool calls, finish_reason, then a separate usage chunk. */
const chunks: ChatCompletionChunk[] = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Let me ' }),
  chunk({ content: 'check.' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: ' "Paris"}' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'get_time', arguments: '{"tz"' } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: ':"CET"}' } }] }),
  chunk({}, 'tool_calls'),
  { ...chunk({}), choices: [], usage },
];

const wholeCompletion: ChatCompletion = {
  id: 'chatcmpl-up',
  object: 'chat.completion',
  created: 1_750_000_000,
  model: 'Qwen/Qwen3-32B',
  choices: [
    {
      index: 0,
      finish_reason: 'tool_calls',
      logprobs: null,
      message: {
        role: 'assistant',
        content: 'Let me check.',
        refusal: null,
        tool_calls: [
          { id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
          { id: 'call_B', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
        ],
      },
    },
  ],
  usage,
};

function translateAll(input: ChatCompletionChunk[]): RawMessageStreamEvent[] {
  const translator = createChatToAnthropicStreamTranslator(ids);
  return [...input.flatMap((c) => translator.push(c)), ...translator.finish()];
}

/** Fails unless the events follow Anthropic's grammar: start, blocks opened, fed and closed one at a time, delta, stop. */
function expectValidSequence(events: RawMessageStreamEvent[]): void {
  expect(events[0]?.type).toBe('message_start');
  expect(events.at(-2)?.type).toBe('message_delta');
  expect(events.at(-1)?.type).toBe('message_stop');
  let open: number | null = null;
  let next = 0;
  for (const event of events.slice(1, -2)) {
    if (event.type === 'content_block_start') {
      expect(open).toBeNull();
      expect(event.index).toBe(next);
      open = next++;
    } else if (event.type === 'content_block_delta') {
      expect(event.index).toBe(open);
    } else if (event.type === 'content_block_stop') {
      expect(event.index).toBe(open);
      open = null;
    } else {
      throw new Error(`unexpected ${event.type} between message_start and message_delta`);
    }
  }
  expect(open).toBeNull();
}

/** Assembles events with the Anthropic SDK's own stream accumulator. */
async function assemble(events: RawMessageStreamEvent[]): Promise<Message> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(new TextEncoder().encode(`${JSON.stringify(event)}\n`));
      controller.close();
    },
  });
  return MessageStream.fromReadableStream(body).finalMessage();
}

describe('createChatToAnthropicStreamTranslator', () => {
  it('emits a valid event sequence: a text block, then one tool_use block per tool call', () => {
    const events = translateAll(chunks);
    expectValidSequence(events);
    const starts = events.filter((e) => e.type === 'content_block_start').map((e) => e.content_block);
    expect(starts).toEqual([
      { type: 'text', text: '', citations: null },
      { type: 'tool_use', id: 'call_A', name: 'get_weather', input: {}, caller: { type: 'direct' } },
      { type: 'tool_use', id: 'call_B', name: 'get_time', input: {}, caller: { type: 'direct' } },
    ]);
    const deltas = events.flatMap((e) => (e.type === 'content_block_delta' ? [[e.index, e.delta]] : []));
    expect(deltas).toEqual([
      [0, { type: 'text_delta', text: 'Let me ' }],
      [0, { type: 'text_delta', text: 'check.' }],
      [1, { type: 'input_json_delta', partial_json: '{"city":' }],
      [1, { type: 'input_json_delta', partial_json: ' "Paris"}' }],
      [2, { type: 'input_json_delta', partial_json: '{"tz"' }],
      [2, { type: 'input_json_delta', partial_json: ':"CET"}' }],
    ]);
  });

  it('puts the stop reason and the late usage chunk into message_delta', () => {
    const events = translateAll(chunks);
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null, stop_details: null, container: null },
      usage: {
        output_tokens: 45,
        input_tokens: 44,
        cache_read_input_tokens: 256,
        cache_creation_input_tokens: 0,
        output_tokens_details: null,
        server_tool_use: null,
      },
    });
  });

  it('starts with message_start carrying the gateway id, model and zero usage', () => {
    const [first] = translateAll(chunks);
    expect(first).toMatchObject({
      type: 'message_start',
      message: { id: 'msg_gw_2', model: 'qwen3-32b', role: 'assistant', content: [], stop_reason: null, usage: { input_tokens: 0, output_tokens: 0 } },
    });
  });

  it('assembles (with the Anthropic SDK) into the same message as the non-streaming translation', async () => {
    const assembled = await assemble(translateAll(chunks));
    const direct = chatCompletionToAnthropicMessage(wholeCompletion, ids);
    expect(assembled.content).toEqual(direct.content);
    expect(assembled.stop_reason).toBe(direct.stop_reason);
    expect(assembled.usage.output_tokens).toBe(direct.usage.output_tokens);
    expect(assembled.usage.input_tokens).toBe(direct.usage.input_tokens);
    expect(assembled.usage.cache_read_input_tokens).toBe(direct.usage.cache_read_input_tokens);
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
  ] as const)('maps a streamed finish_reason %s to %s', (finishReason, stopReason) => {
    const events = translateAll([chunk({ role: 'assistant', content: 'Hi' }), chunk({}, finishReason)]);
    expectValidSequence(events);
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: stopReason }, usage: { output_tokens: 0, input_tokens: null } });
  });

  it('emits a minimal valid sequence when no chunk came, and nothing on a second finish', async () => {
    const translator = createChatToAnthropicStreamTranslator(ids);
    const events = translator.finish();
    expect(events.map((e) => e.type)).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(translator.finish()).toEqual([]);
    expect(translator.push(chunk({ content: 'late' }))).toEqual([]);
    const assembled = await assemble(events);
    expect(assembled).toMatchObject({ id: 'msg_gw_2', content: [], stop_reason: 'end_turn' });
  });

  it('closes the open block in finish() when the upstream ended without a finish_reason', async () => {
    const events = translateAll([chunk({ role: 'assistant', content: 'Partial ans' }), chunk({ content: 'wer' })]);
    expectValidSequence(events);
    const message = await assemble(events);
    expect(message.content).toEqual([{ type: 'text', text: 'Partial answer', citations: null }]);
    expect(message.stop_reason).toBe('end_turn');
  });

  it('handles a tool call sent whole in one chunk, and usage on the finish chunk', async () => {
    const events = translateAll([
      chunk({ role: 'assistant', tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'now', arguments: '{}' } }] }),
      { ...chunk({}, 'tool_calls'), usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } },
    ]);
    expectValidSequence(events);
    const message = await assemble(events);
    expect(message.content).toEqual([{ type: 'tool_use', id: 'c1', name: 'now', input: {}, caller: { type: 'direct' } }]);
    expect(message.usage).toMatchObject({ input_tokens: 5, output_tokens: 3 });
  });

  it('says tool_use when an upstream ends tool calls with finish_reason stop', () => {
    const events = translateAll([
      chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'now', arguments: '{}' } }] }),
      chunk({}, 'stop'),
    ]);
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'tool_use' } });
  });
});
