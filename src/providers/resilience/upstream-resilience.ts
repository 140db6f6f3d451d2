import type { ResilienceSettings, UpstreamTimeoutSettings } from '../../config/index.ts';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.ts';
import { RetryBudget } from './retry-budget.ts';

/** The timeouts one upstream attempt runs under, ms (`totalMs` null: none). */
export interface AttemptTimeouts {
  headersMs: number;
  idleMs: number;
  totalMs: number | null;
}

/**
 * The upstream call's policy state, one per gateway process: each provider's circuit breaker and retry
 * budget, the retry settings, and the timeouts of a route on a provider. The proxy's attempt loop
 * (ingress/proxy/upstream-attempts.ts) is the one place that applies them.
 */
export interface UpstreamResilience {
  settings: ResilienceSettings;
  breaker(provider: string): CircuitBreaker;
  budget(provider: string): RetryBudget;
  /** The timeouts of one attempt of `route` on the provider (defaults ← resilience.timeouts ← provider ← route). */
  timeouts(provider: { name: string; timeouts: UpstreamTimeoutSettings | undefined }, route: string): AttemptTimeouts;
  /** Called with every breaker's state now and on each change (the breaker-state gauge). */
  watchBreakers(fn: (provider: string, state: BreakerState) => void): void;
}

export function createUpstreamResilience(
  settings: ResilienceSettings,
  providerNames: readonly string[],
  defaults: { idleMs: number },
): UpstreamResilience {
  const watchers: ((provider: string, state: BreakerState) => void)[] = [];
  const breakers = new Map<string, CircuitBreaker>();
  const budgets = new Map<string, RetryBudget>();
  const breakerOf = (name: string): CircuitBreaker => {
    let b = breakers.get(name);
    if (!b) {
      b = new CircuitBreaker(settings.breaker, (state) => watchers.forEach((w) => w(name, state)));
      breakers.set(name, b);
    }
    return b;
  };
  for (const name of providerNames) breakerOf(name);
  const cache = new Map<string, AttemptTimeouts>();
  return {
    settings,
    breaker: breakerOf,
    budget(name) {
      let b = budgets.get(name);
      if (!b) {
        b = new RetryBudget(settings.retries.budgetRatio, settings.retries.budgetBurst);
        budgets.set(name, b);
      }
      return b;
    },
    timeouts(provider, route) {
      const key = `${provider.name} ${route}`;
      let t = cache.get(key);
      if (!t) {
        const merged = { ...settings.timeouts, ...provider.timeouts, ...settings.routes[route as keyof typeof settings.routes]?.timeouts };
        t = { headersMs: merged.headersMs ?? defaults.idleMs, idleMs: merged.idleMs ?? defaults.idleMs, totalMs: merged.totalMs ?? null };
        cache.set(key, t);
      }
      return t;
    },
    watchBreakers(fn) {
      watchers.push(fn);
      for (const [name, b] of breakers) fn(name, b.state);
    },
  };
}
