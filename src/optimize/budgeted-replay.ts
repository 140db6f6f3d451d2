import type { Config, OptimizerSettings } from '../config/index.ts';
import type { StoredCandidate } from '../db/index.ts';
import { createCallChecker, reportRuleErrors } from '../evaluate/index.ts';
import { createPriceLookup, type ProviderRegistry } from '../providers/index.ts';
import type { OptimizationCase } from './cases.ts';
import { replayCase } from './replay.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';

/** A run's evaluation, token or time budget is spent: the run judges the best it has so far. */
export class BudgetExhausted extends Error {}

/** What a run has spent so far (stored on the run with its candidates). */
export interface Spent {
  evalCalls: number;
  /** Optimizer-model tokens (the search adds each proposal's). */
  tokens: number;
  costUsd: number;
}

/** A failure's signature: its kind and rule. */
export const signatureOf = (f: { kind: string; ruleId: string }): string => `${f.kind}\u0000${f.ruleId}`;

/**
 * Replays' verdicts, callId → passed. A pattern case passes with no failure at all; any other case
 * (the regression sample) passes with no failure outside the pattern's own signatures — whether the
 * pattern's failure shows up there too is in `ownFailure`, which the gate weighs separately.
 */
export class ReplayVerdicts extends Map<string, boolean> {
  /** callId → the replay failed with one of the pattern's own signatures. */
  readonly ownFailure = new Map<string, boolean>();
}

export interface BudgetedReplay {
  spent: Spent;
  /**
   * Holds back `n` replays for the acceptance gate: until `release()`, other replays stop `n` short
   * of the evaluation budget, so the search can never leave the gate without its comparison.
   */
  reserve(n: number): void;
  release(): void;
  /**
   * Replays the cases with a template and model: callId → passed. Replay costs and latencies are
   * added to the candidate, when one is given. Throws BudgetExhausted before a replay would overrun
   * the run's evaluation or time budget.
   */
  evaluate(tmpl: string, mdl: string | null, on: OptimizationCase[], cand?: StoredCandidate): Promise<ReplayVerdicts>;
}

/**
 * The replays of one run, counted against its budget (the time budget runs from this call).
 * `signatures` are the pattern's own failure signatures (signatureOf).
 */
export function createBudgetedReplay(
  deps: { config: Config; registry: ProviderRegistry; logger: Logger; metrics: Metrics },
  component: string,
  s: OptimizerSettings,
  signatures: ReadonlySet<string>,
  signal?: AbortSignal,
): BudgetedReplay {
  const check = createCallChecker(deps.config, reportRuleErrors(deps));
  const prices = createPriceLookup(deps.config.file.prices);
  const spent: Spent = { evalCalls: 0, tokens: 0, costUsd: 0 };
  const started = Date.now();
  let reserved = 0;
  const evaluate = async (tmpl: string, mdl: string | null, on: OptimizationCase[], cand?: StoredCandidate): Promise<ReplayVerdicts> => {
    const fewShot = cand?.fewShot ?? [];
    if (spent.evalCalls + on.length > s.maxEvalCalls - reserved) {
      throw new BudgetExhausted(reserved > 0 ? `search budget of ${s.maxEvalCalls - reserved} replays spent (${reserved} kept for the gate)` : `evaluation budget of ${s.maxEvalCalls} replays spent`);
    }
    if ((Date.now() - started) / 1000 > s.maxSeconds) throw new BudgetExhausted(`time budget of ${s.maxSeconds} s spent`);
    const out = new ReplayVerdicts();
    for (const c of on) {
      const r = await replayCase({ config: deps.config, registry: deps.registry, prices, check }, component, c, tmpl, mdl, signal, fewShot);
      spent.evalCalls++;
      spent.costUsd += r.costUsd;
      const own = r.failures.some((f) => signatures.has(signatureOf(f)));
      const other = r.failures.some((f) => !signatures.has(signatureOf(f)));
      out.set(c.callId, c.kind === 'pattern' ? r.passed : !other);
      out.ownFailure.set(c.callId, own);
      if (cand) {
        cand.latencyMs += r.latencyMs;
        cand.costUsd += r.costUsd;
      }
    }
    return out;
  };
  return {
    spent,
    evaluate,
    reserve: (n) => void (reserved = n),
    release: () => void (reserved = 0),
  };
}

/** A candidate's score on a set of cases: all of them, and the pattern's own. */
export const score = (m: Map<string, boolean>, on: OptimizationCase[]) => ({
  passed: on.filter((c) => m.get(c.callId)).length,
  total: on.length,
  patternPassed: on.filter((c) => c.kind === 'pattern' && m.get(c.callId)).length,
  patternTotal: on.filter((c) => c.kind === 'pattern').length,
});
