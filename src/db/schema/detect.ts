import { boolean, doublePrecision, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/** The kinds of failure every later stage groups, diagnoses and fixes. */
export const failureKinds = ['format', 'schema', 'tool', 'truncation', 'refusal', 'empty', 'error', 'rule', 'judge', 'feedback'] as const;
export type FailureKind = (typeof failureKinds)[number];

/**
 * One row per thing that went wrong with a call. (call, kind, rule) is unique, so detection is
 * idempotent: re-running a check on a call adds nothing.
 */
export const failures = pgTable(
  'failures',
  {
    id: uuid().primaryKey(),
    callId: uuid().notNull(),
    component: text().notNull(),
    /** format | schema | tool | truncation | refusal | empty | error | rule | judge | feedback */
    kind: text().notNull(),
    ruleId: text().notNull(),
    message: text().notNull(),
    evidence: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The output that should have been produced, when feedback gave one. */
    correction: jsonb(),
    /** When the call happened (the failure's time for rates and windows). */
    callStartedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** The pattern the grouping job put it in; null until grouped. */
    patternId: uuid(),
  },
  (t) => [
    uniqueIndex('failures_call_kind_rule_idx').on(t.callId, t.kind, t.ruleId),
    index('failures_component_started_idx').on(t.component, t.callStartedAt),
    index('failures_kind_started_idx').on(t.kind, t.callStartedAt),
    index('failures_started_idx').on(t.callStartedAt),
    // The grouping job's queue: small, because rows leave it once grouped.
    index('failures_ungrouped_idx').on(t.component, t.createdAt).where(sql`pattern_id is null`),
    index('failures_pattern_started_idx').on(t.patternId, t.callStartedAt),
  ],
);

/**
 * Calls the detectors have checked. A separate table rather than a column on calls, so marking a
 * call never rewrites its (large) row; the sweep finds recent calls without a row here.
 */
export const callEvaluations = pgTable('call_evaluations', {
  callId: uuid().primaryKey(),
  failureCount: integer().notNull(),
  evaluatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** LLM-judge verdicts: one per call and rubric version. */
export const judgeVerdicts = pgTable(
  'judge_verdicts',
  {
    id: uuid().primaryKey(),
    callId: uuid().notNull(),
    component: text().notNull(),
    rubricVersion: text().notNull(),
    judgeModel: text().notNull(),
    pass: boolean().notNull(),
    score: real().notNull(),
    failedCriteria: text().array().notNull(),
    rationale: text().notNull(),
    inputTokens: integer(),
    outputTokens: integer(),
    costUsd: doublePrecision(),
    latencyMs: doublePrecision().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('judge_verdicts_call_rubric_idx').on(t.callId, t.rubricVersion), index('judge_verdicts_component_created_idx').on(t.component, t.createdAt)],
);

/** User feedback on a call: a rating, a comment, and optionally the output that should have been produced. */
export const feedback = pgTable(
  'feedback',
  {
    id: uuid().primaryKey(),
    callId: uuid().notNull(),
    /** 0 (bad) … 1 (good); thumbs up = 1, thumbs down = 0. */
    rating: real().notNull(),
    comment: text(),
    correction: jsonb(),
    /** client (same key as the call) | admin */
    source: text().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('feedback_call_idx').on(t.callId)],
);
