import type { MessageCreateParams, MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import { AppError } from '../../core/index.ts';
import { chatMessagesToAnthropic } from './chat-messages-to-anthropic.ts';
import { chatToolChoiceToAnthropic, chatToolsToAnthropic } from './chat-tools-to-anthropic.ts';
import { responseFormatInstruction } from './response-format.ts';

/**
 * Anthropic requires `max_tokens`; OpenAI does not. Used when the client sets neither limit and the
 * caller gives no `defaultMaxTokens` (the gateway gives `translation.toAnthropic`'s, per model).
 */
export const DEFAULT_MAX_TOKENS = 4096;

/** The first Anthropic API version that answers 400 to `temperature`, `top_p` and `top_k`, even at their defaults. */
export const ANTHROPIC_VERSION_WITHOUT_SAMPLING = '2026-10-21';

export interface ChatRequestToAnthropicOptions {
  /**
   * The `anthropic-version` header the request will go out with. From 2026-10-21 on, `temperature` and `top_p`
   * are left out; before it (or when not given) one of them is sent: `temperature` (capped at Anthropic's maximum
   * of 1) if the client set it, else `top_p`.
   */
  anthropicVersion?: string;
  /** `max_tokens` when the client set neither `max_tokens` nor `max_completion_tokens` (default DEFAULT_MAX_TOKENS). */
  defaultMaxTokens?: number;
}

/**
 * Sampling fields that API version 2023-06-01 accepts and @anthropic-ai/sdk v1's types (version 2026-10-21)
 * no longer describe.
 */
interface LegacySamplingParams {
  temperature?: number;
  top_p?: number;
}

/**
 * An OpenAI Chat Completions request → an Anthropic Messages request for `upstreamModel`.
 *
 * Ignored: fields with no Anthropic meaning that do not change the answer's shape: seed, presence/frequency
 * penalties, store, metadata, prediction, service_tier, prompt cache keys, reasoning_effort, verbosity,
 * logprobs: false, and stream_options (the caller makes the usage chunk).
 * Rejected (AppError 'unsupported'): n > 1, logprobs, top_logprobs, logit_bias, audio output, web search options.
 */
export function chatRequestToAnthropic(
  req: ChatCompletionCreateParams,
  upstreamModel: string,
  opts: ChatRequestToAnthropicOptions = {},
): MessageCreateParams {
  rejectUntranslatable(req);
  const { system, messages } = chatMessagesToAnthropic(req.messages);
  const instruction = responseFormatInstruction(req.response_format);
  if (instruction) system.push({ type: 'text', text: instruction });

  const out: MessageCreateParamsNonStreaming & LegacySamplingParams = {
    model: upstreamModel,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? opts.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
    messages,
    ...samplingParams(req, opts.anthropicVersion),
  };
  if (system.length > 0) out.system = system;
  const stop = stopSequences(req.stop);
  if (stop) out.stop_sequences = stop;
  const userId = req.user ?? req.safety_identifier;
  if (userId) out.metadata = { user_id: userId };
  const tools = chatToolsToAnthropic(req);
  if (tools) out.tools = tools;
  const toolChoice = chatToolChoiceToAnthropic(req, tools !== undefined);
  if (toolChoice) out.tool_choice = toolChoice;

  if (req.stream === true) return { ...out, stream: true };
  if (req.stream === false) out.stream = false;
  return out;
}

function samplingParams(req: ChatCompletionCreateParams, anthropicVersion: string | undefined): LegacySamplingParams {
  // Version strings are ISO dates, so they compare as strings.
  if (anthropicVersion !== undefined && anthropicVersion >= ANTHROPIC_VERSION_WITHOUT_SAMPLING) return {};
  // Recent Claude models refuse temperature and top_p together; temperature is the one clients mean.
  if (typeof req.temperature === 'number') return { temperature: Math.min(Math.max(req.temperature, 0), 1) };
  if (typeof req.top_p === 'number') return { top_p: req.top_p };
  return {};
}

function stopSequences(stop: ChatCompletionCreateParams['stop']): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  const list = (typeof stop === 'string' ? [stop] : stop).filter((s) => s !== '');
  return list.length > 0 ? list : undefined;
}

function rejectUntranslatable(req: ChatCompletionCreateParams): void {
  const unsupported = (message: string, param: string): AppError => new AppError('unsupported', message, { param });
  if (typeof req.n === 'number' && req.n > 1) throw unsupported('n > 1 is not supported for this model.', 'n');
  if (req.logprobs === true) throw unsupported('logprobs are not supported for this model.', 'logprobs');
  if (typeof req.top_logprobs === 'number' && req.top_logprobs > 0) {
    throw unsupported('top_logprobs is not supported for this model.', 'top_logprobs');
  }
  if (req.logit_bias && Object.keys(req.logit_bias).length > 0) {
    throw unsupported('logit_bias is not supported for this model.', 'logit_bias');
  }
  if (req.audio) throw unsupported('Audio output is not supported for this model.', 'audio');
  if (req.modalities?.includes('audio')) throw unsupported('Audio output is not supported for this model.', 'modalities');
  if (req.web_search_options) {
    throw unsupported('web_search_options is not supported for this model.', 'web_search_options');
  }
}
