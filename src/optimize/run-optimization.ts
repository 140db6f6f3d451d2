import { eq, sql } from 'drizzle-orm';
import type { Config } from '../config/index.ts';
import { newUuidV7 } from '../core/ids.ts';
import { componentPrompts, optimizationRuns, promptVersions, rowsOf, type Db, type OptimizationOutcome, type OptimizationTrigger, type StoredCandidate } from '../db/index.ts';
import type { JobSystem } from '../jobs/index.ts';
import { ensureObservedVersion, parseTemplateText, type PromptTemplate } from '../prompts/index.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import type { GateOutcome } from '../evaluate/index.ts';
import { BudgetExhausted, createBudgetedReplay, signatureOf } from './budgeted-replay.ts';
import { loadCases, setOf } from './cases.ts';
import { judgeOnGate, pickBest } from './gate.ts';
import { publishCandidate } from './publish.ts';
import { searchCandidates, type CaseSets } from './search.ts';

export interface OptimizeDeps {
  config: Config;
  db: Db;
  registry: ProviderRegistry;
  metrics: Metrics;
  logger: Logger;
  announcePrompts: () => Promise<void>;
  /** To hand a judged "could not fix" to the diagnosis stage. */
  jobs: JobSystem;
}

type Run = typeof optimizationRuns.$inferSelect;
/** Ends the run: its outcome (and the status it implies) and result stored, counted and logged. */
type Finish = (outcome: OptimizationOutcome, result: string, extra?: Partial<typeof optimizationRuns.$inferInsert>) => Promise<void>;

const statusOf = (outcome: OptimizationOutcome): string => (outcome === 'fixed' ? 'accepted' : outcome === 'failed' ? 'failed' : 'not_fixed');

/**
 * One optimization run: replays the pattern's failing cases (and a regression sample) with candidate
 * prompts proposed by the optimizer model, keeps a Pareto front over selection cases, and accepts the
 * best only if it beats the current prompt on the gate set it was never tuned on. An accepted prompt
 * becomes a new version (and, by policy, a canary); otherwise the run ends "prompt could not fix this".
 * The parts: search.ts (candidates), gate.ts (acceptance), publish.ts (the new version).
 */
export async function runOptimization(deps: OptimizeDeps, runId: string, signal?: AbortSignal): Promise<void> {
  const [run] = await deps.db.select().from(optimizationRuns).where(eq(optimizationRuns.id, runId));
  if (!run || (run.status !== 'queued' && run.status !== 'running')) return;
  await deps.db.update(optimizationRuns).set({ status: 'running', startedAt: sql`now()` }).where(eq(optimizationRuns.id, runId));
  const finish: Finish = async (outcome, result, extra = {}) => {
    const status = statusOf(outcome);
    await deps.db.update(optimizationRuns).set({ status, outcome, result, finishedAt: sql`now()`, ...extra }).where(eq(optimizationRuns.id, runId));
    deps.metrics.optimizationRuns.labels(deps.metrics.label.component(run.component), status).inc();
    deps.logger.info({ runId, component: run.component, status, outcome, result }, 'optimization run ended');
    // A judged "could not fix" is evidence the model lacks something: the diagnosis weighs it.
    if (outcome === 'could_not_fix') await deps.jobs.enqueue('diagnose.pattern', { patternId: run.patternId }, { jobId: `diagnose:${run.patternId}:${runId}` });
  };
  try {
    await optimize(deps, run, finish, signal);
  } catch (err) {
    if (err instanceof BudgetExhausted) return void (await finish('inconclusive', `prompt could not fix this within budget: ${err.message}`));
    deps.logger.error({ runId, err }, 'optimization run failed');
    await finish('failed', (err as Error).message.slice(0, 2000));
    throw err;
  }
}

/** The run's steps: prepare, search, gate, publish; each way out ends the run through `finish`. */
async function optimize(deps: OptimizeDeps, run: Run, finish: Finish, signal?: AbortSignal): Promise<void> {
  const s = deps.config.file.optimizer;
  const runId = run.id;
  const model = s.model;
  if (!model) return void (await finish('failed', 'no optimizer model configured (optimizer.model)'));
  const observed = await ensureObservedVersion(deps.db, run.component);
  if (!observed) return void (await finish('failed', 'the component has no recorded calls with a system prompt'));
  const template = parseTemplateText(observed.template);
  const current = await currentPrompt(deps.db, run.component, observed.template);
  const { sets, counts } = await loadSets(deps.db, run, template);
  if (!sets.gate.some((c) => c.kind === 'pattern') || !sets.selection.some((c) => c.kind === 'pattern')) {
    return void (await finish('inconclusive', `too few cases to judge a prompt on (${JSON.stringify(counts)})`));
  }

  const { signatures, share } = await patternFootprint(deps.db, run);
  const replay = createBudgetedReplay(deps, run.component, s, signatures, signal);
  // The gate replays the current prompt and the winner on every gate case: kept out of the search's budget.
  const gateReplays = 2 * sets.gate.length;
  if (gateReplays >= s.maxEvalCalls) {
    return void (await finish('inconclusive', `prompt could not fix this within budget: the gate set needs ${gateReplays} replays, and the budget of ${s.maxEvalCalls} (optimizer.maxEvalCalls) leaves none for a search`));
  }
  replay.reserve(gateReplays);
  const candidates: StoredCandidate[] = [];
  const save = () => deps.db.update(optimizationRuns).set({ candidates, evalCalls: replay.spent.evalCalls, optimizerTokens: replay.spent.tokens, costUsd: replay.spent.costUsd }).where(eq(optimizationRuns.id, runId));
  const extraModels = deps.config.file.components[run.component]?.optimizer?.models ?? [];
  const { baseline, front } = await searchCandidates({ registry: deps.registry, logger: deps.logger, runId, settings: s, model, current, slots: template.slots, sets, extraModels, replay, candidates, save, signal });

  const best = pickBest(front);
  if (!best) return void (await save(), await finish('could_not_fix', 'prompt could not fix this: no candidate beat the current prompt on the selection set'));
  let gate: GateOutcome;
  replay.release();
  try {
    gate = await judgeOnGate(replay, sets.gate, baseline, best, s, share);
  } catch (err) {
    if (!(err instanceof BudgetExhausted)) throw err;
    return void (await save(), await finish('inconclusive', `prompt could not fix this within budget: ${err.message}`));
  }
  await save();
  if (!gate.accepted) return void (await finish(gate.inconclusive ? 'inconclusive' : 'could_not_fix', `prompt could not fix this: ${gate.reasons.join('; ')}`, { gate: { ...gate, candidate: best.id } }));

  const version = await publishCandidate(deps, run, best, s);
  const left = version.canaried || s.canaryShare <= 0 ? '' : ' (left a candidate: another version is on canary)';
  await finish('fixed', `version ${version.version}${left}: pattern failure rate ${(gate.patternFailRate.current * 100).toFixed(0)} % → ${(gate.patternFailRate.candidate * 100).toFixed(0)} % on the gate set (p = ${gate.pValue.toFixed(4)})`, { gate: { ...gate, candidate: best.id }, winnerVersionId: version.id });
}

/**
 * The pattern's own failure signatures (kind and rule of its failures), and its share of the
 * component's calls over 7 days: how much the gate weighs its cases against the other calls.
 */
async function patternFootprint(db: Db, run: Run): Promise<{ signatures: Set<string>; share: number }> {
  const sigs = rowsOf<{ kind: string; rule_id: string }>(await db.execute(sql`select distinct kind, rule_id from failures where pattern_id = ${run.patternId}`));
  const [counts] = rowsOf<{ failing: string | number; calls: string | number }>(
    await db.execute(sql`
      select (select count(distinct call_id) from failures where pattern_id = ${run.patternId} and call_started_at > now() - interval '7 days') as failing,
        (select count(*) from calls where component = ${run.component} and started_at > now() - interval '7 days') as calls`),
  );
  const failing = Number(counts?.failing ?? 0);
  const calls = Math.max(failing, Number(counts?.calls ?? 0));
  return { signatures: new Set(sigs.map((r) => signatureOf({ kind: r.kind, ruleId: r.rule_id }))), share: calls > 0 ? failing / calls : 1 };
}

/** The prompt live now: the component's active version, else the observed template with no model. */
async function currentPrompt(db: Db, component: string, observedTemplate: string): Promise<{ template: string; model: string | null }> {
  const [pointers] = await db.select().from(componentPrompts).where(eq(componentPrompts.component, component));
  const [active] = pointers?.activeVersionId ? await db.select().from(promptVersions).where(eq(promptVersions.id, pointers.activeVersionId)) : [];
  return { template: active?.template ?? observedTemplate, model: active?.model ?? null };
}

/** The run's cases split into feedback, selection and gate sets (by session); their counts are stored on the run. */
async function loadSets(db: Db, run: Run, template: PromptTemplate): Promise<{ sets: CaseSets; counts: Record<string, number> }> {
  const cases = await loadCases(db, run.patternId, run.component, template);
  const sets: CaseSets = { feedback: [], selection: [], gate: [] };
  for (const c of cases) sets[setOf(c.sessionKey)].push(c);
  const counts: Record<string, number> = Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.length]));
  // The pattern's own cases over the three sets: a retry waits until as many new ones arrived.
  counts['patternCases'] = cases.filter((c) => c.kind === 'pattern').length;
  await db.update(optimizationRuns).set({ sets: counts }).where(eq(optimizationRuns.id, run.id));
  return { sets, counts };
}

/** Creates a run for a pattern and returns its id (the caller enqueues it). */
export async function createRun(db: Db, patternId: string, component: string, trigger: OptimizationTrigger): Promise<string> {
  const id = newUuidV7();
  await db.insert(optimizationRuns).values({ id, patternId, component, status: 'queued', trigger });
  return id;
}
