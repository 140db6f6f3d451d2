import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { createTokenLimits } from './token-limits.ts';

const limitsOf = (yaml?: string) => createTokenLimits(loadConfig({}, yaml).file.translation);

describe('token limits of translated calls', () => {
  it('by default: OpenAI reasoning models take max_completion_tokens; Claude gets 4096', () => {
    const limits = limitsOf();
    for (const m of ['o1', 'o1-mini', 'o3', 'o3-mini', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'openai/o4-mini', 'O3']) expect(limits.openaiTokenLimitField(m), m).toBe('max_completion_tokens');
    for (const m of ['gpt-4o-mini', 'gpt-4.1', 'llama-3-8b', 'meta-llama/Llama-3-8b', 'omni-moderation']) expect(limits.openaiTokenLimitField(m), m).toBe('max_tokens');
    expect(limits.anthropicDefaultMaxTokens('claude-sonnet-4-20250514')).toBe(4096);
  });

  it('per model, by the longest matching prefix; the prefix list replaces the default one', () => {
    const limits = limitsOf(`
translation:
  toAnthropic: { defaultMaxTokens: 1000, maxTokens: { claude-: 2000, claude-opus-4: 3000, Claude-Opus-4-1: 4000 } }
  toOpenAI: { maxCompletionTokensModels: [reasoner] }
`);
    expect(limits.anthropicDefaultMaxTokens('claude-opus-4-1-20250805')).toBe(4000);
    expect(limits.anthropicDefaultMaxTokens('claude-opus-4-20250514')).toBe(3000);
    expect(limits.anthropicDefaultMaxTokens('claude-3-5-haiku-latest')).toBe(2000);
    expect(limits.anthropicDefaultMaxTokens('my-finetune')).toBe(1000);
    expect(limits.openaiTokenLimitField('reasoner-eu')).toBe('max_completion_tokens');
    expect(limits.openaiTokenLimitField('o3')).toBe('max_tokens');
  });

  it('rejects a limit that is not a positive whole number, naming the key', () => {
    expect(() => limitsOf('translation: { toAnthropic: { maxTokens: { claude-: 0 } } }')).toThrow(/translation\.toAnthropic\.maxTokens\.claude-/);
    expect(() => limitsOf('translation: { toAnthropic: { defaultMaxTokens: 1.5 } }')).toThrow(/translation\.toAnthropic\.defaultMaxTokens/);
  });
});
