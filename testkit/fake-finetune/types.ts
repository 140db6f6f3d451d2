/** Public types of the fake OpenAI Files + Fine-tuning API (testkit/fake-finetune). */
import type { FileObject } from 'openai/resources/files';
import type { FineTuningJob, FineTuningJobEvent } from 'openai/resources/fine-tuning/jobs/jobs';
import type { FineTuningJobCheckpoint } from 'openai/resources/fine-tuning/jobs/checkpoints';
import type { FakeUpstream, FakeUpstreamOptions, ReplyPlan } from '../fake-upstream/index.ts';

/** One message of a chat-format training row. */
export interface TrainingMessage {
  role: string;
  content?: unknown;
  [key: string]: unknown;
}

/** One line of a chat-format training file (already validated: it has an assistant message). */
export interface TrainingRow {
  messages: TrainingMessage[];
  [key: string]: unknown;
}

/** What a tuned model answers: a reply for the chat request body, or null for the base model's answer. */
export type LearnedModel = (body: Record<string, unknown>) => ReplyPlan | null;

/** The job a model was learned for. */
export interface LearnedJob {
  jobId: string;
  baseModel: string;
  suffix: string | null;
  /** The tuned model's id (`ft:<base>:<suffix>:<jobid>`). */
  model: string;
}

/** Called once per succeeded job with its training file's rows. */
export type Learn = (rows: TrainingRow[], job: LearnedJob) => LearnedModel;

/** An error a job is made to fail with while running (see `failNext`). */
export interface PlannedFailure {
  code: string;
  message: string;
}

export interface FailMatch {
  /** Only a job with this suffix (default: any). */
  suffix?: string;
  /** Only a job of this base model (default: any). */
  baseModel?: string;
  /** The training step after which it fails (default 1). */
  atStep?: number;
}

export interface FakeFineTuningOptions extends Omit<FakeUpstreamOptions, 'route'> {
  /** When set, every OpenAI-style route (not /v1/messages) wants `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Milliseconds per lifecycle step (a status move or one training step); default 50. */
  tickMs?: number;
  /** Nothing moves on its own; tests call `tick()`. */
  manual?: boolean;
  /** Training steps of every job (default 4), each a `metrics` event. */
  steps?: number;
  /** A checkpoint every this many steps, and at the last (default 2). */
  checkpointEvery?: number;
  /** Fewer examples than this fail validation, as OpenAI's minimum of 10 does (default 10). */
  minExamples?: number;
  /** Builds what a tuned model answers from its training rows (default: nothing learned, the base answers). */
  learn?: Learn;
}

/** A job as the fake holds it: the wire object, its events and checkpoints (oldest first), the create request. */
export interface FakeJobRecord {
  job: FineTuningJob;
  events: FineTuningJobEvent[];
  checkpoints: FineTuningJobCheckpoint[];
  request: Record<string, unknown>;
}

export interface FakeFileRecord {
  file: FileObject;
  content: string;
}

export interface FakeFineTuning extends FakeUpstream {
  /** Copies of every job, oldest first. */
  jobs(): FakeJobRecord[];
  /** Copies of every uploaded file (and result file), oldest first. */
  files(): FakeFileRecord[];
  /** The next created job that matches fails while running with this error (each call plans one failure). */
  failNext(error: PlannedFailure, match?: FailMatch): void;
  /** Jobs that reach `running` stop after `afterStep` training steps (default 1) until `release()`. */
  hold(opts?: { afterStep?: number }): void;
  release(): void;
  /** Move every unfinished, unheld job one step (what a tick of the clock does); returns how many moved. */
  tick(): number;
}
