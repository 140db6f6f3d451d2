import type { FineTuningJob, FineTuningJobEvent } from 'openai/resources/fine-tuning/jobs/jobs';
import type { FineTuningJobCheckpoint } from 'openai/resources/fine-tuning/jobs/checkpoints';
import type { StoredCheckpoint, StoredJobEvent } from '../../db/index.ts';
import type { BackendJob } from './training-backend.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Events as OpenAI lists them (newest first), oldest first. */
export function eventsOldestFirst(newestFirst: FineTuningJobEvent[]): StoredJobEvent[] {
  return [...newestFirst].reverse().map((e) => {
    const event: StoredJobEvent = { id: e.id, at: e.created_at, level: e.level, message: e.message };
    if (isRecord(e.data) && Object.keys(e.data).length > 0) event.data = e.data;
    return event;
  });
}

/** Checkpoints by step, their numeric metrics kept. */
export function checkpointsByStep(checkpoints: FineTuningJobCheckpoint[]): StoredCheckpoint[] {
  return [...checkpoints]
    .sort((a, b) => a.step_number - b.step_number)
    .map((c) => {
      const metrics: Record<string, number | null> = {};
      for (const [k, v] of Object.entries(c.metrics ?? {})) if (typeof v === 'number' || v === null) metrics[k] = v;
      return { id: c.id, step: c.step_number, metrics, model: c.fine_tuned_model_checkpoint || null };
    });
}

/** OpenAI sends `error: null` or an empty object on jobs that did not fail. */
function errorOf(job: FineTuningJob): BackendJob['error'] {
  const e: unknown = job.error;
  const code = isRecord(e) && typeof e['code'] === 'string' ? e['code'] : '';
  const message = isRecord(e) && typeof e['message'] === 'string' ? e['message'] : '';
  if (code || message) return { code: code || 'unknown', message };
  return job.status === 'failed' ? { code: 'unknown', message: 'the provider reported the job failed without giving a reason' } : null;
}

export function backendJobOf(job: FineTuningJob, events: FineTuningJobEvent[], checkpoints: FineTuningJobCheckpoint[]): BackendJob {
  return {
    status: job.status,
    fineTunedModel: job.status === 'succeeded' ? job.fine_tuned_model : null,
    error: errorOf(job),
    trainedTokens: job.trained_tokens ?? null,
    events: eventsOldestFirst(events),
    checkpoints: checkpointsByStep(checkpoints),
  };
}
