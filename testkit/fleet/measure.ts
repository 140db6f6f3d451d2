/**
 * What the loop did, measured against the ground truth after it ran: grouping (adjusted Rand index of
 * patterns vs true problems, completeness, patterns per problem), systematic flags (real vs noise),
 * diagnosis accuracy, optimization runs and their outcomes, canary decisions, and the pass rate of each
 * component before and after (the harness's own grading of the answers its agents got).
 */
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../src/db/index.ts';
import { adjustedRandIndex, completeness, homogeneity, purity } from '../grouping-corpus/index.ts';
import type { FleetDriver } from './driver.ts';
import { trueLabel, type StoredFailure } from './ground-truth.ts';
import { componentReports, inc, loadRuns, significantlyWorse, summarizeRuns, type ComponentReport, type OptimizationSummary, type StoredCandidateView } from './measure-loop.ts';
import type { Simulation } from './simulation.ts';
import type { World } from './world.ts';

export type { ComponentReport, Rate } from './measure-loop.ts';

export interface ProblemReport {
  id: string;
  diagnosis: string;
  failures: number;
  /** Patterns whose majority is this problem, and patterns holding any of its failures. */
  patterns: number;
  patternsTouched: number;
  /** Share of its failures in its largest pattern. */
  largestShare: number;
  systematic: boolean;
  /** Diagnoses of its (majority) patterns, weighted by their failures of it. */
  diagnoses: Record<string, number>;
}

export interface RunDetail {
  component: string;
  /** The true problem most of its pattern's failures belong to (`noise:…` for a one-off). */
  problem: string;
  status: string;
  trigger: string;
  result: string | null;
  sets: Record<string, number>;
  evalCalls: number;
  candidates: StoredCandidateView[];
}

export interface FleetReport {
  failures: { total: number; grouped: number; noise: number; byKind: Record<string, number> };
  grouping: { ari: number; ariRealOnly: number; completeness: number; homogeneity: number; purity: number; livePatterns: number; patternsPerProblem: number };
  problems: ProblemReport[];
  systematic: { patterns: number; realProblemsFlagged: number; realProblems: number; noisePatterns: number };
  diagnosis: { patternsJudged: number; correct: number; accuracy: number | null };
  optimization: OptimizationSummary;
  canary: { promoted: number; rolledBack: number };
  components: ComponentReport[];
  promptFixable: { components: number; fixed: number; threshold: number };
  control: { name: string; before: number | null; after: number | null; regressed: boolean } | null;
  /** Every optimization run and every systematic pattern, with the true problem of its pattern (JSON output only). */
  details: { runs: RunDetail[]; systematicPatterns: { id: string; component: string; kind: string; failures: number; label: string; diagnosis: string | null; remedy: string }[] };
}

interface PatternRow {
  id: string;
  component: string;
  kind: string;
  systematic: boolean;
  diagnosis: string | null;
  remedy: string;
  failure_count: number;
  merged_into: string | null;
}

type Labelled = StoredFailure & { label: string; pattern_id: string };

/** Each pattern's majority label; a merged pattern's is its survivor's. */
function majorities(grouped: Labelled[], all: PatternRow[]): (patternId: string) => string {
  const counts = new Map<string, Map<string, number>>();
  for (const f of grouped) {
    const m = counts.get(f.pattern_id) ?? new Map<string, number>();
    m.set(f.label, (m.get(f.label) ?? 0) + 1);
    counts.set(f.pattern_id, m);
  }
  const mergedInto = new Map(all.map((p) => [p.id, p.merged_into]));
  return (id) => {
    let at = id;
    for (let hops = 0; mergedInto.get(at) && hops < 50; hops++) at = mergedInto.get(at)!;
    const m = counts.get(at);
    return m ? [...m].sort((a, b) => b[1] - a[1])[0]![0] : 'none';
  };
}

function problemReports(world: World, grouped: Labelled[], live: PatternRow[], majority: (id: string) => string): ProblemReport[] {
  return world.problems.map((p) => {
    const mine = grouped.filter((f) => f.label === p.id);
    const counts = new Map<string, number>();
    for (const f of mine) counts.set(f.pattern_id, (counts.get(f.pattern_id) ?? 0) + 1);
    const own = live.filter((x) => majority(x.id) === p.id);
    const diagnoses: Record<string, number> = {};
    for (const x of own) inc(diagnoses, x.diagnosis ?? 'undiagnosed', counts.get(x.id) ?? 0);
    return {
      id: p.id,
      diagnosis: p.diagnosis,
      failures: mine.length,
      patterns: own.length,
      patternsTouched: counts.size,
      largestShare: mine.length ? Math.max(...counts.values()) / mine.length : 0,
      systematic: own.some((x) => x.systematic),
      diagnoses,
    };
  });
}

export async function measureFleet(db: Db, sim: Simulation, driver: FleetDriver, phases: { before: string; after: string }, passThreshold = 0.9): Promise<FleetReport> {
  const world = sim.world;
  const stored = rowsOf<StoredFailure>(await db.execute(sql`select id, call_id, component, kind, rule_id, evidence->>'rationale' as rationale, pattern_id from failures`));
  const labelled = stored.flatMap((f) => {
    const label = trueLabel(f, driver.byCallId, sim);
    return label ? [{ ...f, label }] : [];
  });
  const grouped = labelled.filter((f): f is Labelled => f.pattern_id !== null);
  const real = grouped.filter((f) => !f.label.startsWith('noise:'));
  const all = rowsOf<PatternRow>(await db.execute(sql`select id, component, kind, systematic, diagnosis, remedy, failure_count, merged_into from patterns`));
  const live = all.filter((p) => p.merged_into === null);
  const majority = majorities(grouped, all);
  const problems = problemReports(world, grouped, live, majority);
  const systematic = live.filter((p) => p.systematic);
  const diagnosed = live.filter((p) => p.diagnosis && world.problem(majority(p.id)));
  const correct = diagnosed.filter((p) => p.diagnosis === world.problem(majority(p.id))?.diagnosis).length;
  const runs = await loadRuns(db);
  const components = await componentReports(db, world, driver.records, runs, live, phases);
  const fixable = components.filter((c) => c.problems.length > 0 && c.problems.every((p) => p.promptFixable));
  const control = components.find((c) => c.problems.length === 0);
  const byKind: Record<string, number> = {};
  for (const f of labelled) inc(byKind, f.kind);
  const seen = problems.filter((p) => p.failures > 0);
  return {
    failures: { total: labelled.length, grouped: grouped.length, noise: labelled.filter((f) => f.label.startsWith('noise:')).length, byKind },
    grouping: {
      ari: adjustedRandIndex(grouped.map((f) => f.label), grouped.map((f) => f.pattern_id)),
      ariRealOnly: adjustedRandIndex(real.map((f) => f.label), real.map((f) => f.pattern_id)),
      completeness: completeness(grouped.map((f) => f.label), grouped.map((f) => f.pattern_id)),
      homogeneity: homogeneity(grouped.map((f) => f.label), grouped.map((f) => f.pattern_id)),
      purity: purity(grouped.map((f) => f.label), grouped.map((f) => f.pattern_id)),
      livePatterns: live.length,
      patternsPerProblem: seen.length ? seen.reduce((s, p) => s + p.patternsTouched, 0) / seen.length : 0,
    },
    problems,
    systematic: {
      patterns: systematic.length,
      realProblemsFlagged: problems.filter((p) => p.systematic).length,
      realProblems: world.problems.length,
      noisePatterns: systematic.filter((p) => !world.problem(majority(p.id))).length,
    },
    diagnosis: { patternsJudged: diagnosed.length, correct, accuracy: diagnosed.length ? correct / diagnosed.length : null },
    optimization: summarizeRuns(runs),
    canary: { promoted: components.reduce((s, c) => s + c.canary.promoted, 0), rolledBack: components.reduce((s, c) => s + c.canary.rolledBack, 0) },
    components,
    promptFixable: { components: fixable.length, fixed: fixable.filter((c) => (c.after.rate ?? 0) >= passThreshold).length, threshold: passThreshold },
    control: control ? { name: control.name, before: control.before.rate, after: control.after.rate, regressed: significantlyWorse(control.before, control.after) } : null,
    details: {
      runs: runs.map((r) => ({ component: r.component, problem: majority(r.pattern_id), status: r.status, trigger: r.trigger, result: r.result, sets: r.sets, evalCalls: r.eval_calls, candidates: r.candidates.map(({ id, rejected, scores, template }) => ({ id, rejected, scores, template })) })),
      systematicPatterns: systematic.map((p) => ({ id: p.id, component: p.component, kind: p.kind, failures: p.failure_count, label: majority(p.id), diagnosis: p.diagnosis, remedy: p.remedy })),
    },
  };
}
