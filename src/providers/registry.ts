import { Pool } from 'undici';
import { aliasFallbacks, aliasTarget, type Config, type ProviderSettings, type UpstreamTimeoutSettings } from '../config/index.ts';
import { AppError } from '../core/errors.ts';
import { createUpstreamResilience, type UpstreamResilience } from './resilience/index.ts';
import { createTokenLimits, type TokenLimits } from './token-limits.ts';

export type ProviderKind = 'openai' | 'anthropic';

export interface Provider {
  name: string;
  kind: ProviderKind;
  /** Origin (scheme://host:port) and the base path requests are appended to (e.g. "/v1"). */
  origin: string;
  basePath: string;
  /** Serves keyless loopback clients and the gateway's own calls. Never logged or stored. */
  apiKey: string | undefined;
  /** The setting that holds `apiKey` (`OPENAI_API_KEY`, `providers.vllm.apiKey`), for messages when it is unset. */
  keySetting: string;
  headers: Record<string, string>;
  modelPrefixes: string[];
  /** Whether chat streams are asked for usage on the client's behalf. */
  streamUsage: boolean;
  /** This provider's own upstream timeouts (FIXPOINT_CONFIG `providers.<name>.timeouts`). */
  timeouts: UpstreamTimeoutSettings | undefined;
  pool: Pool;
}

export interface ResolvedModel {
  provider: Provider;
  /** The model name the upstream is asked for. */
  upstreamModel: string;
  /** What the client asked for. */
  requested: string;
}

export interface ProviderRegistry {
  providers: ReadonlyMap<string, Provider>;
  aliases: Readonly<Record<string, string>>;
  /** Alias, `provider/model`, or a plain name routed by prefix (`claude-*` → anthropic, configured prefixes, else openai). */
  resolve(model: string): ResolvedModel;
  /**
   * The models a call may be served by, in the order they are tried: the one asked for, then the
   * alias's fallbacks, then the component's (each resolved like `resolve`, duplicates dropped).
   */
  candidates(model: string, component: string): ResolvedModel[];
  /** Retries, circuit breakers and timeouts of the upstream calls. */
  resilience: UpstreamResilience;
  /** What translations between the OpenAI and Anthropic formats send as token limits, per model. */
  tokenLimits: TokenLimits;
  close(): Promise<void>;
}

export interface PoolTimeouts {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

function makeProvider(name: string, s: ProviderSettings, keySetting: string, t: PoolTimeouts): Provider {
  const url = new URL(s.baseUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  return {
    name,
    kind: s.kind,
    origin: url.origin,
    basePath: s.kind === 'anthropic' && basePath === '' ? '/v1' : basePath,
    apiKey: s.apiKey,
    keySetting,
    headers: s.headers,
    modelPrefixes: s.modelPrefixes,
    streamUsage: s.streamUsage,
    timeouts: s.timeouts,
    pool: new Pool(url.origin, {
      connections: 256,
      pipelining: 1,
      connect: { timeout: s.timeouts?.connectMs ?? t.connectTimeoutMs },
      headersTimeout: t.idleTimeoutMs,
      bodyTimeout: t.idleTimeoutMs,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
    }),
  };
}

export function createProviderRegistry(config: Config, timeouts: PoolTimeouts): ProviderRegistry {
  const { env, file } = config;
  const settings: Record<string, ProviderSettings> = {
    openai: { kind: 'openai', baseUrl: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY, modelPrefixes: [], headers: {}, streamUsage: true },
    anthropic: { kind: 'anthropic', baseUrl: env.ANTHROPIC_BASE_URL, apiKey: env.ANTHROPIC_API_KEY, modelPrefixes: ['claude-'], headers: {}, streamUsage: true },
    ...file.providers,
  };
  const builtInKeys: Record<string, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };
  const keySettingOf = (name: string): string => (Object.hasOwn(file.providers, name) ? `providers.${name}.apiKey` : (builtInKeys[name] ?? `providers.${name}.apiKey`));
  const connectDefault = file.resilience.timeouts.connectMs ?? timeouts.connectTimeoutMs;
  const providers = new Map(Object.entries(settings).map(([name, s]) => [name, makeProvider(name, s, keySettingOf(name), { ...timeouts, connectTimeoutMs: connectDefault })]));
  const aliases = Object.fromEntries(Object.entries(file.aliases).map(([name, a]) => [name, aliasTarget(a)]));
  const byPrefix = [...providers.values()]
    .flatMap((p) => p.modelPrefixes.map((prefix) => ({ prefix, provider: p })))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const fallback = providers.get('openai') as Provider;

  function resolvePlain(model: string, requested: string): ResolvedModel {
    const slash = model.indexOf('/');
    if (slash > 0) {
      const named = providers.get(model.slice(0, slash));
      if (named) return { provider: named, upstreamModel: model.slice(slash + 1), requested };
    }
    const hit = byPrefix.find((p) => model.startsWith(p.prefix));
    return { provider: hit?.provider ?? fallback, upstreamModel: model, requested };
  }

  const resolve = (model: string): ResolvedModel => {
    if (!model) throw new AppError('invalid_request', 'model is required', { param: 'model' });
    const target = aliases[model];
    return resolvePlain(target ?? model, model);
  };

  return {
    providers,
    aliases,
    tokenLimits: createTokenLimits(file.translation),
    resolve,
    candidates(model, component) {
      const primary = resolve(model);
      const alias = file.aliases[model];
      const names = [...(alias ? aliasFallbacks(alias) : []), ...(file.components[component]?.fallbacks ?? [])];
      if (names.length === 0) return [primary];
      const out = [primary];
      for (const name of names) {
        const r = { ...resolve(name), requested: model };
        if (!out.some((o) => o.provider === r.provider && o.upstreamModel === r.upstreamModel)) out.push(r);
      }
      return out;
    },
    resilience: createUpstreamResilience(file.resilience, [...providers.keys()], { idleMs: timeouts.idleTimeoutMs }),
    async close() {
      await Promise.all([...providers.values()].map((p) => p.pool.close()));
    },
  };
}
