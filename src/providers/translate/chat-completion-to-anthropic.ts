import type { ContentBlock, Message, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletion, ChatCompletionMessage } from 'openai/resources/chat/completions';
import { finishReasonToStopReason } from './stop-reasons.ts';
import { parseToolArgumentsLeniently } from './tool-arguments.ts';
import { anthropicUsage, tokenCountsFromChatUsage } from './usage.ts';

export interface AnthropicMessageIdentity {
  id: string;
  model: string;
}

/**
 * An OpenAI chat completion (first choice) → an Anthropic message. Text (or a refusal) becomes a text block and
 * tool calls become `tool_use` blocks; arguments an upstream got wrong become `{}` rather than an error.
 */
export function chatCompletionToAnthropicMessage(resp: ChatCompletion, opts: AnthropicMessageIdentity): Message {
  const choice = resp.choices[0];
  const content = choice ? contentBlocks(choice.message, opts.id) : [];
  let stopReason = finishReasonToStopReason(choice?.finish_reason);
  // Some OpenAI-compatible upstreams say `stop` after tool calls; Anthropic clients look for `tool_use`.
  if (stopReason === 'end_turn' && content.some((b) => b.type === 'tool_use')) stopReason = 'tool_use';
  return {
    id: opts.id,
    type: 'message',
    role: 'assistant',
    model: opts.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: anthropicUsage(tokenCountsFromChatUsage(resp.usage)),
  };
}

function contentBlocks(message: ChatCompletionMessage, messageId: string): ContentBlock[] {
  const blocks: ContentBlock[] = [];
  const text = message.content || message.refusal;
  if (text) blocks.push({ type: 'text', text, citations: null });
  message.tool_calls?.forEach((call, k) => {
    const id = call.id || `toolu_${messageId}_${k}`;
    if (call.type === 'function') {
      blocks.push(toolUse(id, call.function.name, parseToolArgumentsLeniently(call.function.arguments)));
    } else {
      blocks.push(toolUse(id, call.custom.name, { input: call.custom.input }));
    }
  });
  const fn = message.function_call;
  if (fn) blocks.push(toolUse(`toolu_${messageId}_fn`, fn.name, parseToolArgumentsLeniently(fn.arguments)));
  return blocks;
}

function toolUse(id: string, name: string, input: Record<string, unknown>): ToolUseBlock {
  return { type: 'tool_use', id, name, input, caller: { type: 'direct' } };
}
