/** Building OpenAI's wire objects: the job, its events, its checkpoints and their metrics. */
import type { FineTuningJob, FineTuningJobEvent } from 'openai/resources/fine-tuning/jobs/jobs';
import type { FineTuningJobCheckpoint } from 'openai/resources/fine-tuning/jobs/checkpoints';
import { fakeId, nowSeconds } from './file-store.ts';

type Auto = 'auto' | number;

/** A create request, already checked. */
export interface JobRequest {
  model: string;
  trainingFile: string;
  validationFile: string | null;
  suffix: string | null;
  hyperparameters: { n_epochs: Auto; batch_size: Auto; learning_rate_multiplier: Auto };
  seed: number | null;
  metadata: Record<string, string> | null;
  raw: Record<string, unknown>;
}

/** What `auto` resolves to once the job runs. */
export function resolvedHyperparameters(h: JobRequest['hyperparameters']): { n_epochs: number; batch_size: number; learning_rate_multiplier: number } {
  return {
    n_epochs: h.n_epochs === 'auto' ? 3 : h.n_epochs,
    batch_size: h.batch_size === 'auto' ? 1 : h.batch_size,
    learning_rate_multiplier: h.learning_rate_multiplier === 'auto' ? 1.8 : h.learning_rate_multiplier,
  };
}

export function newJob(req: JobRequest): FineTuningJob {
  return {
    object: 'fine_tuning.job',
    id: fakeId('ftjob-'),
    model: req.model,
    created_at: nowSeconds(),
    finished_at: null,
    fine_tuned_model: null,
    organization_id: 'org-fake',
    result_files: [],
    status: 'validating_files',
    validation_file: req.validationFile,
    training_file: req.trainingFile,
    hyperparameters: { ...req.hyperparameters },
    trained_tokens: null,
    error: null,
    seed: req.seed ?? 42,
    estimated_finish: null,
    integrations: null,
    metadata: req.metadata,
    method: { type: 'supervised', supervised: { hyperparameters: { ...req.hyperparameters } } },
  };
}

/** `ft:<base>:<suffix>:<jobid>` (OpenAI also puts the organization after the base). */
export function tunedModelName(job: FineTuningJob, suffix: string | null): string {
  return `ft:${job.model}:${suffix ?? ''}:${job.id}`;
}

export function jobEvent(level: FineTuningJobEvent['level'], message: string, data?: Record<string, unknown>): FineTuningJobEvent {
  return {
    object: 'fine_tuning.job.event',
    id: fakeId('ftevent-'),
    created_at: nowSeconds(),
    level,
    message,
    data: data ?? {},
    type: data ? 'metrics' : 'message',
  };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** Deterministic losses falling with each step (1.8 at step 1, 1.35 at step 2, ... towards 0.3). */
export function stepMetrics(step: number, withValidation: boolean): Record<string, number> {
  const trainLoss = round(0.3 + 1.5 * Math.pow(0.7, step - 1));
  const out: Record<string, number> = {
    step,
    train_loss: trainLoss,
    train_mean_token_accuracy: round(Math.max(0, 1 - trainLoss / 2)),
  };
  if (withValidation) {
    out['valid_loss'] = round(trainLoss + 0.05);
    out['valid_mean_token_accuracy'] = round(Math.max(0, 1 - (trainLoss + 0.05) / 2));
  }
  return out;
}

export function metricsEvent(metrics: Record<string, number>, totalSteps: number): FineTuningJobEvent {
  const train = metrics['train_loss'] ?? 0;
  const valid = metrics['valid_loss'];
  const message = `Step ${metrics['step']}/${totalSteps}: training loss=${train.toFixed(2)}${valid === undefined ? '' : `, validation loss=${valid.toFixed(2)}`}`;
  return jobEvent('info', message, { ...metrics, total_steps: totalSteps });
}

export function checkpointOf(job: FineTuningJob, model: string, metrics: Record<string, number>): FineTuningJobCheckpoint {
  const step = metrics['step'] ?? 0;
  const full = metrics['valid_loss'] === undefined ? {} : { full_valid_loss: metrics['valid_loss'], full_valid_mean_token_accuracy: metrics['valid_mean_token_accuracy'] };
  return {
    object: 'fine_tuning.job.checkpoint',
    id: fakeId('ftckpt_'),
    created_at: nowSeconds(),
    fine_tuned_model_checkpoint: `${model}:ckpt-step-${step}`,
    fine_tuning_job_id: job.id,
    step_number: step,
    metrics: { ...metrics, ...full },
  };
}

/** The `fine-tune-results` CSV a succeeded job leaves. */
export function resultsCsv(events: FineTuningJobEvent[]): string {
  const rows = events.flatMap((e) => {
    if (e.type !== 'metrics' || typeof e.data !== 'object' || e.data === null) return [];
    const d = e.data as Record<string, unknown>;
    const cell = (k: string) => (typeof d[k] === 'number' ? String(d[k]) : '');
    return [[cell('step'), cell('train_loss'), cell('train_mean_token_accuracy'), cell('valid_loss'), cell('valid_mean_token_accuracy')].join(',')];
  });
  return ['step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy', ...rows].join('\n') + '\n';
}
