import { sql } from 'drizzle-orm';
import { doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * A fine-tuning recommendation's life: `open` (or `needs_examples`) → `approved` → `training` →
 * `evaluating` → `canary` → `promoted`; or `rejected` (the tuned model failed the gate or its
 * canary), `failed` (the backend's error), `dismissed` (a person said no, or cancelled).
 */
export const recommendationStatuses = ['needs_examples', 'open', 'approved', 'training', 'evaluating', 'canary', 'promoted', 'rejected', 'failed', 'dismissed'] as const;
export type RecommendationStatus = (typeof recommendationStatuses)[number];
/** Statuses of a recommendation still in play: a component has at most one. */
export const liveRecommendationStatuses = ['needs_examples', 'open', 'approved', 'training', 'evaluating', 'canary'] as const satisfies readonly RecommendationStatus[];

/**
 * Why a pattern is a fine-tuning candidate: (a) its remedy is fine-tuning; (b) prompt optimization
 * judged it could not fix it `retrain.afterFailedPromptRuns` times; (c) an accepted prompt fixed it
 * only by growing past `retrain.bakeGrowth`.
 */
export const candidateReasons = ['finetune_remedy', 'prompt_could_not_fix', 'prompt_grew'] as const;
export type CandidateReason = (typeof candidateReasons)[number];

/** Where a training target came from, most trusted first. */
export const targetSources = ['correction', 'later_prompt', 'teacher'] as const;
export type TargetSource = (typeof targetSources)[number];

/** OpenAI's fine-tuning job statuses, which every backend is normalised to. */
export const trainingJobStatuses = ['validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type TrainingJobStatus = (typeof trainingJobStatuses)[number];
export const finishedTrainingStatuses = ['succeeded', 'failed', 'cancelled'] as const satisfies readonly TrainingJobStatus[];

export const trainingBackends = ['openai', 'local'] as const;
export type TrainingBackendName = (typeof trainingBackends)[number];

/** One candidate pattern of a recommendation, as it stood when last looked at. */
export interface RecommendedPattern {
  id: string;
  title: string;
  kind: string;
  diagnosis: string | null;
  remedy: string;
  reasons: CandidateReason[];
  failures24h: number;
  /** Failures / calls of the component, last 24 h. */
  failureRate: number;
}

/** Failure cases of the candidate patterns with a trusted target, by source; `missing` short of minExamples. */
export interface ExampleCounts {
  trusted: number;
  bySource: Record<TargetSource, number>;
  missing: number;
}

/** The arithmetic a person decides on. */
export interface RecommendationArithmetic {
  failuresPerDay: number;
  costPerFailureUsd: number;
  failureCostPerDayUsd: number;
  estimatedTrainingTokens: number;
  estimatedTrainingCostUsd: number;
  servingCostPerDayUsd: number;
  /** Days until the training cost is paid back by the failures it removes (null: it never is). */
  paybackDays: number | null;
}

/** Fine-tuning recommendations: one live per component, covering its candidate patterns. */
export const finetuneRecommendations = pgTable(
  'finetune_recommendations',
  {
    id: uuid().primaryKey(),
    component: text().notNull(),
    status: text().notNull(),
    patterns: jsonb().$type<RecommendedPattern[]>().notNull().default([]),
    examples: jsonb().$type<ExampleCounts>().notNull(),
    baseModel: text().notNull(),
    backend: text().notNull(),
    arithmetic: jsonb().$type<RecommendationArithmetic>().notNull(),
    /** Who approved: `admin`, `policy` (retrain.auto); null before. */
    approvedBy: text(),
    datasetId: uuid(),
    trainingJobId: uuid(),
    tunedModel: text(),
    /** The gate's numbers (the tuned model against the current one). */
    evaluation: jsonb().$type<Record<string, unknown>>(),
    /** The prompt version carrying the tuned model (its canary). */
    versionId: uuid(),
    /** What went wrong (failed), or why it was rejected or dismissed. */
    error: text(),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('finetune_recommendations_live_idx')
      .on(t.component)
      .where(sql`status in ('needs_examples', 'open', 'approved', 'training', 'evaluating', 'canary')`),
    index('finetune_recommendations_status_idx').on(t.status, t.updatedAt),
  ],
);
export type RecommendationRow = typeof finetuneRecommendations.$inferSelect;
/** A recommendation as JSON carries it (the admin API, the webhook): times as ISO strings. */
export type RecommendationJson = Omit<RecommendationRow, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

/** Every change of a recommendation: its status moves, webhook deliveries, the job's milestones. */
export const recommendationEvents = pgTable(
  'recommendation_events',
  {
    id: uuid().primaryKey(),
    recommendationId: uuid().notNull(),
    at: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** status | webhook | updated */
    type: text().notNull(),
    fromStatus: text(),
    toStatus: text(),
    /** admin | policy | retrain */
    actor: text().notNull(),
    detail: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('recommendation_events_rec_idx').on(t.recommendationId, t.at)],
);

/** A dataset built for a recommendation: files under the retrain directory and their manifest. */
export const finetuneDatasets = pgTable(
  'finetune_datasets',
  {
    id: uuid().primaryKey(),
    recommendationId: uuid().notNull(),
    component: text().notNull(),
    /** sha256 over the files' contents (train, validation, gate, preference pairs in that order). */
    sha256: text().notNull(),
    /** The directory holding the files. */
    dir: text().notNull(),
    /** File name → { rows, bytes, sha256 }. */
    files: jsonb().$type<Record<string, { rows: number; bytes: number; sha256: string }>>().notNull(),
    /** Counts by source and split, redactions, duplicates dropped. */
    counts: jsonb().$type<Record<string, unknown>>().notNull(),
    manifest: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('finetune_datasets_rec_idx').on(t.recommendationId)],
);
export type DatasetRow = typeof finetuneDatasets.$inferSelect;

/** A job event, normalised to OpenAI's fine_tuning.job.event. */
export interface StoredJobEvent {
  id: string;
  /** Unix seconds. */
  at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
  data?: Record<string, unknown>;
}

/** A checkpoint, normalised to OpenAI's fine_tuning.job.checkpoint. */
export interface StoredCheckpoint {
  id: string;
  step: number;
  metrics: Record<string, number | null>;
  /** The checkpoint's model id (openai) or adapter path (local). */
  model: string | null;
}

/** Training jobs: one per start of a backend; the backend's own id is stored so a restarted worker carries on. */
export const trainingJobs = pgTable(
  'training_jobs',
  {
    id: uuid().primaryKey(),
    recommendationId: uuid().notNull(),
    datasetId: uuid().notNull(),
    backend: text().notNull(),
    /** The backend's job id (OpenAI's ftjob-…, the local run's directory); null until started. */
    externalId: text(),
    status: text().notNull(),
    baseModel: text().notNull(),
    hyperparameters: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The tuned model the gateway addresses once succeeded. */
    tunedModel: text(),
    events: jsonb().$type<StoredJobEvent[]>().notNull().default([]),
    checkpoints: jsonb().$type<StoredCheckpoint[]>().notNull().default([]),
    error: jsonb().$type<{ code: string; message: string }>(),
    trainedTokens: integer(),
    polls: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true, mode: 'date' }),
    finishedAt: timestamp({ withTimezone: true, mode: 'date' }),
    polledAt: timestamp({ withTimezone: true, mode: 'date' }),
    /** Estimated spend of the run, US dollars. */
    costUsd: doublePrecision(),
  },
  (t) => [index('training_jobs_rec_idx').on(t.recommendationId), index('training_jobs_status_idx').on(t.status)],
);
export type TrainingJobRow = typeof trainingJobs.$inferSelect;
