import type { StoredCheckpoint, StoredJobEvent, TrainingBackendName, TrainingJobStatus } from '../../db/index.ts';

/** What a backend is asked to train. Paths are local files the worker wrote (dataset JSONL). */
export interface StartTraining {
  /** Our training job id (a name for the run, idempotency key where the backend takes one). */
  jobId: string;
  files: { train: string; validation: string | null };
  baseModel: string;
  /** Suffix of the tuned model's name. */
  suffix: string;
  hyperparameters: { epochs?: number; learningRate?: number; batchSize?: number };
}

/** A backend's job, normalised to OpenAI's fine-tuning job object. */
export interface BackendJob {
  status: TrainingJobStatus;
  /** The tuned model's id as the backend names it (OpenAI's ft:…, the local adapter's directory); null until succeeded. */
  fineTunedModel: string | null;
  error: { code: string; message: string } | null;
  trainedTokens: number | null;
  /** Every event so far, oldest first (ids stable across polls). */
  events: StoredJobEvent[];
  checkpoints: StoredCheckpoint[];
}

/**
 * One interface over every way of training. Each call is idempotent and stateless on our side: the
 * external id is all a restarted worker needs to carry on polling or cancel.
 */
export interface TrainingBackend {
  readonly name: TrainingBackendName;
  /** Upload / prepare the data and start the job; returns the backend's job id. */
  start(input: StartTraining, signal?: AbortSignal): Promise<{ externalId: string }>;
  poll(externalId: string, signal?: AbortSignal): Promise<BackendJob>;
  /** Ask the job to stop; the status turns `cancelled` on a later poll. */
  cancel(externalId: string): Promise<void>;
  /**
   * After success: make the tuned model addressable through the gateway (for the local backend:
   * load the adapter into the serving vLLM). Returns the model reference requests name.
   */
  deploy(externalId: string, job: BackendJob, signal?: AbortSignal): Promise<string>;
}
