/**
 * The jobs' lifecycle: `validating_files → queued → running (N training steps) → succeeded`, one
 * step per tick, or `failed` / `cancelled`. Knobs for tests: planned failures, holding in `running`.
 */
import type { FineTuningJob } from 'openai/resources/fine-tuning/jobs/jobs';
import type { FileStore } from './file-store.ts';
import { nowSeconds } from './file-store.ts';
import { checkpointOf, jobEvent, metricsEvent, newJob, resolvedHyperparameters, resultsCsv, stepMetrics, tunedModelName, type JobRequest } from './job-wire.ts';
import type { FailMatch, FakeJobRecord, Learn, LearnedModel, PlannedFailure, TrainingRow } from './types.ts';
import { checkTrainingFile, tokensOf } from './validate-file.ts';

export interface EngineOptions {
  files: FileStore;
  tickMs: number;
  manual: boolean;
  steps: number;
  checkpointEvery: number;
  minExamples: number;
  learn: Learn | undefined;
}

export interface JobState extends FakeJobRecord {
  suffix: string | null;
  rows: TrainingRow[];
  step: number;
  failure: (PlannedFailure & { atStep: number }) | null;
  timer: NodeJS.Timeout | null;
  parked: boolean;
}

type JobError = { code: string; message: string; param: string | null };

const finished = new Set<FineTuningJob['status']>(['succeeded', 'failed', 'cancelled']);
const isFinished = (s: JobState): boolean => finished.has(s.job.status);

export class JobEngine {
  /** Tuned model id → what it answers (null: as the base); checkpoint models are known too. */
  readonly learned = new Map<string, LearnedModel | null>();
  private readonly jobs = new Map<string, JobState>();
  private readonly plannedFailures: Array<PlannedFailure & FailMatch> = [];
  private holdAfterStep: number | null = null;
  private closed = false;

  constructor(private readonly opts: EngineOptions) {}

  create(req: JobRequest): FineTuningJob {
    const job = newJob(req);
    const s: JobState = { job, events: [], checkpoints: [], request: req.raw, suffix: req.suffix, rows: [], step: 0, failure: this.takeFailure(req), timer: null, parked: false };
    s.events.push(jobEvent('info', `Validating training file: ${req.trainingFile}${req.validationFile ? ` and validation file: ${req.validationFile}` : ''}`));
    s.events.push(jobEvent('info', `Created fine-tuning job: ${job.id}`));
    this.jobs.set(job.id, s);
    this.schedule(s);
    return job;
  }

  get(id: string): JobState | undefined {
    return this.jobs.get(id);
  }

  /** Newest first. */
  list(): JobState[] {
    return [...this.jobs.values()].reverse();
  }

  /** Null when the job had already finished. */
  cancel(id: string): FineTuningJob | null {
    const s = this.jobs.get(id);
    if (!s || isFinished(s)) return null;
    s.events.push(jobEvent('info', 'Fine-tuning job cancelled'));
    this.finish(s, 'cancelled');
    return s.job;
  }

  failNext(error: PlannedFailure, match: FailMatch = {}): void {
    this.plannedFailures.push({ ...error, ...match });
  }

  hold(afterStep: number): void {
    this.holdAfterStep = afterStep;
  }

  release(): void {
    this.holdAfterStep = null;
    for (const s of this.jobs.values()) {
      if (!s.parked) continue;
      s.parked = false;
      this.schedule(s);
    }
  }

  /** One step for every unfinished, unheld job; how many moved. */
  tick(): number {
    let moved = 0;
    for (const s of [...this.jobs.values()]) {
      if (isFinished(s) || s.parked) continue;
      this.advance(s);
      if (!s.parked) moved++;
    }
    return moved;
  }

  close(): void {
    this.closed = true;
    for (const s of this.jobs.values()) if (s.timer) clearTimeout(s.timer);
  }

  private takeFailure(req: JobRequest): JobState['failure'] {
    const i = this.plannedFailures.findIndex((f) => (f.suffix === undefined || f.suffix === req.suffix) && (f.baseModel === undefined || f.baseModel === req.model));
    const f = i < 0 ? undefined : this.plannedFailures.splice(i, 1)[0];
    return f ? { code: f.code, message: f.message, atStep: f.atStep ?? 1 } : null;
  }

  private schedule(s: JobState): void {
    if (this.opts.manual || this.closed || isFinished(s)) return;
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(() => {
      s.timer = null;
      this.advance(s);
    }, this.opts.tickMs);
    s.timer.unref();
  }

  /** One step of a job's life. */
  private advance(s: JobState): void {
    if (this.closed || s.parked) return;
    if (s.job.status === 'validating_files') this.validate(s);
    else if (s.job.status === 'queued') this.begin(s);
    else if (s.job.status === 'running') this.trainStep(s);
    if (!s.parked) this.schedule(s);
  }

  private finish(s: JobState, status: 'succeeded' | 'failed' | 'cancelled'): void {
    s.job.status = status;
    s.job.finished_at = nowSeconds();
    s.job.estimated_finish = null;
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
  }

  private fail(s: JobState, error: JobError): void {
    s.job.error = error;
    s.events.push(jobEvent('error', error.message));
    this.finish(s, 'failed');
  }

  private validate(s: JobState): void {
    const { files, minExamples } = this.opts;
    const train = checkTrainingFile(files.get(s.job.training_file)?.content ?? '', minExamples);
    if (!train.ok) return this.fail(s, { code: 'invalid_training_file', message: `The job failed due to an invalid training file. ${train.message}`, param: 'training_file' });
    if (s.job.validation_file) {
      const valid = checkTrainingFile(files.get(s.job.validation_file)?.content ?? '', 1);
      if (!valid.ok) return this.fail(s, { code: 'invalid_validation_file', message: `The job failed due to an invalid validation file. ${valid.message}`, param: 'validation_file' });
    }
    s.rows = train.rows;
    s.events.push(jobEvent('info', 'Files validated, moving job to queued state'));
    s.job.status = 'queued';
  }

  private begin(s: JobState): void {
    const h = resolvedHyperparameters(s.job.hyperparameters as JobRequest['hyperparameters']);
    s.job.hyperparameters = h;
    s.job.method = { type: 'supervised', supervised: { hyperparameters: h } };
    s.job.status = 'running';
    s.job.estimated_finish = nowSeconds() + Math.ceil((this.opts.steps * this.opts.tickMs) / 1000);
    s.events.push(jobEvent('info', 'Fine-tuning job started'));
  }

  private trainStep(s: JobState): void {
    if (this.holdAfterStep !== null && s.step >= this.holdAfterStep) {
      s.parked = true;
      return;
    }
    const { steps, checkpointEvery } = this.opts;
    s.step++;
    const metrics = stepMetrics(s.step, s.job.validation_file !== null);
    s.events.push(metricsEvent(metrics, steps));
    const model = tunedModelName(s.job, s.suffix);
    if (s.step % checkpointEvery === 0 || s.step === steps) {
      s.checkpoints.push(checkpointOf(s.job, model, metrics));
      s.events.push(jobEvent('info', `Checkpoint created at step ${s.step}`));
    }
    if (s.failure && s.step >= s.failure.atStep) return this.fail(s, { code: s.failure.code, message: s.failure.message, param: null });
    if (s.step >= steps) this.succeed(s, model);
  }

  private succeed(s: JobState, model: string): void {
    let answer: LearnedModel | null;
    try {
      answer = this.opts.learn?.(s.rows, { jobId: s.job.id, baseModel: s.job.model, suffix: s.suffix, model }) ?? null;
    } catch (err) {
      return this.fail(s, { code: 'server_error', message: `learn() threw: ${(err as Error).message}`, param: null });
    }
    const epochs = resolvedHyperparameters(s.job.hyperparameters as JobRequest['hyperparameters']).n_epochs;
    s.job.fine_tuned_model = model;
    s.job.trained_tokens = tokensOf(s.rows) * epochs;
    s.job.result_files = [this.opts.files.add('step_metrics.csv', 'fine-tune-results', resultsCsv(s.events)).id];
    this.learned.set(model, answer);
    for (const c of s.checkpoints) this.learned.set(c.fine_tuned_model_checkpoint, null);
    s.events.push(jobEvent('info', `New fine-tuned model created: ${model}`));
    s.events.push(jobEvent('info', 'The job has successfully completed'));
    this.finish(s, 'succeeded');
  }
}
