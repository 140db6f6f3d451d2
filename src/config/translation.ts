import { z } from 'zod';

/**
 * OpenAI's reasoning models (o1, o3, o4-mini, the GPT-5 family) refuse `max_tokens` and take
 * `max_completion_tokens`; other OpenAI-compatible servers (vLLM, Ollama, …) may know only `max_tokens`.
 */
export const DEFAULT_MAX_COMPLETION_TOKENS_MODELS = ['o1', 'o3', 'o4', 'gpt-5'];

/** Anthropic requires `max_tokens`; an OpenAI client need not send one. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

const tokenCount = z.number().int().positive();

/** How requests are translated between the OpenAI and Anthropic wire formats (the `translation:` section). */
export const translationSchema = z
  .object({
    /** OpenAI-format requests (chat completions, the gateway's own calls) for models of an Anthropic provider. */
    toAnthropic: z
      .object({
        /** `max_tokens` sent when the client set neither `max_tokens` nor `max_completion_tokens`. */
        defaultMaxTokens: tokenCount.default(DEFAULT_ANTHROPIC_MAX_TOKENS),
        /** Per model: model name (as served) or a prefix of it → that default; the longest matching key wins. */
        maxTokens: z.record(z.string().min(1), tokenCount).default({}),
      })
      .strict()
      .default(() => ({ defaultMaxTokens: DEFAULT_ANTHROPIC_MAX_TOKENS, maxTokens: {} })),
    /** Anthropic Messages requests (`/v1/messages`) for models of an OpenAI-compatible provider. */
    toOpenAI: z
      .object({
        /** Models (as served, by prefix) whose token limit goes up as `max_completion_tokens`; all others get `max_tokens`. */
        maxCompletionTokensModels: z.array(z.string().min(1)).default(() => [...DEFAULT_MAX_COMPLETION_TOKENS_MODELS]),
      })
      .strict()
      .default(() => ({ maxCompletionTokensModels: [...DEFAULT_MAX_COMPLETION_TOKENS_MODELS] })),
  })
  .strict();
export type TranslationSettings = z.infer<typeof translationSchema>;
