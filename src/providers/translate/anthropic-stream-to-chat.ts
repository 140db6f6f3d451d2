import type {
  RawContentBlockDeltaEvent,
  RawContentBlockStartEvent,
  RawMessageDeltaEvent,
  RawMessageStreamEvent,
} from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { stopReasonToFinishReason, type ChatFinishReason } from './stop-reasons.ts';
import { chatUsageFromTokenCounts, tokenCountsFromUsage, zeroTokenCounts, type AnthropicTokenCounts } from './usage.ts';

export interface AnthropicToChatStreamOptions {
  id: string;
  model: string;
  created: number;
  /** The client asked for `stream_options.include_usage`: a last chunk with `choices: []` and `usage`. */
  includeUsage: boolean;
}

export interface AnthropicToChatStreamTranslator {
  /** One Anthropic stream event → the chat chunks it becomes (often none). */
  push(event: RawMessageStreamEvent): ChatCompletionChunk[];
}

type Delta = ChatCompletionChunk.Choice.Delta;

interface StreamState {
  opts: AnthropicToChatStreamOptions;
  /** Anthropic content block index → OpenAI tool call index (0, 1, … in order of appearance). */
  toolIndexByBlock: Map<number, number>;
  counts: AnthropicTokenCounts;
}

/**
 * Anthropic Messages stream events → OpenAI chat completion chunks. Stateful: one translator per stream.
 * Thinking, signature and citation deltas, server-tool blocks, and events it does not know (ping) yield nothing.
 */
export function createAnthropicToChatStreamTranslator(opts: AnthropicToChatStreamOptions): AnthropicToChatStreamTranslator {
  const state: StreamState = { opts, toolIndexByBlock: new Map(), counts: zeroTokenCounts };
  return {
    push(event) {
      switch (event.type) {
        case 'message_start':
          state.counts = tokenCountsFromUsage(event.message.usage);
          return [deltaChunk(state, { role: 'assistant', content: '' })];
        case 'content_block_start':
          return onBlockStart(state, event);
        case 'content_block_delta':
          return onBlockDelta(state, event);
        case 'message_delta':
          return onMessageDelta(state, event);
        case 'message_stop':
          return state.opts.includeUsage ? [usageChunk(state)] : [];
        default:
          return [];
      }
    },
  };
}

function onBlockStart(state: StreamState, event: RawContentBlockStartEvent): ChatCompletionChunk[] {
  const block = event.content_block;
  if (block.type === 'text') return block.text ? [deltaChunk(state, { content: block.text })] : [];
  if (block.type !== 'tool_use') return [];
  const index = state.toolIndexByBlock.size;
  state.toolIndexByBlock.set(event.index, index);
  const call = { index, id: block.id, type: 'function' as const, function: { name: block.name, arguments: '' } };
  return [deltaChunk(state, { tool_calls: [call] })];
}

function onBlockDelta(state: StreamState, event: RawContentBlockDeltaEvent): ChatCompletionChunk[] {
  const delta = event.delta;
  if (delta.type === 'text_delta') return delta.text ? [deltaChunk(state, { content: delta.text })] : [];
  if (delta.type !== 'input_json_delta' || delta.partial_json === '') return [];
  const index = state.toolIndexByBlock.get(event.index);
  if (index === undefined) return [];
  return [deltaChunk(state, { tool_calls: [{ index, function: { arguments: delta.partial_json } }] })];
}

/** `message_delta` usage is cumulative; input and cache counts, when present, replace message_start's. */
function onMessageDelta(state: StreamState, event: RawMessageDeltaEvent): ChatCompletionChunk[] {
  const u = event.usage;
  const c = state.counts;
  state.counts = {
    input: u.input_tokens ?? c.input,
    cacheCreation: u.cache_creation_input_tokens ?? c.cacheCreation,
    cacheRead: u.cache_read_input_tokens ?? c.cacheRead,
    output: u.output_tokens,
  };
  const reason = event.delta.stop_reason;
  return reason === null ? [] : [deltaChunk(state, {}, stopReasonToFinishReason(reason))];
}

function baseChunk(state: StreamState, choices: ChatCompletionChunk.Choice[]): ChatCompletionChunk {
  const { id, created, model, includeUsage } = state.opts;
  const chunk: ChatCompletionChunk = { id, object: 'chat.completion.chunk', created, model, choices };
  // OpenAI sends `usage: null` on every chunk but the last when include_usage is set.
  if (includeUsage) chunk.usage = null;
  return chunk;
}

function deltaChunk(state: StreamState, delta: Delta, finishReason: ChatFinishReason | null = null): ChatCompletionChunk {
  return baseChunk(state, [{ index: 0, delta, finish_reason: finishReason, logprobs: null }]);
}

function usageChunk(state: StreamState): ChatCompletionChunk {
  return { ...baseChunk(state, []), usage: chatUsageFromTokenCounts(state.counts) };
}
