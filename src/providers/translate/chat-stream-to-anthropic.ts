import type { Message, MessageDeltaUsage, RawMessageStreamEvent, StopReason } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { finishReasonToStopReason } from './stop-reasons.ts';
import { anthropicUsage, tokenCountsFromChatUsage, zeroTokenCounts } from './usage.ts';

export interface ChatToAnthropicStreamOptions {
  id: string;
  model: string;
}

export interface ChatToAnthropicStreamTranslator {
  /** One chat chunk → the Anthropic events it becomes. The first call also emits `message_start`. */
  push(chunk: ChatCompletionChunk): RawMessageStreamEvent[];
  /**
   * The stream's end: closes the open block, then `message_delta` (stop reason, usage) and `message_stop`.
   * Kept apart from the finish_reason chunk so that a usage chunk arriving after it is counted. Safe with no chunks
   * pushed (a minimal valid sequence) and safe to call twice (the second call returns nothing).
   */
  finish(): RawMessageStreamEvent[];
}

type ToolCallDelta = ChatCompletionChunk.Choice.Delta.ToolCall;

interface StreamState {
  opts: ChatToAnthropicStreamOptions;
  started: boolean;
  finished: boolean;
  nextBlock: number;
  open: { index: number; kind: 'text' | 'tool_use' } | null;
  /** OpenAI tool call index (-1 for a legacy function_call) → Anthropic content block index. */
  toolBlocks: Map<number, number>;
  stopReason: StopReason | null;
  usage: CompletionUsage | null;
}

/**
 * OpenAI chat completion chunks → Anthropic Messages stream events, one block open at a time. An upstream that
 * interleaves the arguments of parallel tool calls gets its late arguments sent on the tool's (closed) block index,
 * which clients that accumulate by index (the Anthropic SDK does) still assemble correctly.
 */
export function createChatToAnthropicStreamTranslator(opts: ChatToAnthropicStreamOptions): ChatToAnthropicStreamTranslator {
  const state: StreamState = {
    opts,
    started: false,
    finished: false,
    nextBlock: 0,
    open: null,
    toolBlocks: new Map(),
    stopReason: null,
    usage: null,
  };
  return { push: (chunk) => onChunk(state, chunk), finish: () => onFinish(state) };
}

function onChunk(state: StreamState, chunk: ChatCompletionChunk): RawMessageStreamEvent[] {
  if (state.finished) return [];
  const events = start(state);
  if (chunk.usage) state.usage = chunk.usage;
  const choice = chunk.choices.find((c) => c.index === 0);
  if (!choice) return events;
  const { content, refusal, tool_calls: toolCalls, function_call: functionCall } = choice.delta;
  if (content) events.push(...textDelta(state, content));
  if (refusal) events.push(...textDelta(state, refusal));
  for (const call of toolCalls ?? []) events.push(...toolCallDelta(state, call));
  if (functionCall) events.push(...toolCallDelta(state, { index: -1, function: functionCall }));
  if (choice.finish_reason) {
    state.stopReason = finishReasonToStopReason(choice.finish_reason);
    events.push(...closeOpenBlock(state));
  }
  return events;
}

function onFinish(state: StreamState): RawMessageStreamEvent[] {
  if (state.finished) return [];
  const events = [...start(state), ...closeOpenBlock(state)];
  state.finished = true;
  let stopReason = state.stopReason ?? 'end_turn';
  if (stopReason === 'end_turn' && state.toolBlocks.size > 0) stopReason = 'tool_use';
  const delta = { stop_reason: stopReason, stop_sequence: null, stop_details: null, container: null };
  events.push({ type: 'message_delta', delta, usage: deltaUsage(state.usage) });
  events.push({ type: 'message_stop' });
  return events;
}

function start(state: StreamState): RawMessageStreamEvent[] {
  if (state.started) return [];
  state.started = true;
  const message: Message = {
    id: state.opts.id,
    type: 'message',
    role: 'assistant',
    model: state.opts.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: anthropicUsage(zeroTokenCounts),
  };
  return [{ type: 'message_start', message }];
}

function closeOpenBlock(state: StreamState): RawMessageStreamEvent[] {
  if (!state.open) return [];
  const index = state.open.index;
  state.open = null;
  return [{ type: 'content_block_stop', index }];
}

function openBlock(state: StreamState, kind: 'text' | 'tool_use'): { events: RawMessageStreamEvent[]; index: number } {
  const events = closeOpenBlock(state);
  const index = state.nextBlock++;
  state.open = { index, kind };
  return { events, index };
}

function textDelta(state: StreamState, text: string): RawMessageStreamEvent[] {
  const events: RawMessageStreamEvent[] = [];
  let index = state.open?.kind === 'text' ? state.open.index : undefined;
  if (index === undefined) {
    const opened = openBlock(state, 'text');
    index = opened.index;
    events.push(...opened.events, { type: 'content_block_start', index, content_block: { type: 'text', text: '', citations: null } });
  }
  events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
  return events;
}

function toolCallDelta(state: StreamState, call: ToolCallDelta): RawMessageStreamEvent[] {
  const events: RawMessageStreamEvent[] = [];
  let index = state.toolBlocks.get(call.index);
  if (index === undefined) {
    const opened = openBlock(state, 'tool_use');
    index = opened.index;
    state.toolBlocks.set(call.index, index);
    const id = call.id || `toolu_${state.opts.id}_${index}`;
    const block = { type: 'tool_use' as const, id, name: call.function?.name ?? '', input: {}, caller: { type: 'direct' as const } };
    events.push(...opened.events, { type: 'content_block_start', index, content_block: block });
  }
  const args = call.function?.arguments;
  if (args) events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } });
  return events;
}

function deltaUsage(usage: CompletionUsage | null): MessageDeltaUsage {
  const counts = tokenCountsFromChatUsage(usage);
  const known = usage !== null;
  return {
    output_tokens: counts.output,
    input_tokens: known ? counts.input : null,
    cache_creation_input_tokens: known ? counts.cacheCreation : null,
    cache_read_input_tokens: known ? counts.cacheRead : null,
    output_tokens_details: null,
    server_tool_use: null,
  };
}
