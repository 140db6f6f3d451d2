import type { OptimizerSettings } from '../config/index.ts';
import type { StoredCandidate } from '../db/index.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { BudgetExhausted, score, type BudgetedReplay } from './budgeted-replay.ts';
import type { OptimizationCase } from './cases.ts';
import { rejectCandidate } from './guards.ts';
import { proposeTemplate } from './propose.ts';

/** A run's cases: failing ones shown to the optimizer (feedback), the ones candidates are ranked on (selection), and the held-out gate. */
export interface CaseSets {
  feedback: OptimizationCase[];
  selection: OptimizationCase[];
  gate: OptimizationCase[];
}

export interface Evaluated {
  cand: StoredCandidate;
  /** callId → passed, on the selection set */
  selection: Map<string, boolean>;
}

export interface SearchContext {
  registry: ProviderRegistry;
  logger: Logger;
  runId: string;
  settings: OptimizerSettings;
  /** The optimizer model (settings.model, known to be set). */
  model: string;
  /** The prompt live now: the active version's, else the observed one. */
  current: { template: string; model: string | null };
  /** The observed template's slots (a candidate must keep them). */
  slots: string[];
  sets: CaseSets;
  /** Further models the component allows (each proposal is tried with them too). */
  extraModels: string[];
  replay: BudgetedReplay;
  /** Every candidate of the run, in order: the search appends to it. */
  candidates: StoredCandidate[];
  /** Stores the candidates and what was spent on the run. */
  save: () => Promise<unknown>;
  signal?: AbortSignal;
}

interface SearchState {
  /** Pareto front over the selection cases. */
  front: Evaluated[];
  /** Every candidate scored on the selection set, the current prompt first (a lean parent may have left the front). */
  scored: Evaluated[];
  /** candidate id → the pattern's feedback cases it still fails */
  feedbackFails: Map<string, OptimizationCase[]>;
  /** Proposals in a row that repeated an earlier candidate. */
  repeats: number;
}

const passedOf = (e: Evaluated): number => e.cand.scores['selection']?.passed ?? 0;
const bySelection = (a: Evaluated, b: Evaluated): number => passedOf(b) - passedOf(a);
const patternCases = (on: OptimizationCase[]): OptimizationCase[] => on.filter((c) => c.kind === 'pattern');
/**
 * A candidate within the relative growth bound (`maxGrowth` of the current prompt's length, without the
 * characters' allowance). One that passes everything but grew past it does not end the search: the
 * next proposals start from the best lean candidate, so that a prompt of the same quality and a sane
 * length can still be found (pickBest takes the shorter among equals). A prompt twice as long costs
 * on every call, and it makes the pattern a fine-tuning candidate (`retrain.bakeGrowth`).
 */
const isLean = (ctx: SearchContext, e: Evaluated): boolean => e.cand.template.length <= ctx.current.template.length * (1 + ctx.settings.maxGrowth);
const dominates = (a: Map<string, boolean>, b: Map<string, boolean>) => [...b].every(([id, ok]) => !ok || a.get(id)) && [...a].some(([id, ok]) => ok && !b.get(id));

/** Pareto front over cases: drop those this one dominates; keep it unless one dominates it. */
function withFront(front: Evaluated[], e: Evaluated): Evaluated[] {
  if (front.some((f) => dominates(f.selection, e.selection))) return front;
  return [...front.filter((f) => !dominates(e.selection, f.selection)), e];
}

/** Up to three example exchanges from the feedback set: corrections people gave, else outputs that passed. */
function goodExamples(feedback: OptimizationCase[]): { user: string; assistant: string }[] {
  const userOf = (c: OptimizationCase): string => {
    const msgs = c.request['messages'] as { role: string; content: unknown }[];
    const last = [...msgs].reverse().find((m) => m.role === 'user');
    return typeof last?.content === 'string' ? last.content : '';
  };
  const corrected = feedback.flatMap((c) => (typeof c.correction === 'string' && userOf(c) ? [{ user: userOf(c), assistant: c.correction }] : []));
  const passed = feedback.flatMap((c) => (c.kind === 'regression' && c.output && userOf(c) ? [{ user: userOf(c), assistant: c.output }] : []));
  return [...corrected, ...passed].slice(0, 3);
}

/**
 * The search: the current prompt scored on the selection set, then candidates proposed by the
 * optimizer model from the front's best, each tried with every model the component allows, and at
 * last the front's best with few-shot examples. A spent budget ends the search with the front so far;
 * only the baseline's own replay lets BudgetExhausted through.
 */
export async function searchCandidates(ctx: SearchContext): Promise<{ baseline: StoredCandidate; front: Evaluated[] }> {
  const { current, sets } = ctx;
  const baseline: StoredCandidate = { id: 'current', parent: null, template: current.template, model: current.model, rejected: null, scores: {}, costUsd: 0, latencyMs: 0 };
  const baseSel = await ctx.replay.evaluate(current.template, current.model, sets.selection, baseline);
  baseline.scores['selection'] = score(baseSel, sets.selection);
  ctx.candidates.push(baseline);
  const state: SearchState = { front: [{ cand: baseline, selection: baseSel }], scored: [{ cand: baseline, selection: baseSel }], feedbackFails: new Map([['current', patternCases(sets.feedback)]]), repeats: 0 };
  try {
    for (let it = 0; it < ctx.settings.maxIterations; it++) {
      if ((await proposeAndTry(ctx, state, it)) === 'stop') break;
    }
    await tryFewShot(ctx, state);
  } catch (err) {
    if (!(err instanceof BudgetExhausted)) throw err;
    ctx.logger.info({ runId: ctx.runId, reason: err.message }, 'optimization budget reached; judging the best so far');
  }
  return { baseline, front: state.front };
}

/** One iteration: a proposal from the front's best, guarded, then tried with each model. */
async function proposeAndTry(ctx: SearchContext, state: SearchState, it: number): Promise<'stop' | 'next'> {
  const { settings: s, sets, candidates } = ctx;
  if (ctx.replay.spent.tokens > s.maxTokens) throw new BudgetExhausted(`token budget of ${s.maxTokens} spent`);
  // Parent: the front's best on the selection set, shorter first among equals — unless that one passes
  // everything only by growing past the lean bound: then the best lean candidate, to find a shorter equal.
  const best = (from: Evaluated[]) => [...from].sort((a, b) => bySelection(a, b) || a.cand.template.length - b.cand.template.length)[0];
  const lead = best(state.front)!;
  const parent = passedOf(lead) === sets.selection.length && !isLean(ctx, lead) ? (best(state.scored.filter((e) => isLean(ctx, e))) ?? lead) : lead;
  const parentFails = state.feedbackFails.get(parent.cand.id) ?? patternCases(sets.feedback);
  const failing = parentFails.slice(0, SHOWN);
  if (failing.length === 0) return 'stop';
  const shown = failing.map((c) => ({ input: JSON.stringify((c.request['messages'] as unknown[]).slice(1)).slice(0, 2000), output: c.output.slice(0, 2000), problems: c.evidence, correction: c.correction }));
  const p = await proposeTemplate(ctx.registry, { ...s, model: ctx.model }, { template: parent.cand.template, slots: ctx.slots }, shown, ctx.signal);
  ctx.replay.spent.tokens += p.tokens;
  const seen = candidates.find((x) => x.template === p.template);
  const cand: StoredCandidate = { id: `c${it + 1}`, parent: parent.cand.id, template: p.template, model: parent.cand.model, rejected: null, scores: {}, costUsd: 0, latencyMs: 0 };
  candidates.push(cand);
  if (seen) {
    // A repeat is one sample of the optimizer model (it proposes at temperature 0.7) gone to waste;
    // two in a row say it has nothing new to say: stop asking.
    cand.rejected = `repeats ${seen.id}`;
    await ctx.save();
    state.repeats++;
    return state.repeats >= 2 ? 'stop' : 'next';
  }
  state.repeats = 0;
  cand.rejected = rejectCandidate(p.template, ctx.current.template, ctx.slots, failing.flatMap((c) => [c.output, JSON.stringify(c.request['messages'])]), s.maxGrowth, s.minGrowthChars);
  if (cand.rejected) {
    await ctx.save();
    return 'next';
  }
  const bestTried = await tryWithModels(ctx, state, cand, parentFails);
  await ctx.save();
  return passedOf(bestTried) === sets.selection.length && isLean(ctx, bestTried) ? 'stop' : 'next';
}

/** Failing cases the optimizer model is shown per proposal, and how many of the parent's a child is replayed on. */
const SHOWN = 8;
const RECHECKED = 2 * SHOWN;

/**
 * The proposal with each model the component allows (its parent's model first), each taken into the
 * front; the best of them is replayed on the parent's first failing feedback cases (twice as many as
 * the optimizer model is shown) to learn which its children must still fix — the rest of the parent's
 * list follows unchecked. Replaying the whole feedback set instead cost more than the selection set
 * and spent a run's budget after two or three candidates.
 */
async function tryWithModels(ctx: SearchContext, state: SearchState, cand: StoredCandidate, parentFails: OptimizationCase[]): Promise<Evaluated> {
  const { sets } = ctx;
  const tried: Evaluated[] = [];
  for (const [i, mdl] of [cand.model, ...ctx.extraModels.filter((m) => m !== cand.model)].entries()) {
    const pairCand = i === 0 ? cand : { ...cand, id: `${cand.id}@${mdl}`, model: mdl, scores: {}, costUsd: 0, latencyMs: 0 };
    if (i > 0) ctx.candidates.push(pairCand);
    const sel = await ctx.replay.evaluate(pairCand.template, pairCand.model, sets.selection, pairCand);
    pairCand.scores['selection'] = score(sel, sets.selection);
    tried.push({ cand: pairCand, selection: sel });
    state.scored.push({ cand: pairCand, selection: sel });
    state.front = withFront(state.front, { cand: pairCand, selection: sel });
  }
  const bestTried = [...tried].sort(bySelection)[0]!;
  const rechecked = parentFails.slice(0, RECHECKED);
  const fb = await ctx.replay.evaluate(bestTried.cand.template, bestTried.cand.model, rechecked, bestTried.cand);
  const stillFailing = [...rechecked.filter((c) => !fb.get(c.callId)), ...parentFails.slice(RECHECKED)];
  for (const t of tried) state.feedbackFails.set(t.cand.id, stillFailing);
  return bestTried;
}

/** The second lever: the front's best with few-shot examples drawn from good outputs. */
async function tryFewShot(ctx: SearchContext, state: SearchState): Promise<void> {
  const { sets } = ctx;
  const examples = goodExamples(sets.feedback);
  const lead = [...state.front].sort(bySelection)[0]!;
  if (examples.length === 0 || passedOf(lead) >= sets.selection.length) return;
  const fs: StoredCandidate = { ...lead.cand, id: `${lead.cand.id}+fewshot`, parent: lead.cand.id, fewShot: examples, scores: {}, costUsd: 0, latencyMs: 0 };
  ctx.candidates.push(fs);
  const sel = await ctx.replay.evaluate(fs.template, fs.model, sets.selection, fs);
  fs.scores['selection'] = score(sel, sets.selection);
  state.scored.push({ cand: fs, selection: sel });
  state.front = withFront(state.front, { cand: fs, selection: sel });
  await ctx.save();
}
