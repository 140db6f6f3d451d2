import { AppError } from '../../core/errors.ts';
import { type AttemptFailure, countsAsProviderFailure, type ResolvedModel, retryDelayMs } from '../../providers/index.ts';
import { missingProviderKey } from '../client-auth.ts';
import type { AttemptOptions, AttemptResult } from './attempt-result.ts';
import { type AttemptTarget, attemptOn, type DispatchInput, routeServes } from './dispatch.ts';
import type { AttemptOutcome } from '../../core/call-capture.ts';

/**
 * The one place the upstream call's policy is applied: the models a call may be served by (the one
 * asked for, then its alias's and component's fallbacks), each provider's circuit breaker, retries of
 * the same model (connect errors and timeouts before the response head, 429/5xx that name a
 * `retry-after` within the cap) within the provider's retry budget, and at most `maxAttempts`
 * attempts. Only failures that reached nothing of the client are retried: a 429/5xx is held back while
 * another attempt may follow; once a response has started (a stream's first byte), it is the answer.
 */
export async function dispatch(d: DispatchInput): Promise<void> {
  const model = d.body['model'] as string;
  const { registry, metrics } = d.deps;
  const candidates = registry.candidates(model, d.ctx.component);
  const primary = candidates[0] as ResolvedModel;
  d.ctx.requestedModel = model;
  d.ctx.provider = primary.provider.name;
  d.ctx.servedModel = primary.upstreamModel;
  if (!routeServes(d.route, primary.provider)) {
    throw new AppError('unsupported', `model ${model} is served by provider ${primary.provider.name} (${primary.provider.kind}), which has no ${d.route.name} API`, { param: 'model' });
  }
  const primaryKey = d.key ?? primary.provider.apiKey ?? null;
  if (primaryKey === null) throw missingProviderKey(primary.provider);

  const { settings } = registry.resilience;
  const maxAttempts = settings.retries.maxAttempts;
  let last: Extract<AttemptResult, { kind: 'failed' }> | null = null;
  let lastProvider: string | null = null;
  for (let i = 0; i < candidates.length && d.ctx.attemptsSent < maxAttempts; i++) {
    const resolved = candidates[i] as ResolvedModel;
    const target = targetOf(d, resolved, primary, primaryKey);
    if (target === null || !routeServes(d.route, resolved.provider)) continue;
    const name = resolved.provider.name;
    if (i > 0 && lastProvider !== null) metrics.upstreamFallbacks.series(lastProvider, name).inc();
    lastProvider = name;
    const outcome = await attemptsOn(d, target, i > 0, maxAttempts);
    if (outcome === 'answered') return;
    if (outcome !== 'breaker_open') last = outcome;
    if (d.hangup.happened) break;
  }
  if (d.hangup.happened) {
    d.ctx.httpStatus = 499;
    d.ctx.finish('client_abort', 'client closed the connection');
    return;
  }
  if (last) {
    last.answer();
    return;
  }
  throw new AppError('overloaded', `provider ${primary.provider.name} is failing (circuit open) and no fallback could take the call; retry shortly`, {
    headers: { 'retry-after': String(Math.ceil(settings.breaker.openMs / 1000)) },
  });
}

/**
 * The key an attempt on this model goes up with: the client's own for the provider it asked for; a
 * fallback to another provider goes with that provider's configured key (a client's key belongs to the
 * provider it was sent for), and is skipped when it has none.
 */
function targetOf(d: DispatchInput, resolved: ResolvedModel, primary: ResolvedModel, primaryKey: string): AttemptTarget | null {
  if (resolved.provider === primary.provider) return { resolved, key: primaryKey, credentialHeader: d.key ? d.credentialHeader : null };
  const key = resolved.provider.apiKey;
  return key ? { resolved, key, credentialHeader: null } : null;
}

/** Attempts on one model until it answers, fails in a way that is not retried, or the attempts or budget run out. */
async function attemptsOn(
  d: DispatchInput,
  target: AttemptTarget,
  fallback: boolean,
  maxAttempts: number,
): Promise<'answered' | 'breaker_open' | Extract<AttemptResult, { kind: 'failed' }>> {
  const { registry, metrics } = d.deps;
  const { provider, upstreamModel } = target.resolved;
  const breaker = registry.resilience.breaker(provider.name);
  const budget = registry.resilience.budget(provider.name);
  const { retries } = registry.resilience.settings;
  const timeouts = registry.resilience.timeouts(provider, d.route.name);
  let failed: Extract<AttemptResult, { kind: 'failed' }> | null = null;
  for (let retry = 0; ; retry++) {
    if (!breaker.tryAcquire()) {
      d.ctx.attemptRefused(provider.name, upstreamModel, fallback);
      metrics.upstreamAttempts.series(provider.name, 'breaker_open').inc();
      return failed ?? 'breaker_open';
    }
    if (retry === 0) budget.deposit();
    d.ctx.attemptStarted(provider.name, upstreamModel, fallback);
    const sent = d.ctx.attemptsSent;
    d.extraHeaders['x-fixpoint-attempts'] = String(sent);
    d.extraHeaders['x-fixpoint-served-by'] = `${provider.name}/${upstreamModel}`;
    const o: AttemptOptions = { hold: sent < maxAttempts, ...timeouts };
    const r = await attemptOn(d, target, o);
    if (r.kind === 'answered') {
      const outcome = d.ctx.lastAttemptOutcome ?? 'success';
      healthOf(breaker, outcome, d.ctx.httpStatus);
      metrics.upstreamAttempts.series(provider.name, outcome).inc();
      return 'answered';
    }
    failed = r;
    const outcome = outcomeOf(r.failure);
    d.ctx.attemptFailed(outcome, r.httpStatus, r.failure.kind === 'status' ? r.failure.retryAfterMs : null);
    metrics.upstreamAttempts.series(provider.name, outcome).inc();
    if (countsAsProviderFailure(r.failure)) breaker.failure();
    else breaker.neutral();
    const wait = retryDelayMs(r.failure, retry, retries);
    if (wait === null || d.ctx.attemptsSent >= maxAttempts || d.hangup.happened) return r;
    if (!budget.trySpend()) {
      metrics.upstreamRetryBudgetExhausted.series(provider.name).inc();
      return r;
    }
    metrics.upstreamRetries.series(provider.name, outcome).inc();
    if (wait > 0 && !(await sleepUnlessHangup(d, wait))) return r;
  }
}

function outcomeOf(f: AttemptFailure): AttemptOutcome {
  return f.kind === 'connect' ? 'connect_error' : f.kind === 'timeout' ? 'timeout' : f.kind === 'status' ? 'retryable_status' : 'breaker_open';
}

/** What an answered attempt says about the provider's health. */
function healthOf(breaker: ReturnType<DispatchInput['deps']['registry']['resilience']['breaker']>, outcome: AttemptOutcome, httpStatus: number): void {
  if (outcome === 'client_abort' || httpStatus === 429) breaker.neutral();
  else if (outcome === 'success' || (outcome === 'http_error' && httpStatus < 500)) breaker.success();
  else breaker.failure();
}

/** Waits `ms`; false when the client hung up meanwhile. */
function sleepUnlessHangup(d: DispatchInput, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(!d.hangup.happened), ms);
    d.hangup.onHangup(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
