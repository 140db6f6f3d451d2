import { eq, sql } from 'drizzle-orm';
import type { Config } from '../config/index.ts';
import { newUuidV7 } from '../core/ids.ts';
import { componentPrompts, optimizationRuns, promptVersions, type Db, type OptimizationTrigger, type StoredCandidate } from '../db/index.ts';
import { createCallChecker } from '../evaluate/index.ts';
import { createPromptVersion, ensureObservedVersion, movePromptPointer, parseTemplateText } from '../prompts/index.ts';
import { createPriceLookup, type ProviderRegistry } from '../providers/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import { judgeGate } from './acceptance.ts';
import { loadCases, setOf, type OptimizationCase } from './cases.ts';
import { rejectCandidate } from './guards.ts';
import { proposeTemplate } from './propose.ts';
import { replayCase } from './replay.ts';

export interface OptimizeDeps {
  config: Config;
  db: Db;
  registry: ProviderRegistry;
  metrics: Metrics;
  logger: Logger;
  announcePrompts: () => Promise<void>;
}

interface Evaluated {
  cand: StoredCandidate;
  /** callId → passed, on the selection set */
  selection: Map<string, boolean>;
}

class BudgetExhausted extends Error {}

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
 * One optimization run: replays the pattern's failing cases (and a regression sample) with candidate
 * prompts proposed by the optimizer model, keeps a Pareto front over selection cases, and accepts the
 * best only if it beats the current prompt on the gate set it was never tuned on. An accepted prompt
 * becomes a new version (and, by policy, a canary); otherwise the run ends "prompt could not fix this".
 */
export async function runOptimization(deps: OptimizeDeps, runId: string, signal?: AbortSignal): Promise<void> {
  const s = deps.config.file.optimizer;
  const [run] = await deps.db.select().from(optimizationRuns).where(eq(optimizationRuns.id, runId));
  if (!run || (run.status !== 'queued' && run.status !== 'running')) return;
  await deps.db.update(optimizationRuns).set({ status: 'running', startedAt: sql`now()` }).where(eq(optimizationRuns.id, runId));
  const finish = async (status: string, result: string, extra: Partial<typeof optimizationRuns.$inferInsert> = {}): Promise<void> => {
    await deps.db.update(optimizationRuns).set({ status, result, finishedAt: sql`now()`, ...extra }).where(eq(optimizationRuns.id, runId));
    deps.metrics.optimizationRuns.labels(deps.metrics.label.component(run.component), status).inc();
    deps.logger.info({ runId, component: run.component, status, result }, 'optimization run ended');
  };
  try {
    const model = s.model;
    if (!model) return void (await finish('failed', 'no optimizer model configured (optimizer.model)'));
    const observed = await ensureObservedVersion(deps.db, run.component);
    if (!observed) return void (await finish('failed', 'the component has no recorded calls with a system prompt'));
    const template = parseTemplateText(observed.template);
    const [pointers] = await deps.db.select().from(componentPrompts).where(eq(componentPrompts.component, run.component));
    const [active] = pointers?.activeVersionId ? await deps.db.select().from(promptVersions).where(eq(promptVersions.id, pointers.activeVersionId)) : [];
    const current = { template: active?.template ?? observed.template, model: active?.model ?? null };

    const cases = await loadCases(deps.db, run.patternId, run.component, template);
    const sets = { feedback: [] as OptimizationCase[], selection: [] as OptimizationCase[], gate: [] as OptimizationCase[] };
    for (const c of cases) sets[setOf(c.sessionKey)].push(c);
    const counts = Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.length]));
    await deps.db.update(optimizationRuns).set({ sets: counts }).where(eq(optimizationRuns.id, runId));
    if (!sets.gate.some((c) => c.kind === 'pattern') || !sets.selection.some((c) => c.kind === 'pattern')) {
      return void (await finish('not_fixed', `too few cases to judge a prompt on (${JSON.stringify(counts)})`));
    }

    const check = createCallChecker(deps.config);
    const prices = createPriceLookup(deps.config.file.prices);
    let costUsd = 0;
    const started = Date.now();
    let evalCalls = 0;
    let tokens = 0;
    const evaluate = async (tmpl: string, mdl: string | null, on: OptimizationCase[], cand?: StoredCandidate): Promise<Map<string, boolean>> => {
      const fewShot = cand?.fewShot ?? [];
      if (evalCalls + on.length > s.maxEvalCalls) throw new BudgetExhausted(`evaluation budget of ${s.maxEvalCalls} replays spent`);
      if ((Date.now() - started) / 1000 > s.maxSeconds) throw new BudgetExhausted(`time budget of ${s.maxSeconds} s spent`);
      const out = new Map<string, boolean>();
      for (const c of on) {
        const r = await replayCase({ config: deps.config, registry: deps.registry, prices, check }, run.component, c, tmpl, mdl, signal, fewShot);
        evalCalls++;
        costUsd += r.costUsd;
        out.set(c.callId, r.passed);
        if (cand) {
          cand.latencyMs += r.latencyMs;
          cand.costUsd += r.costUsd;
        }
      }
      return out;
    };
    const score = (m: Map<string, boolean>, on: OptimizationCase[]) => ({
      passed: on.filter((c) => m.get(c.callId)).length,
      total: on.length,
      patternPassed: on.filter((c) => c.kind === 'pattern' && m.get(c.callId)).length,
      patternTotal: on.filter((c) => c.kind === 'pattern').length,
    });
    const candidates: StoredCandidate[] = [];
    const save = () => deps.db.update(optimizationRuns).set({ candidates, evalCalls, optimizerTokens: tokens, costUsd }).where(eq(optimizationRuns.id, runId));

    const baseline: StoredCandidate = { id: 'current', parent: null, template: current.template, model: current.model, rejected: null, scores: {}, costUsd: 0, latencyMs: 0 };
    const baseSel = await evaluate(current.template, current.model, sets.selection, baseline);
    baseline.scores['selection'] = score(baseSel, sets.selection);
    candidates.push(baseline);
    let front: Evaluated[] = [{ cand: baseline, selection: baseSel }];
    const extraModels = deps.config.file.components[run.component]?.optimizer?.models ?? [];
    const dominates = (a: Map<string, boolean>, b: Map<string, boolean>) => [...b].every(([id, ok]) => !ok || a.get(id)) && [...a].some(([id, ok]) => ok && !b.get(id));
    const feedbackFails = new Map<string, OptimizationCase[]>();
    feedbackFails.set('current', sets.feedback.filter((c) => c.kind === 'pattern'));

    try {
      for (let it = 0; it < s.maxIterations; it++) {
        if (tokens > s.maxTokens) throw new BudgetExhausted(`token budget of ${s.maxTokens} spent`);
        // Parent: the front's best on the selection set, shorter first among equals.
        const parent = [...front].sort((a, b) => (b.cand.scores['selection']?.passed ?? 0) - (a.cand.scores['selection']?.passed ?? 0) || a.cand.template.length - b.cand.template.length)[0]!;
        const failing = (feedbackFails.get(parent.cand.id) ?? sets.feedback.filter((c) => c.kind === 'pattern')).slice(0, 8);
        if (failing.length === 0) break;
        const shown = failing.map((c) => ({ input: JSON.stringify((c.request['messages'] as unknown[]).slice(1)).slice(0, 2000), output: c.output.slice(0, 2000), problems: c.evidence, correction: c.correction }));
        const p = await proposeTemplate(deps.registry, { ...s, model }, { template: parent.cand.template, slots: template.slots }, shown, signal);
        tokens += p.tokens;
        const seen = candidates.find((x) => x.template === p.template);
        const cand: StoredCandidate = { id: `c${it + 1}`, parent: parent.cand.id, template: p.template, model: parent.cand.model, rejected: null, scores: {}, costUsd: 0, latencyMs: 0 };
        candidates.push(cand);
        if (seen) {
          // The optimizer model has nothing new to say from this parent: stop asking.
          cand.rejected = `repeats ${seen.id}`;
          await save();
          break;
        }
        cand.rejected = rejectCandidate(p.template, current.template, template.slots, failing.flatMap((c) => [c.output, JSON.stringify(c.request['messages'])]), s.maxGrowth);
        if (cand.rejected) {
          await save();
          continue;
        }
        // The proposal with each model the component allows (its parent's model first).
        const tried: Evaluated[] = [];
        for (const [i, mdl] of [cand.model, ...extraModels.filter((m) => m !== cand.model)].entries()) {
          const pairCand = i === 0 ? cand : { ...cand, id: `${cand.id}@${mdl}`, model: mdl, scores: {}, costUsd: 0, latencyMs: 0 };
          if (i > 0) candidates.push(pairCand);
          const sel = await evaluate(pairCand.template, pairCand.model, sets.selection, pairCand);
          pairCand.scores['selection'] = score(sel, sets.selection);
          tried.push({ cand: pairCand, selection: sel });
          // Pareto front over cases: drop those this one dominates; keep it unless one dominates it.
          if (!front.some((f) => dominates(f.selection, sel))) front = [...front.filter((f) => !dominates(sel, f.selection)), { cand: pairCand, selection: sel }];
        }
        const bestTried = [...tried].sort((a, b) => (b.cand.scores['selection']?.passed ?? 0) - (a.cand.scores['selection']?.passed ?? 0))[0]!;
        const fb = await evaluate(bestTried.cand.template, bestTried.cand.model, sets.feedback.filter((c) => c.kind === 'pattern'), bestTried.cand);
        for (const t of tried) feedbackFails.set(t.cand.id, sets.feedback.filter((c) => c.kind === 'pattern' && !fb.get(c.callId)));
        await save();
        if ((bestTried.cand.scores['selection']?.passed ?? 0) === sets.selection.length) break;
      }
      // The second lever: the front's best with few-shot examples drawn from good outputs.
      const examples = goodExamples(sets.feedback);
      const lead = [...front].sort((a, b) => (b.cand.scores['selection']?.passed ?? 0) - (a.cand.scores['selection']?.passed ?? 0))[0]!;
      if (examples.length > 0 && (lead.cand.scores['selection']?.passed ?? 0) < sets.selection.length) {
        const fs: StoredCandidate = { ...lead.cand, id: `${lead.cand.id}+fewshot`, parent: lead.cand.id, fewShot: examples, scores: {}, costUsd: 0, latencyMs: 0 };
        candidates.push(fs);
        const sel = await evaluate(fs.template, fs.model, sets.selection, fs);
        fs.scores['selection'] = score(sel, sets.selection);
        if (!front.some((f) => dominates(f.selection, sel))) front = [...front.filter((f) => !dominates(sel, f.selection)), { cand: fs, selection: sel }];
        await save();
      }
    } catch (err) {
      if (!(err instanceof BudgetExhausted)) throw err;
      deps.logger.info({ runId, reason: err.message }, 'optimization budget reached; judging the best so far');
    }

    // The best of the front on selection; among near-best (within one case) the shorter.
    const evaluated = front.filter((f) => f.cand.id !== 'current');
    if (evaluated.length === 0) return void (await save(), await finish('not_fixed', 'prompt could not fix this: no candidate beat the current prompt on the selection set'));
    const top = Math.max(...evaluated.map((f) => f.cand.scores['selection']?.passed ?? 0));
    const best = evaluated.filter((f) => (f.cand.scores['selection']?.passed ?? 0) >= top - 1).sort((a, b) => a.cand.template.length - b.cand.template.length)[0]!.cand;

    let gateCur: Map<string, boolean>;
    let gateCand: Map<string, boolean>;
    try {
      gateCur = await evaluate(current.template, current.model, sets.gate, baseline);
      gateCand = await evaluate(best.template, best.model, sets.gate, best);
    } catch (err) {
      if (!(err instanceof BudgetExhausted)) throw err;
      return void (await save(), await finish('not_fixed', `prompt could not fix this within budget: ${err.message}`));
    }
    baseline.scores['gate'] = score(gateCur, sets.gate);
    best.scores['gate'] = score(gateCand, sets.gate);
    const pair = (kind: OptimizationCase['kind']) => sets.gate.filter((c) => c.kind === kind).map((c) => ({ current: gateCur.get(c.callId) ?? false, candidate: gateCand.get(c.callId) ?? false }));
    const gate = judgeGate({ pattern: pair('pattern'), regression: pair('regression'), currentLength: current.template.length, candidateLength: best.template.length, settings: s });
    await save();
    if (!gate.accepted) return void (await finish('not_fixed', `prompt could not fix this: ${gate.reasons.join('; ')}`, { gate: { ...gate, candidate: best.id } }));

    const version = await createPromptVersion(deps.db, run.component, { template: best.template, model: best.model, ...(best.fewShot ? { fewShot: best.fewShot } : {}), source: 'optimizer', runId, patternId: run.patternId, note: `run ${runId}, candidate ${best.id}` }, 'optimizer');
    if (s.canaryShare > 0) {
      await movePromptPointer(deps.db, version.id, { action: 'canary', share: s.canaryShare }, 'optimizer');
      await deps.announcePrompts();
    }
    await finish('accepted', `version ${version.version}: pattern failure rate ${(gate.patternFailRate.current * 100).toFixed(0)} % → ${(gate.patternFailRate.candidate * 100).toFixed(0)} % on the gate set (p = ${gate.pValue.toFixed(4)})`, { gate: { ...gate, candidate: best.id }, winnerVersionId: version.id });
  } catch (err) {
    if (err instanceof BudgetExhausted) return void (await finish('not_fixed', `prompt could not fix this within budget: ${err.message}`));
    deps.logger.error({ runId, err }, 'optimization run failed');
    await finish('failed', (err as Error).message.slice(0, 2000));
    throw err;
  }
}

/** Creates a run for a pattern and returns its id (the caller enqueues it). */
export async function createRun(db: Db, patternId: string, component: string, trigger: OptimizationTrigger): Promise<string> {
  const id = newUuidV7();
  await db.insert(optimizationRuns).values({ id, patternId, component, status: 'queued', trigger });
  return id;
}
