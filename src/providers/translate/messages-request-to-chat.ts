import type { MessageCreateParams, OutputConfig } from '@anthropic-ai/sdk/resources/messages';
import type {
  ChatCompletionCreateParams,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { anthropicMessagesToChat, systemText } from './anthropic-messages-to-chat.ts';
import { anthropicToolChoiceToChat, anthropicToolsToChat, disablesParallelToolUse } from './anthropic-tools-to-chat.ts';

/**
 * Sampling fields an Anthropic client on API version 2023-06-01 may still send. @anthropic-ai/sdk v1's types
 * (version 2026-10-21) no longer have them, but the body reaches the gateway untyped.
 */
interface LegacySamplingParams {
  temperature?: unknown;
  top_p?: unknown;
}

export interface MessagesRequestToChatOptions {
  /**
   * The field `max_tokens` goes up as: `max_tokens` (default; what every OpenAI-compatible server knows) or
   * `max_completion_tokens` (what OpenAI's reasoning models, o1, o3, o4-mini and GPT-5, accept instead).
   */
  tokenLimitField?: 'max_tokens' | 'max_completion_tokens';
}

/**
 * An Anthropic Messages request → an OpenAI Chat Completions request for `upstreamModel`, for Anthropic clients
 * talking to a model behind an OpenAI-compatible provider. Thinking settings, top_k, cache_control and the
 * Anthropic-only fields (container, service tier, …) are ignored. Streaming asks for a usage chunk, which the
 * stream translator turns into the final message_delta's usage.
 */
export function messagesRequestToChat(req: MessageCreateParams, upstreamModel: string, opts: MessagesRequestToChatOptions = {}): ChatCompletionCreateParams {
  const messages: ChatCompletionMessageParam[] = [];
  const system = systemText(req.system);
  if (system !== null) messages.push({ role: 'system', content: system });
  messages.push(...anthropicMessagesToChat(req.messages));

  const out: ChatCompletionCreateParamsNonStreaming = { model: upstreamModel, messages };
  if (opts.tokenLimitField === 'max_completion_tokens') out.max_completion_tokens = req.max_tokens;
  else out.max_tokens = req.max_tokens;
  const sampling = req as MessageCreateParams & LegacySamplingParams;
  if (typeof sampling.temperature === 'number') out.temperature = sampling.temperature;
  if (typeof sampling.top_p === 'number') out.top_p = sampling.top_p;
  if (req.stop_sequences && req.stop_sequences.length > 0) out.stop = req.stop_sequences;
  if (req.metadata?.user_id) out.user = req.metadata.user_id;

  const tools = anthropicToolsToChat(req.tools);
  if (tools) {
    out.tools = tools;
    if (req.tool_choice) out.tool_choice = anthropicToolChoiceToChat(req.tool_choice);
    if (disablesParallelToolUse(req.tool_choice)) out.parallel_tool_calls = false;
  }
  const responseFormat = responseFormatFromOutputConfig(req.output_config);
  if (responseFormat) out.response_format = responseFormat;

  if (req.stream === true) return { ...out, stream: true, stream_options: { include_usage: true } };
  return out;
}

/** Anthropic's structured-output format → OpenAI's json_schema response format (not strict, as with tools). */
function responseFormatFromOutputConfig(
  config: OutputConfig | undefined,
): ChatCompletionCreateParams['response_format'] | undefined {
  const format = config?.format;
  if (!format) return undefined;
  return { type: 'json_schema', json_schema: { name: 'response', schema: format.schema } };
}
