import type { TranslationSettings } from '../config/index.ts';

export type OpenAITokenLimitField = 'max_tokens' | 'max_completion_tokens';

/** The token-limit choices a translation makes for a model (`translation:` in FIXPOINT_CONFIG). */
export interface TokenLimits {
  /** `max_tokens` of an OpenAI-format request for this Claude model that set no limit. */
  anthropicDefaultMaxTokens(upstreamModel: string): number;
  /** The field that carries an Anthropic client's `max_tokens` to this OpenAI-compatible model. */
  openaiTokenLimitField(upstreamModel: string): OpenAITokenLimitField;
}

/** The names a model is matched by: as served, and without a router's `vendor/` part (`openai/o3` → `o3`). */
function namesOf(model: string): string[] {
  const lower = model.toLowerCase();
  const bare = lower.slice(lower.lastIndexOf('/') + 1);
  return bare === lower ? [lower] : [lower, bare];
}

/** The longest of `keys` that one of the model's names starts with (case-insensitive), or undefined. */
function longestPrefix(keys: readonly string[], model: string): string | undefined {
  const names = namesOf(model);
  let best: string | undefined;
  for (const key of keys) {
    const k = key.toLowerCase();
    if (names.some((n) => n.startsWith(k)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best;
}

export function createTokenLimits(settings: TranslationSettings): TokenLimits {
  const { toAnthropic, toOpenAI } = settings;
  const perModel = Object.keys(toAnthropic.maxTokens);
  return {
    anthropicDefaultMaxTokens(upstreamModel) {
      const key = longestPrefix(perModel, upstreamModel);
      return key === undefined ? toAnthropic.defaultMaxTokens : (toAnthropic.maxTokens[key] ?? toAnthropic.defaultMaxTokens);
    },
    openaiTokenLimitField(upstreamModel) {
      return longestPrefix(toOpenAI.maxCompletionTokensModels, upstreamModel) === undefined ? 'max_tokens' : 'max_completion_tokens';
    },
  };
}
