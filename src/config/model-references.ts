import type { z } from 'zod';
import { aliasFallbacks, aliasTarget, type AliasSettings } from './resilience.ts';

/** The providers every configuration has (from OPENAI_* and ANTHROPIC_*), and their model-name prefixes. */
const BUILT_IN_PROVIDERS: Readonly<Record<string, readonly string[]>> = { openai: [], anthropic: ['claude-'] };

/** What a model reference is checked against: the configured providers and aliases. */
export interface ModelTargets {
  providers: ReadonlyMap<string, readonly string[]>;
  aliases: Readonly<Record<string, string>>;
}

/** The providers the gateway will have: the built-in two, overridden or joined by FIXPOINT_CONFIG's. */
export function modelTargetsOf(fileProviders: Readonly<Record<string, { modelPrefixes: string[] }>>, aliases: Readonly<Record<string, string>>): ModelTargets {
  const providers = new Map<string, readonly string[]>(Object.entries(BUILT_IN_PROVIDERS));
  for (const [name, p] of Object.entries(fileProviders)) providers.set(name, p.modelPrefixes);
  return { providers, aliases };
}

function configuredList(t: ModelTargets): string {
  return [...t.providers.keys()].join(', ');
}

/**
 * Why a model reference would not reach a configured provider, or null when it does. References are
 * resolved as the gateway resolves a client's `model`: an alias; `provider/model` (the rest may hold
 * more slashes, `vllm/meta-llama/Llama-3`, or colons, `openai/ft:gpt-4o-mini:org::id`); or a plain name
 * routed by prefix. A name with a slash whose first part is no provider only reaches one through a
 * configured prefix; otherwise it is a typo or a provider that was never configured.
 */
export function modelReferenceProblem(model: string, t: ModelTargets, { aliasesAllowed = true } = {}): string | null {
  if (aliasesAllowed && Object.hasOwn(t.aliases, model)) return null;
  const slash = model.indexOf('/');
  if (slash <= 0) return null;
  const provider = model.slice(0, slash);
  if (t.providers.has(provider)) {
    return model.length === slash + 1 ? `no model name after "${provider}/"` : null;
  }
  for (const prefixes of t.providers.values()) {
    if (prefixes.some((p) => model.startsWith(p))) return null;
  }
  return `provider "${provider}" is not configured (configured: ${configuredList(t)}); add it under providers, or write <provider>/${model} to send this name to one of them`;
}

/** Why a provider name (not a model) is not configured, or null when it is. */
export function providerNameProblem(name: string, t: ModelTargets): string | null {
  return t.providers.has(name) ? null : `provider "${name}" is not configured (configured: ${configuredList(t)})`;
}

/** The subset of the file configuration whose model and provider references are checked. */
interface Referencing {
  providers: Record<string, { modelPrefixes: string[] }>;
  aliases: Record<string, AliasSettings>;
  components: Record<string, { judge?: { model: string } | undefined; optimizer?: { models: string[] } | undefined; fallbacks?: string[] | undefined }>;
  patterns: { embeddings?: { model: string } | undefined; summaries?: { model: string } | undefined; diagnosis?: { model: string } | undefined };
  optimizer: { model?: string | undefined };
  retrain: { teacher?: string | undefined; openai: { provider: string }; local: { serveProvider?: string | undefined } };
}

/**
 * Adds an issue, at the field's path, for every model the gateway would call that names a provider
 * nobody configured (and every provider setting naming one). `retrain.baseModel` is not among them:
 * it is the training backend's own name for the model (`gpt-4o-mini-2024-07-18`, a Hugging Face id
 * such as `Qwen/Qwen2.5-0.5B-Instruct`), never resolved through the providers.
 */
export function checkModelReferences(cfg: Referencing, ctx: z.RefinementCtx): void {
  const aliasTargets = Object.fromEntries(Object.entries(cfg.aliases).map(([name, a]) => [name, aliasTarget(a)]));
  const targets = modelTargetsOf(cfg.providers, aliasTargets);
  const model = (path: (string | number)[], value: string | undefined, aliasesAllowed = true): void => {
    const problem = value === undefined ? null : modelReferenceProblem(value, targets, { aliasesAllowed });
    if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
  };
  const provider = (path: string[], value: string | undefined): void => {
    const problem = value === undefined ? null : providerNameProblem(value, targets);
    if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
  };

  for (const [alias, entry] of Object.entries(cfg.aliases)) {
    model(typeof entry === 'string' ? ['aliases', alias] : ['aliases', alias, 'model'], aliasTarget(entry), false);
    aliasFallbacks(entry).forEach((m, i) => model(['aliases', alias, 'fallbacks', i], m));
  }
  for (const [name, c] of Object.entries(cfg.components)) {
    c.fallbacks?.forEach((m, i) => model(['components', name, 'fallbacks', i], m));
    model(['components', name, 'judge', 'model'], c.judge?.model);
    c.optimizer?.models.forEach((m, i) => model(['components', name, 'optimizer', 'models', i], m));
  }
  for (const part of ['embeddings', 'summaries', 'diagnosis'] as const) model(['patterns', part, 'model'], cfg.patterns[part]?.model);
  model(['optimizer', 'model'], cfg.optimizer.model);
  model(['retrain', 'teacher'], cfg.retrain.teacher);
  provider(['retrain', 'openai', 'provider'], cfg.retrain.openai.provider);
  provider(['retrain', 'local', 'serveProvider'], cfg.retrain.local.serveProvider);
}
