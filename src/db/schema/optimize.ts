import { doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** One candidate of a run, as shown by GET /api/optimizations/:id. */
export interface StoredCandidate {
  id: string;
  parent: string | null;
  template: string;
  model: string | null;
  /** Example exchanges put before the conversation (the second lever), when the candidate has them. */
  fewShot?: { user: string; assistant: string }[];
  /** Why it was rejected before evaluation (slot change, growth, copied case text), if it was. */
  rejected: string | null;
  /** Cases passed / evaluated, per set and model. */
  scores: Record<string, { passed: number; total: number; patternPassed?: number; patternTotal?: number }>;
  costUsd: number;
  latencyMs: number;
}

export const optimizationRunStatuses = ['queued', 'running', 'accepted', 'not_fixed', 'failed'] as const;
export type OptimizationRunStatus = (typeof optimizationRunStatuses)[number];
/**
 * What a finished run says about its pattern: `fixed` (a version was accepted); `could_not_fix` (a
 * judged comparison: no candidate beat the current prompt, or the gate refused the best on its
 * effect, a regression or its growth); `inconclusive` (too few cases, a budget too small, or an
 * effect the gate could not yet call significant: try again when more cases arrived); `failed`.
 */
export const optimizationOutcomes = ['fixed', 'could_not_fix', 'inconclusive', 'failed'] as const;
export type OptimizationOutcome = (typeof optimizationOutcomes)[number];

/** Who asked for a run: a person (the admin API or CLI) or the policy sweep. */
export const optimizationTriggers = ['manual', 'policy'] as const;
export type OptimizationTrigger = (typeof optimizationTriggers)[number];

/** Prompt optimization runs: one per request (by hand or by policy) for a pattern. */
export const optimizationRuns = pgTable(
  'optimization_runs',
  {
    id: uuid().primaryKey(),
    patternId: uuid().notNull(),
    component: text().notNull(),
    /** queued | running | accepted | not_fixed | failed */
    status: text().notNull(),
    /** manual | policy */
    trigger: text().notNull(),
    result: text(),
    /** Null until the run ends (and for runs from before outcomes were recorded). */
    outcome: text(),
    candidates: jsonb().$type<StoredCandidate[]>().notNull().default([]),
    /** Case counts of the feedback, selection and gate sets. */
    sets: jsonb().$type<Record<string, number>>().notNull().default({}),
    gate: jsonb().$type<Record<string, unknown>>(),
    winnerVersionId: uuid(),
    evalCalls: integer().notNull().default(0),
    optimizerTokens: integer().notNull().default(0),
    costUsd: doublePrecision().notNull().default(0),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true, mode: 'date' }),
    finishedAt: timestamp({ withTimezone: true, mode: 'date' }),
  },
  (t) => [index('optimization_runs_pattern_idx').on(t.patternId, t.createdAt)],
);

export type OptimizationRunRow = typeof optimizationRuns.$inferSelect;
