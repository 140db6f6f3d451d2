/**
 * The OpenAI training backend against the stateful fake Files + Fine-tuning API, over real sockets with
 * the official SDK: train, follow, fail, cancel, carry on after a restart, then ask the tuned model.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import { AppError } from '../src/core/errors.ts';
import type { TrainingJobStatus } from '../src/db/index.ts';
import { createProviderRegistry, UpstreamHttpError, type ProviderRegistry } from '../src/providers/index.ts';
import { createOpenAIBackend } from '../src/retrain/backends/openai-backend.ts';
import type { BackendJob, StartTraining, TrainingBackend } from '../src/retrain/backends/training-backend.ts';
import { learnByHeart, startFakeFineTuning, type FakeFineTuning } from '../testkit/fake-finetune/index.ts';

const KEY = 'sk-tuner-0123456789abcdef';
const TIMEOUTS = { connectTimeoutMs: 2_000, idleTimeoutMs: 10_000 };
const finished: TrainingJobStatus[] = ['succeeded', 'failed', 'cancelled'];

let dir: string;
let fake: FakeFineTuning; // ticks on its own
let manual: FakeFineTuning; // moves only on tick()
const registries: ProviderRegistry[] = [];

const row = (i: number) => ({
  messages: [
    { role: 'system', content: 'You answer with the capital.' },
    { role: 'user', content: `Capital of country ${i}?` },
    { role: 'assistant', content: `City ${i}` },
  ],
});
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

function registryFor(target: FakeFineTuning, apiKey = KEY): ProviderRegistry {
  const yaml = [
    'providers:',
    '  tuner:',
    `    baseUrl: ${target.openaiBaseUrl}`,
    `    apiKey: ${apiKey}`,
    '    headers: { x-fixpoint-test: retrain }',
    '  claude:',
    '    kind: anthropic',
    `    baseUrl: ${target.anthropicBaseUrl}`,
  ].join('\n');
  const registry = createProviderRegistry(loadConfig({ OPENAI_BASE_URL: target.openaiBaseUrl }, yaml), TIMEOUTS);
  registries.push(registry);
  return registry;
}

const backendFor = (target: FakeFineTuning, opts: { pageSize?: number; apiKey?: string } = {}): TrainingBackend =>
  createOpenAIBackend({ registry: registryFor(target, opts.apiKey), providerName: 'tuner', pageSize: opts.pageSize ?? 3 });

function training(jobId: string, over: Partial<StartTraining> = {}): StartTraining {
  return {
    jobId,
    files: { train: join(dir, 'train.jsonl'), validation: join(dir, 'validation.jsonl') },
    baseModel: 'gpt-4o-mini',
    suffix: 'fixpoint',
    hyperparameters: { epochs: 2, learningRate: 0.5, batchSize: 4 },
    ...over,
  };
}

async function pollUntil(backend: TrainingBackend, id: string, done: (j: BackendJob) => boolean, limitMs = 10_000): Promise<BackendJob> {
  const until = Date.now() + limitMs;
  for (;;) {
    const job = await backend.poll(id);
    if (done(job)) return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}
const untilFinished = (b: TrainingBackend, id: string) => pollUntil(b, id, (j) => finished.includes(j.status));

/** Asks the provider the gateway resolves `ref` to, the way the gateway would name the upstream model. */
async function ask(registry: ProviderRegistry, ref: string, question: string): Promise<string | null> {
  const { provider, upstreamModel } = registry.resolve(ref);
  const client = new OpenAI({ baseURL: provider.origin + provider.basePath, apiKey: KEY, maxRetries: 0 });
  const res = await client.chat.completions.create({ model: upstreamModel, messages: [{ role: 'user', content: question }] });
  return res.choices[0]?.message.content ?? null;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fixpoint-retrain-openai-'));
  await writeFile(join(dir, 'train.jsonl'), jsonl(Array.from({ length: 12 }, (_, i) => row(i))));
  await writeFile(join(dir, 'validation.jsonl'), jsonl([row(100), row(101)]));
  fake = await startFakeFineTuning({ apiKey: KEY, tickMs: 20, steps: 4, checkpointEvery: 2, learn: learnByHeart });
  manual = await startFakeFineTuning({ apiKey: KEY, manual: true, steps: 4, checkpointEvery: 2, learn: learnByHeart });
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  await Promise.all([fake?.close(), manual?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('training through the OpenAI fine-tuning API', () => {
  it('uploads, trains, reports every status in order, events and checkpoints, and the tuned model answers what it learned', async () => {
    const backend = backendFor(manual);
    const { externalId } = await backend.start(training('job-success'));

    const seen: BackendJob[] = [await backend.poll(externalId)];
    while (!finished.includes(seen.at(-1)!.status)) {
      manual.tick();
      seen.push(await backend.poll(externalId));
    }
    const statuses = seen.map((j) => j.status).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual(['validating_files', 'queued', 'running', 'succeeded']);
    const job = seen.at(-1)!;
    expect(job.fineTunedModel).toBe(`ft:gpt-4o-mini:fixpoint:${externalId}`);
    expect(job.error).toBeNull();
    expect(job.trainedTokens).toBeGreaterThan(0);

    // What was sent: both files as they are on disk, purpose fine-tune; the supervised method's hyperparameters.
    const [stored] = manual.jobs();
    const files = manual.files();
    const content = (id: string | null) => files.find((f) => f.file.id === id)?.content;
    expect(content(stored!.job.training_file)).toBe(jsonl(Array.from({ length: 12 }, (_, i) => row(i))));
    expect(content(stored!.job.validation_file)).toBe(jsonl([row(100), row(101)]));
    expect(files.filter((f) => f.file.purpose === 'fine-tune')).toHaveLength(2);
    expect(stored!.request).toMatchObject({
      model: 'gpt-4o-mini',
      suffix: 'fixpoint',
      method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 2, learning_rate_multiplier: 0.5, batch_size: 4 } } },
      metadata: { fixpoint_training_job: 'job-success' },
    });
    const create = manual.requests.find((r) => r.method === 'POST' && r.path === '/v1/fine_tuning/jobs');
    expect(create?.headers).toMatchObject({ authorization: `Bearer ${KEY}`, 'x-fixpoint-test': 'retrain' });

    // Every event, oldest first, through several pages (page size 3); ids stable from poll to poll.
    expect(job.events.map((e) => e.id)).toEqual([...stored!.events.map((e) => e.id)]);
    expect(job.events.length).toBeGreaterThan(6);
    expect(manual.requests.some((r) => r.path.includes('/events?') && r.path.includes('after='))).toBe(true);
    expect(job.events[0]?.message).toContain('Validating training file');
    expect(job.events.at(-1)?.message).toContain('successfully completed');
    const steps = job.events.flatMap((e) => (typeof e.data?.['step'] === 'number' ? [e.data['step']] : []));
    expect(steps).toEqual([1, 2, 3, 4]);
    const earlier = seen.find((j) => j.status === 'running' && j.events.length > 3)!;
    expect(job.events.slice(0, earlier.events.length)).toEqual(earlier.events);
    expect((await backend.poll(externalId)).events).toEqual(job.events);

    // Checkpoints by step with their metrics and model ids.
    expect(job.checkpoints.map((c) => c.step)).toEqual([2, 4]);
    expect(job.checkpoints[1]).toMatchObject({
      model: `${job.fineTunedModel}:ckpt-step-4`,
      metrics: { step: 4, train_loss: expect.any(Number), valid_loss: expect.any(Number) },
    });
    expect(job.checkpoints[0]!.metrics['train_loss']!).toBeGreaterThan(job.checkpoints[1]!.metrics['train_loss']!);

    // Deployed, the gateway's `provider/model` reaches the tuned model, which answers what it was taught.
    const ref = await backend.deploy(externalId, job);
    expect(ref).toBe(`tuner/${job.fineTunedModel}`);
    const registry = registryFor(manual);
    expect(await ask(registry, ref, 'Capital of country 7?')).toBe('City 7');
    expect(await ask(registry, 'tuner/gpt-4o-mini', 'Capital of country 7?')).toBe('Echo: Capital of country 7?');
    expect(await ask(registry, ref, 'Something never taught')).toBe('Echo: Something never taught');
    await expect(ask(registry, 'tuner/ft:gpt-4o-mini:fixpoint:ftjob-nope', 'Capital of country 7?')).rejects.toMatchObject({ status: 404 });
  });

  it('surfaces the error of a job that fails while running', async () => {
    fake.failNext({ code: 'training_diverged', message: 'Loss diverged at step 2.' }, { suffix: 'doomed', atStep: 2 });
    const backend = backendFor(fake);
    const healthy = await backend.start(training('job-healthy'));
    const doomed = await backend.start(training('job-doomed', { suffix: 'doomed' }));

    const job = await untilFinished(backend, doomed.externalId);
    expect(job.status).toBe('failed');
    expect(job.error).toEqual({ code: 'training_diverged', message: 'Loss diverged at step 2.' });
    expect(job.fineTunedModel).toBeNull();
    expect(job.events.at(-1)).toMatchObject({ level: 'error', message: 'Loss diverged at step 2.' });
    await expect(backend.deploy(doomed.externalId, job)).rejects.toBeInstanceOf(AppError);
    expect((await untilFinished(backend, healthy.externalId)).status).toBe('succeeded');
  });

  it('fails a job whose training file is bad, naming the line', async () => {
    const bad = join(dir, 'bad.jsonl');
    const rows: unknown[] = Array.from({ length: 12 }, (_, i) => row(i));
    rows[2] = { messages: [{ role: 'user', content: 'no answer here' }] };
    await writeFile(bad, jsonl(rows));
    const backend = backendFor(fake);
    const { externalId } = await backend.start(training('job-bad-file', { files: { train: bad, validation: null } }));
    const job = await untilFinished(backend, externalId);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('invalid_training_file');
    expect(job.error?.message).toMatch(/Line 3 has no assistant message/);
    expect(job.checkpoints).toEqual([]);

    await writeFile(bad, 'not json\n');
    const second = await backend.start(training('job-not-json', { files: { train: bad, validation: null } }));
    expect((await untilFinished(backend, second.externalId)).error).toMatchObject({ code: 'invalid_training_file', message: expect.stringMatching(/Line 1 is not valid JSON/) });
  });

  it('cancels a running job, and cancelling again is harmless', async () => {
    fake.hold({ afterStep: 1 });
    try {
      const backend = backendFor(fake);
      const { externalId } = await backend.start(training('job-cancel'));
      await pollUntil(backend, externalId, (j) => j.status === 'running' && j.events.some((e) => e.data?.['step'] === 1));
      await backend.cancel(externalId);
      fake.release();
      await new Promise((r) => setTimeout(r, 100));
      const job = await backend.poll(externalId);
      expect(job.status).toBe('cancelled');
      expect(job.fineTunedModel).toBeNull();
      expect(job.events.some((e) => e.data?.['step'] === 2)).toBe(false);
      await backend.cancel(externalId);
    } finally {
      fake.release();
    }
  });

  it('carries on after a restart: a fresh backend knowing only the external id follows the job to success', async () => {
    fake.hold({ afterStep: 2 });
    let externalId: string;
    let before: BackendJob;
    try {
      const first = backendFor(fake);
      ({ externalId } = await first.start(training('job-restart')));
      before = await pollUntil(first, externalId, (j) => j.checkpoints.length === 1);
      expect(before.status).toBe('running');
    } finally {
      fake.release();
    }
    const second = backendFor(fake, { pageSize: 100 });
    const after = await untilFinished(second, externalId);
    expect(after.status).toBe('succeeded');
    expect(after.events.slice(0, before.events.length)).toEqual(before.events);
    expect(after.checkpoints.map((c) => c.step)).toEqual([2, 4]);
    expect(after.checkpoints[0]).toEqual(before.checkpoints[0]);
    expect(await second.deploy(externalId, after)).toBe(`tuner/ft:gpt-4o-mini:fixpoint:${externalId}`);
  });
});

describe('settings and API errors', () => {
  it('names retrain.openai.provider when the provider is missing or speaks Anthropic', () => {
    const registry = registryFor(fake);
    for (const providerName of ['nowhere', 'claude']) {
      let err: unknown;
      try {
        createOpenAIBackend({ registry, providerName });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).message).toContain('retrain.openai.provider');
      expect((err as AppError).message).toContain(providerName);
    }
  });

  it('maps API errors to the status and message, without the key', async () => {
    const wrongKey = 'sk-wrongwrongwrong-987654321';
    const unauthorised = backendFor(fake, { apiKey: wrongKey });
    const err = await unauthorised.start(training('job-wrong-key')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamHttpError);
    expect(err).toMatchObject({ status: 401, retryable: false });
    const message = (err as Error).message;
    expect(message).toContain('Incorrect API key provided');
    expect(message).not.toContain('sk-');
    expect(message).not.toContain('4321');

    // A keyless provider (the env's `openai` here, no OPENAI_API_KEY) sends no Authorization at all.
    const keyless = createOpenAIBackend({ registry: registryFor(fake), providerName: 'openai' });
    const noKey = await keyless.poll('ftjob-any').catch((e: unknown) => e);
    expect(noKey).toMatchObject({ status: 401, message: expect.stringContaining("didn't provide an API key") });

    const missing = await backendFor(fake).poll('ftjob-doesnotexist').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UpstreamHttpError);
    expect(missing).toMatchObject({ status: 404, message: expect.stringContaining('ftjob-doesnotexist') });
  });
});
