import { z } from 'zod';
import { page, storedObject, time, uuid } from './wire-schemas.ts';

/** A fine-tuning recommendation as GET /api/recommendations and the decisions answer it. */
export const recommendationSchema = z.object({
  id: uuid,
  component: z.string(),
  status: z.string(),
  patterns: z.array(
    z.object({
      id: uuid,
      title: z.string(),
      kind: z.string(),
      diagnosis: z.string().nullable(),
      remedy: z.string(),
      reasons: z.array(z.string()),
      failures24h: z.number(),
      /** Failures / calls of the component, last 24 h. */
      failure_rate: z.number(),
    }),
  ),
  /** Failure cases with a trusted target, by source; `missing` short of the minimum. */
  examples: z.object({ trusted: z.number().int(), by_source: z.record(z.string(), z.number().int()), missing: z.number().int() }),
  base_model: z.string(),
  backend: z.string(),
  arithmetic: z.object({
    failures_per_day: z.number(),
    cost_per_failure_usd: z.number(),
    failure_cost_per_day_usd: z.number(),
    estimated_training_tokens: z.number(),
    estimated_training_cost_usd: z.number(),
    serving_cost_per_day_usd: z.number(),
    /** Days until the training cost is paid back (null: it never is). */
    payback_days: z.number().nullable(),
  }),
  approved_by: z.string().nullable(),
  dataset_id: uuid.nullable(),
  training_job_id: uuid.nullable(),
  tuned_model: z.string().nullable(),
  /** The gate's numbers (the tuned model against the current one). */
  evaluation: storedObject.nullable(),
  version_id: uuid.nullable(),
  error: z.string().nullable(),
  created_at: time,
  updated_at: time,
});

export const recommendationListResponse = page(recommendationSchema);

export const trainingJobSchema = z.object({
  id: uuid,
  recommendation_id: uuid,
  dataset_id: uuid,
  backend: z.string(),
  /** The backend's job id (OpenAI's ftjob-…, the local run's directory). */
  external_id: z.string().nullable(),
  status: z.string(),
  base_model: z.string(),
  hyperparameters: storedObject,
  tuned_model: z.string().nullable(),
  events: z.array(z.object({ id: z.string(), at: time, level: z.enum(['info', 'warn', 'error']), message: z.string(), data: storedObject.optional() })),
  checkpoints: z.array(z.object({ id: z.string(), step: z.number().int(), metrics: z.record(z.string(), z.number().nullable()), model: z.string().nullable() })),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  trained_tokens: z.number().int().nullable(),
  polls: z.number().int(),
  created_at: time,
  started_at: time.nullable(),
  finished_at: time.nullable(),
  polled_at: time.nullable(),
  cost_usd: z.number().nullable(),
});

/** A dataset's files: name → rows, bytes, sha256. */
export const datasetFiles = z.record(z.string(), z.object({ rows: z.number().int(), bytes: z.number().int(), sha256: z.string() }));

export const recommendationDetailResponse = recommendationSchema.extend({
  events: z.array(
    z.object({ id: uuid, recommendation_id: uuid, at: time, type: z.string(), from_status: z.string().nullable(), to_status: z.string().nullable(), actor: z.string(), detail: storedObject }),
  ),
  training_job: trainingJobSchema.nullable(),
  dataset: z.object({ id: uuid, sha256: z.string(), files: datasetFiles, counts: storedObject, created_at: time }).nullable(),
});
