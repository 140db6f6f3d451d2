import type { Config, RetrainSettings } from '../config/index.ts';
import type { Db, DatasetRow } from '../db/index.ts';
import type { CallView, FailureDraft } from '../evaluate/index.ts';
import { notifyJobOptions, type JobSystem } from '../jobs/index.ts';
import type { PriceLookup, ProviderRegistry } from '../providers/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import type { TrainingBackend } from './backends/training-backend.ts';
import type { CountExamples } from './recommendations.ts';

/** What the retrain stage's jobs are given (built in register.ts from the process's shared services). */
export interface RetrainDeps {
  config: Config;
  settings: RetrainSettings;
  db: Db;
  jobs: JobSystem;
  registry: ProviderRegistry;
  prices: PriceLookup;
  check: (view: CallView) => Promise<FailureDraft[]>;
  metrics: Metrics;
  logger: Logger;
  /** Tell every gateway that prompt pointers moved. */
  announcePrompts: () => Promise<void>;
  /** The backend of a training job (by its stored name). */
  backend: (name: string) => TrainingBackend;
  countExamples: CountExamples;
  buildDataset: (q: { recommendationId: string; component: string; patternIds: string[] }, signal?: AbortSignal) => Promise<DatasetRow>;
  /** Where dataset files and local runs live. */
  dir: string;
}

/** Enqueue the webhook delivery of a recommendation event, when a webhook is configured. */
export async function notify(deps: Pick<RetrainDeps, 'jobs' | 'settings'>, recommendationId: string, eventId: string): Promise<void> {
  if (!deps.settings.webhook.url) return;
  await deps.jobs.enqueue('retrain.notify', { recommendationId, eventId }, notifyJobOptions(eventId));
}
