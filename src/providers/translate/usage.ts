import type { MessageDeltaUsage, Usage } from '@anthropic-ai/sdk/resources/messages';
import type { CompletionUsage } from 'openai/resources/completions';

/** Anthropic's token counts, nulls read as zero. */
export interface AnthropicTokenCounts {
  input: number;
  cacheCreation: number;
  cacheRead: number;
  output: number;
}

export const zeroTokenCounts: AnthropicTokenCounts = { input: 0, cacheCreation: 0, cacheRead: 0, output: 0 };

export function tokenCountsFromUsage(usage: Usage | MessageDeltaUsage): AnthropicTokenCounts {
  return {
    input: usage.input_tokens ?? 0,
    cacheCreation: usage.cache_creation_input_tokens ?? 0,
    cacheRead: usage.cache_read_input_tokens ?? 0,
    output: usage.output_tokens,
  };
}

/**
 * Anthropic counts cache reads and cache writes apart from `input_tokens`; OpenAI's `prompt_tokens` includes them,
 * with the cached part repeated in `prompt_tokens_details.cached_tokens`.
 */
export function chatUsageFromTokenCounts(counts: AnthropicTokenCounts): CompletionUsage {
  const prompt = counts.input + counts.cacheCreation + counts.cacheRead;
  return {
    prompt_tokens: prompt,
    completion_tokens: counts.output,
    total_tokens: prompt + counts.output,
    prompt_tokens_details: { cached_tokens: counts.cacheRead },
  };
}

/**
 * The inverse of `chatUsageFromTokenCounts`: cached and cache-written tokens, when the upstream reports them,
 * move out of `input_tokens` into Anthropic's cache fields. Without details, input_tokens = prompt_tokens.
 */
export function tokenCountsFromChatUsage(usage: CompletionUsage | null | undefined): AnthropicTokenCounts {
  if (!usage) return zeroTokenCounts;
  const cacheRead = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const cacheCreation = usage.prompt_tokens_details?.cache_write_tokens ?? 0;
  return {
    input: Math.max(0, usage.prompt_tokens - cacheRead - cacheCreation),
    cacheCreation,
    cacheRead,
    output: usage.completion_tokens,
  };
}

export function anthropicUsage(counts: AnthropicTokenCounts): Usage {
  return {
    input_tokens: counts.input,
    output_tokens: counts.output,
    cache_creation_input_tokens: counts.cacheCreation,
    cache_read_input_tokens: counts.cacheRead,
    cache_creation: null,
    inference_geo: null,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: null,
    speed: null,
  };
}
