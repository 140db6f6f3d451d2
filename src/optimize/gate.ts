import type { OptimizerSettings } from '../config/index.ts';
import type { StoredCandidate } from '../db/index.ts';
import { judgeGate, type GateOutcome } from '../evaluate/index.ts';
import { score, type BudgetedReplay } from './budgeted-replay.ts';
import type { OptimizationCase } from './cases.ts';
import type { Evaluated } from './search.ts';

/** The best of the front on selection; among near-best (within one case) the shorter. Undefined when no candidate beat the current prompt. */
export function pickBest(front: Evaluated[]): StoredCandidate | undefined {
  const evaluated = front.filter((f) => f.cand.id !== 'current');
  if (evaluated.length === 0) return undefined;
  const top = Math.max(...evaluated.map((f) => f.cand.scores['selection']?.passed ?? 0));
  return evaluated.filter((f) => (f.cand.scores['selection']?.passed ?? 0) >= top - 1).sort((a, b) => a.cand.template.length - b.cand.template.length)[0]!.cand;
}

/**
 * The acceptance gate: the current prompt (the baseline) and the candidate replayed on the gate set,
 * which the search never saw, and judged as pairs. Records both gate scores on the candidates.
 * Throws BudgetExhausted when the budget does not stretch to the gate's replays.
 */
export async function judgeOnGate(
  replay: BudgetedReplay,
  gateCases: OptimizationCase[],
  baseline: StoredCandidate,
  best: StoredCandidate,
  settings: OptimizerSettings,
  /** The pattern's share of the component's calls (what its cases weigh against the others). */
  patternShare: number,
): Promise<GateOutcome> {
  const gateCur = await replay.evaluate(baseline.template, baseline.model, gateCases, baseline);
  const gateCand = await replay.evaluate(best.template, best.model, gateCases, best);
  baseline.scores['gate'] = score(gateCur, gateCases);
  best.scores['gate'] = score(gateCand, gateCases);
  const pair = (kind: OptimizationCase['kind']) => gateCases.filter((c) => c.kind === kind).map((c) => ({ current: gateCur.get(c.callId) ?? false, candidate: gateCand.get(c.callId) ?? false }));
  const others = gateCases.filter((c) => c.kind === 'regression').map((c) => ({ current: !gateCur.ownFailure.get(c.callId), candidate: !gateCand.ownFailure.get(c.callId) }));
  return judgeGate({ pattern: pair('pattern'), regression: pair('regression'), others, patternShare, currentLength: baseline.template.length, candidateLength: best.template.length, settings });
}
