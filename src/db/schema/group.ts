import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, index, integer, jsonb, pgTable, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** A pattern's lifecycle: emerging → systematic → resolved (rate fell after a fix) → regressed (came back). */
export const patternStatuses = ['emerging', 'systematic', 'resolved', 'regressed'] as const;
export type PatternStatus = (typeof patternStatuses)[number];

/** Behavioral (a prompt can fix it), knowledge (the model lacks it), operational (upstream trouble), or unknown. */
export const diagnoses = ['behavioral', 'knowledge', 'operational', 'unknown'] as const;
export type Diagnosis = (typeof diagnoses)[number];

/** What later stages do about a pattern. */
export const remedies = ['prompt', 'finetune', 'prompt_then_finetune', 'watch'] as const;
export type Remedy = (typeof remedies)[number];

/** A centroid: the sum of its members' vectors over its heaviest dimensions. */
export interface StoredCentroid {
  idx: number[];
  val: number[];
}

/** Statistics of a pattern at `statsAt` (see group/pattern-stats.ts). */
export interface StoredPatternStats {
  windows: { h1: number; h24: number; d7: number };
  componentCalls: { h1: number; h24: number; d7: number };
  /** failures / calls of the component, last 24 h. */
  share24h: number;
  rateLowerBound: number;
  hoursSeen: number;
  hoursWithTraffic: number;
  sessions: number;
  users: number;
  /** Conditions of "systematic" that were not met: rate, recurrence, spread. */
  unmet: string[];
}

/**
 * Patterns: failures of one component and kind that recur with the same meaning. Grouping assigns
 * each failure (failures.pattern_id); the statistics, lifecycle and diagnosis live here.
 */
export const patterns = pgTable(
  'patterns',
  {
    id: uuid().primaryKey(),
    component: text().notNull(),
    kind: text().notNull(),
    /** The rule id of the pattern's first failure (most patterns hold one rule). */
    ruleId: text().notNull(),
    /** Fingerprint key → members with it (the most common ones). */
    fingerprints: jsonb().$type<Record<string, number>>().notNull().default({}),
    /** The normalized message shape of its first failure ("expected one of [...], got <text>"). */
    shape: text().notNull(),
    title: text().notNull(),
    summary: text().notNull(),
    /** model | fallback */
    summarySource: text().notNull().default('fallback'),
    /** The failure count when the summary was written (rewritten when the pattern doubles). */
    summaryAt: integer().notNull().default(0),
    topTerms: text().array().notNull().default([]),
    /** local | embeddings:<model>: the vector space of the centroid. */
    space: text().notNull(),
    centroid: jsonb().$type<StoredCentroid>().notNull(),
    centroidNorm2: doublePrecision().notNull(),
    failureCount: integer().notNull().default(0),
    firstSeen: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    lastSeen: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    /** emerging | systematic | resolved | regressed */
    status: text().notNull().default('emerging'),
    systematic: boolean().notNull().default(false),
    stats: jsonb().$type<StoredPatternStats>(),
    statsAt: timestamp({ withTimezone: true, mode: 'date' }),
    /** behavioral | knowledge | operational | unknown; null until diagnosed. */
    diagnosis: text(),
    diagnosisConfidence: real(),
    diagnosisReasons: jsonb().$type<string[]>().notNull().default([]),
    /** construction | model | fallback */
    diagnosisSource: text(),
    /** The failure count when diagnosed (diagnosed again when the pattern doubles). */
    diagnosedAt: integer().notNull().default(0),
    /** prompt | finetune | prompt_then_finetune | watch */
    remedy: text().notNull().default('watch'),
    /** Set when merged into another pattern; its failures moved there. */
    mergedInto: uuid(),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('patterns_component_updated_idx').on(t.component, t.updatedAt),
    // A worker's first read of a component: its most recently seen live patterns, without a sort.
    index('patterns_component_recent_idx').on(t.component, t.space, t.lastSeen.desc()).where(sql`merged_into is null`),
    index('patterns_status_idx').on(t.status, t.lastSeen),
    index('patterns_last_seen_idx').on(t.lastSeen),
    // The refresh job's queue: patterns touched since their statistics were computed.
    index('patterns_stats_due_idx').on(t.createdAt).where(sql`stats_at is null`),
  ],
);

export type PatternRow = typeof patterns.$inferSelect;

/** The timeline of a pattern: created, status changes, merges, diagnoses. */
export const patternEvents = pgTable(
  'pattern_events',
  {
    id: uuid().primaryKey(),
    patternId: uuid().notNull(),
    at: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** created | status | merged | diagnosed */
    type: text().notNull(),
    fromStatus: text(),
    toStatus: text(),
    detail: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('pattern_events_pattern_at_idx').on(t.patternId, t.at)],
);

/** Small state of the grouping stage that must outlive a process (the local vectorizer's document frequencies). */
export const groupingState = pgTable('grouping_state', {
  key: text().primaryKey(),
  data: jsonb().notNull(),
  updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
