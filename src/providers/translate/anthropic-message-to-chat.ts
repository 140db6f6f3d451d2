import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type {
  ChatCompletion,
  ChatCompletionMessage,
  ChatCompletionMessageFunctionToolCall,
} from 'openai/resources/chat/completions';
import { stopReasonToFinishReason } from './stop-reasons.ts';
import { chatUsageFromTokenCounts, tokenCountsFromUsage } from './usage.ts';

export interface ChatCompletionIdentity {
  id: string;
  model: string;
  created: number;
}

/**
 * A whole Anthropic message → an OpenAI chat completion. Text blocks are concatenated into `content`;
 * `tool_use` blocks become function tool calls; thinking, citations and server-tool blocks are dropped.
 */
export function anthropicMessageToChatCompletion(msg: Message, opts: ChatCompletionIdentity): ChatCompletion {
  const texts: string[] = [];
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
  for (const block of msg.content) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') {
      const args = JSON.stringify(block.input ?? {});
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: args } });
    }
  }
  const message: ChatCompletionMessage = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : null,
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: opts.id,
    object: 'chat.completion',
    created: opts.created,
    model: opts.model,
    choices: [{ index: 0, message, finish_reason: stopReasonToFinishReason(msg.stop_reason), logprobs: null }],
    usage: chatUsageFromTokenCounts(tokenCountsFromUsage(msg.usage)),
  };
}
