import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import OpenAI from 'openai';
import type { SupervisedHyperparameters } from 'openai/resources/fine-tuning/methods';
import { AppError } from '../../core/errors.ts';
import { finishedTrainingStatuses } from '../../db/index.ts';
import type { Provider, ProviderRegistry } from '../../providers/index.ts';
import { fineTuningApiError } from './openai-api-errors.ts';
import { backendJobOf } from './openai-job-mapping.ts';
import type { BackendJob, StartTraining, TrainingBackend } from './training-backend.ts';

export interface OpenAIBackendOptions {
  registry: ProviderRegistry;
  /** `retrain.openai.provider`: the configured provider whose files and fine-tuning API trains, and which then serves the tuned model. */
  providerName: string;
  /** Per request, ms (default 60 s). */
  timeoutMs?: number;
  /** Per file upload, ms (default 10 min). */
  uploadTimeoutMs?: number;
  /** Page size when listing events and checkpoints (default 100, OpenAI's largest). */
  pageSize?: number;
}

const SETTING = 'retrain.openai.provider';

function providerOf(registry: ProviderRegistry, name: string): Provider {
  const provider = registry.providers.get(name);
  if (!provider) throw new AppError('invalid_request', `${SETTING}: no provider named "${name}" is configured`, { param: SETTING });
  if (provider.kind !== 'openai') {
    throw new AppError('invalid_request', `${SETTING}: provider "${name}" is of kind ${provider.kind}, which has no fine-tuning jobs API; name an OpenAI-compatible provider`, { param: SETTING });
  }
  return provider;
}

/** Every setting given, so the SDK does not fall back on process.env (OPENAI_ORG_ID, OPENAI_LOG, ...; it still reads OPENAI_CUSTOM_HEADERS). */
function clientFor(provider: Provider, timeoutMs: number): OpenAI {
  return new OpenAI({
    baseURL: provider.origin + provider.basePath,
    // A keyless provider: the SDK insists on a key, so give it one and strip the header it makes.
    apiKey: provider.apiKey ?? 'unused',
    defaultHeaders: provider.apiKey === undefined ? { ...provider.headers, Authorization: null } : provider.headers,
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    logLevel: 'off',
    maxRetries: 0,
    timeout: timeoutMs,
  });
}

function supervisedHyperparameters(h: StartTraining['hyperparameters']): SupervisedHyperparameters {
  const out: SupervisedHyperparameters = {};
  if (h.epochs !== undefined) out.n_epochs = h.epochs;
  if (h.learningRate !== undefined) out.learning_rate_multiplier = h.learningRate;
  if (h.batchSize !== undefined) out.batch_size = h.batchSize;
  return out;
}

/**
 * Trains through a provider's OpenAI Files + Fine-tuning jobs API (OpenAI itself, or any provider
 * speaking it); the tuned model is then served by the same provider as `<provider>/<ft:…>`.
 * Failed API calls throw UpstreamHttpError with the provider's status; the retry policy is the caller's.
 * Holds nothing but the client: the external id is all a restarted worker needs.
 */
class OpenAIBackend implements TrainingBackend {
  readonly name = 'openai' as const;
  private readonly client: OpenAI;
  private readonly uploadTimeoutMs: number;
  private readonly pageSize: number;

  constructor(
    private readonly provider: Provider,
    opts: OpenAIBackendOptions,
  ) {
    this.client = clientFor(provider, opts.timeoutMs ?? 60_000);
    this.uploadTimeoutMs = opts.uploadTimeoutMs ?? 600_000;
    this.pageSize = opts.pageSize ?? 100;
  }

  async start(input: StartTraining, signal?: AbortSignal): Promise<{ externalId: string }> {
    const trainingFile = await this.upload(input.files.train, `fixpoint-${input.jobId}-train`, signal);
    const validationFile = input.files.validation === null ? null : await this.upload(input.files.validation, `fixpoint-${input.jobId}-validation`, signal);
    const job = await this.call('creating the fine-tuning job', () =>
      this.client.fineTuning.jobs.create(
        {
          model: input.baseModel,
          training_file: trainingFile,
          validation_file: validationFile,
          suffix: input.suffix,
          metadata: { fixpoint_training_job: input.jobId },
          method: { type: 'supervised', supervised: { hyperparameters: supervisedHyperparameters(input.hyperparameters) } },
        },
        { signal, idempotencyKey: `fixpoint-${input.jobId}-job` },
      ),
    );
    return { externalId: job.id };
  }

  async poll(externalId: string, signal?: AbortSignal): Promise<BackendJob> {
    const { jobs } = this.client.fineTuning;
    const query = { limit: this.pageSize };
    // The job first: once it reads finished, the events and checkpoints listed after it are complete.
    const job = await this.call(`reading job ${externalId}`, () => jobs.retrieve(externalId, { signal }));
    const events = await this.call(`listing the events of ${externalId}`, () => all(jobs.listEvents(externalId, query, { signal })));
    const checkpoints = await this.call(`listing the checkpoints of ${externalId}`, () => all(jobs.checkpoints.list(externalId, query, { signal })));
    return backendJobOf(job, events, checkpoints);
  }

  async cancel(externalId: string): Promise<void> {
    try {
      await this.call(`cancelling job ${externalId}`, () => this.client.fineTuning.jobs.cancel(externalId));
    } catch (err) {
      // Idempotent: a job that already finished has nothing left to cancel.
      const job = await this.call(`reading job ${externalId}`, () => this.client.fineTuning.jobs.retrieve(externalId)).catch(() => null);
      if (job && (finishedTrainingStatuses as readonly string[]).includes(job.status)) return;
      throw err;
    }
  }

  async deploy(externalId: string, job: BackendJob): Promise<string> {
    if (job.status !== 'succeeded' || !job.fineTunedModel) {
      throw new AppError('invalid_request', `job ${externalId} has no tuned model to deploy (status ${job.status})`);
    }
    // The provider serves a tuned model as soon as its job succeeds: naming it is all there is to do.
    return `${this.provider.name}/${job.fineTunedModel}`;
  }

  private async upload(path: string, idempotencyKey: string, signal: AbortSignal | undefined): Promise<string> {
    const file = await this.call(`uploading ${basename(path)}`, () =>
      this.client.files.create({ file: createReadStream(path), purpose: 'fine-tune' }, { signal, timeout: this.uploadTimeoutMs, idempotencyKey }),
    );
    if (file.status === 'error') throw new AppError('invalid_request', `provider ${this.provider.name} rejected ${basename(path)}: ${file.status_details ?? 'no reason given'}`);
    return file.id;
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw fineTuningApiError(err, what, this.provider.name, this.provider.apiKey);
    }
  }
}

/** Every item of every page. */
async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}

/** Throws an AppError naming `retrain.openai.provider` when that provider is not configured or is not OpenAI-compatible. */
export function createOpenAIBackend(opts: OpenAIBackendOptions): TrainingBackend {
  return new OpenAIBackend(providerOf(opts.registry, opts.providerName), opts);
}
