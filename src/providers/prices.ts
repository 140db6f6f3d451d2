import type { Price } from '../config/index.ts';

/**
 * List prices in USD per million tokens (input, output, cached input) for common models.
 * The FIXPOINT_CONFIG `prices` map overrides and extends this. Matching is exact first, then the
 * longest prefix, so dated snapshots ("gpt-4o-mini-2024-07-18") find their family's price.
 */
export const builtInPrices: Record<string, Price> = {
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'o3': { input: 2, output: 8, cachedInput: 0.5 },
  'o3-mini': { input: 1.1, output: 4.4, cachedInput: 0.55 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'claude-opus-4': { input: 15, output: 75, cachedInput: 1.5 },
  'claude-sonnet-4': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-haiku-4': { input: 1, output: 5, cachedInput: 0.1 },
  'claude-3-7-sonnet': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-5-sonnet': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cachedInput: 0.08 },
};

export interface Usage {
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
  cachedTokens: number | null;
}

export type PriceLookup = (model: string | null) => Price | null;

export function createPriceLookup(overrides: Record<string, Price>): PriceLookup {
  const table = { ...builtInPrices, ...overrides };
  const names = Object.keys(table).sort((a, b) => b.length - a.length);
  const cache = new Map<string, Price | null>();
  return (model) => {
    if (!model) return null;
    const hit = cache.get(model);
    if (hit !== undefined) return hit;
    const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
    const found = table[bare] ?? names.map((n) => (bare.startsWith(n) ? table[n] : undefined)).find(Boolean) ?? null;
    if (cache.size < 10_000) cache.set(model, found);
    return found;
  };
}

/** Estimated cost in USD; null when the model has no price or there is no usage. */
export function estimateCost(price: Price | null, usage: Usage): number | null {
  if (!price || (usage.inputTokens === null && usage.outputTokens === null)) return null;
  const cached = usage.cachedTokens ?? 0;
  const input = Math.max(0, (usage.inputTokens ?? 0) - cached);
  const cachedRate = price.cachedInput ?? price.input;
  return (input * price.input + cached * cachedRate + (usage.outputTokens ?? 0) * price.output) / 1_000_000;
}
