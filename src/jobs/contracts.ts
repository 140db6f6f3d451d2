import { z } from 'zod';
import { AppError } from '../core/errors.ts';

/**
 * Queue names and their payload contracts. Each job name is one queue (BullMQ) or one
 * in-memory queue (in-process). Payloads carry ids, never prompts, bodies or keys.
 * Later stages add their jobs here.
 */
const callId = z.uuid();

export const jobContracts = {
  'retention.sweep': z.object({ olderThanDays: z.number().int().positive() }),
  /** Run the detectors on these recorded calls (enqueued by the recorder after each stored batch). */
  'detect.calls': z.object({ callIds: z.array(callId).min(1).max(1000) }),
  /** Find recent calls the detectors have not checked (a lost enqueue, a Redis outage) and enqueue them. */
  'detect.sweep': z.object({ lookbackMinutes: z.number().int().positive().max(10_080) }),
  /** Ask the component's LLM judge about one call, for one rubric version. */
  'judge.call': z.object({ callId, component: z.string().min(1), rubricVersion: z.string().min(1) }),
  /** Group a component's ungrouped failures into patterns (deduplicated per component). */
  'group.failures': z.object({ component: z.string().min(1) }),
  /** Periodic: enqueue grouping where failures wait, refresh pattern statistics and lifecycle, update gauges. */
  'group.sweep': z.object({}),
  /** Write a pattern's title and summary (configured model, or the plain fallback). */
  'group.describe': z.object({ patternId: z.uuid() }),
  /** Periodic: start optimization runs for systematic patterns whose remedy is the prompt (policy). */
  'optimize.sweep': z.object({}),
  /** Run one prompt optimization (its row holds the pattern and settings). */
  'optimize.run': z.object({ runId: z.uuid() }),
  /** Periodic: compare every running canary with its control; promote or roll back. */
  'hotswap.canary': z.object({}),
  /** Periodic: find fine-tuning candidates, update recommendations, approve by policy, follow canaries, resume polls. */
  'retrain.sweep': z.object({}),
  /** Post a recommendation's change to the configured webhook (retried with backoff). */
  'retrain.notify': z.object({ recommendationId: z.uuid(), eventId: z.uuid() }),
  /** An approved recommendation: build its dataset and start the training job. */
  'retrain.train': z.object({ recommendationId: z.uuid() }),
  /** Ask the backend how a training job is doing; re-enqueued with backoff until it ends. */
  'retrain.poll': z.object({ trainingJobId: z.uuid() }),
  /** A person cancelled a recommendation: stop its training job, take its tuned model off canary. */
  'retrain.cancel': z.object({ recommendationId: z.uuid() }),
  /** The tuned model against the current one on the gate set; accepted → canary. */
  'retrain.evaluate': z.object({ recommendationId: z.uuid() }),
  /** Classify a pattern as behavioral or knowledge and recommend a remedy. */
  'diagnose.pattern': z.object({ patternId: z.uuid() }),
} as const;

export type JobName = keyof typeof jobContracts;

/**
 * How a recommendation event's webhook delivery is enqueued, by whoever moved the recommendation (the
 * retrain stage or a person through the admin API): once per event, retried with backoff.
 */
export const notifyJobOptions = (eventId: string) => ({ jobId: `notify:${eventId}`, attempts: 8, backoffMs: 5_000 });
export type JobPayload<N extends JobName> = z.infer<(typeof jobContracts)[N]>;

export function isJobName(name: unknown): name is JobName {
  return typeof name === 'string' && Object.hasOwn(jobContracts, name);
}

export function assertJobName(name: unknown): asserts name is JobName {
  if (!isJobName(name)) throw new AppError('invalid_request', `unknown job name: ${String(name)}`, { param: 'name' });
}

export type PayloadCheck<N extends JobName> =
  | { ok: true; data: JobPayload<N> }
  | { ok: false; param: string; message: string };

/** Validates a payload against its contract; the first issue names the field. */
export function checkJobPayload<N extends JobName>(name: N, payload: unknown): PayloadCheck<N> {
  const result = jobContracts[name].safeParse(payload);
  // TypeScript cannot narrow the indexed schema by N; the data came from jobContracts[name].
  if (result.success) return { ok: true, data: result.data as JobPayload<N> };
  const issue = result.error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'payload';
  return { ok: false, param, message: `${param}: ${issue?.message ?? 'invalid payload'}` };
}

/** Like checkJobPayload, but throws AppError('invalid_request') naming the field. */
export function parseJobPayload<N extends JobName>(name: N, payload: unknown): JobPayload<N> {
  assertJobName(name);
  const checked = checkJobPayload(name, payload);
  if (!checked.ok) {
    throw new AppError('invalid_request', `invalid ${name} payload: ${checked.message}`, { param: checked.param });
  }
  return checked.data;
}
