import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import { AppError } from '../src/core/errors.ts';
import { createProviderRegistry, type ProviderRegistry } from '../src/providers/index.ts';
import { createLocalBackend, type LocalBackendOptions } from '../src/retrain/backends/local-backend.ts';
import type { BackendJob, StartTraining, TrainingBackend } from '../src/retrain/backends/training-backend.ts';

/**
 * The local backend driving the real trainer (trainer/, its venv): a random-weight model made from
 * a config by the trainer's own `synthetic` command (nothing downloaded), invented facts as the
 * dataset. Only vLLM is faked: a node:http server answering load_lora_adapter as vLLM does.
 */

const repoRoot = resolve(import.meta.dirname, '..');
const python = join(repoRoot, 'trainer/.venv/bin/python');
const hasTrainer = existsSync(python);
if (!hasTrainer) console.warn(`retrain-local-backend: skipped: ${python} is absent (run bash trainer/setup.sh to create the trainer venv)`);

/** The checkout's trainer package (whatever the venv's .pth points at), and never a download. */
const trainerEnv = { PYTHONPATH: join(repoRoot, 'trainer'), HF_HUB_OFFLINE: '1', TOKENIZERS_PARALLELISM: 'false' };
const VLLM_KEY = 'sk-vllm-test-0123456789';
const finished = new Set(['succeeded', 'failed', 'cancelled']);
const order = ['validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled'];

interface LoadRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: { lora_name: string; lora_path: string };
}

/** vLLM's run-time LoRA endpoints as far as deploy uses them (vllm/entrypoints/openai/serving_models.py). */
function startFakeVllm(): Promise<{ server: Server; port: number; requests: LoadRequest[] }> {
  const requests: LoadRequest[] = [];
  const loaded = new Set<string>();
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/load_lora_adapter') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Not Found' }));
        return;
      }
      const body = JSON.parse(raw) as LoadRequest['body'];
      requests.push({ url: req.url, headers: req.headers, body });
      if (loaded.has(body.lora_name)) {
        const message = `The lora adapter '${body.lora_name}' has already been loaded.`;
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type: 'InvalidUserInput', param: null, code: 400 } }));
        return;
      }
      loaded.add(body.lora_name);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`Success: LoRA adapter '${body.lora_name}' added successfully.`);
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, port: (server.address() as AddressInfo).port, requests })));
}

async function untilFinished(backend: TrainingBackend, externalId: string, limitMs = 90_000): Promise<{ job: BackendJob; seen: string[] }> {
  const seen: string[] = [];
  const until = Date.now() + limitMs;
  for (;;) {
    const job = await backend.poll(externalId);
    if (seen.at(-1) !== job.status) seen.push(job.status);
    if (finished.has(job.status)) return { job, seen };
    if (Date.now() > until) throw new Error(`run ${externalId} still ${job.status} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function untilStatus(backend: TrainingBackend, externalId: string, status: string): Promise<BackendJob> {
  for (let i = 0; i < 600; i++) {
    const job = await backend.poll(externalId);
    if (job.status === status) return job;
    if (finished.has(job.status)) throw new Error(`run ${externalId} ended ${job.status} before ${status}: ${job.error?.message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${externalId} never ${status}`);
}

const appErrorOf = (p: Promise<unknown>): Promise<AppError> =>
  p.then(
    () => {
      throw new Error('expected an AppError');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(AppError);
      return e as AppError;
    },
  );

describe.skipIf(!hasTrainer)('local training backend (the real trainer)', () => {
  let dir: string;
  let runsDir: string;
  let data: { train: string; validation: string; base: string };
  let vllm: Awaited<ReturnType<typeof startFakeVllm>>;
  let registry: ProviderRegistry;
  let backend: TrainingBackend;
  const pids: number[] = [];

  const makeBackend = (over: Partial<LocalBackendOptions> = {}): TrainingBackend =>
    createLocalBackend({ python, args: ['--seed', '0'], runsDir, registry, serveProvider: 'vllm', cwd: repoRoot, env: trainerEnv, ...over });
  const training = (over: Partial<StartTraining> = {}): StartTraining => ({
    jobId: randomUUID(),
    files: { train: data.train, validation: data.validation },
    baseModel: data.base,
    suffix: 'test',
    hyperparameters: { epochs: 2, learningRate: 2e-3, batchSize: 2 },
    ...over,
  });
  const remember = async (jobId: string) => pids.push(Number((await readFile(join(runsDir, jobId, 'pid'), 'utf8')).trim()));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fixpoint-local-backend-'));
    runsDir = join(dir, 'runs');
    const { stdout } = await promisify(execFile)(python, ['-m', 'fixpoint_trainer', 'synthetic', '--out', join(dir, 'synthetic'), '--facts', '8'], {
      env: { ...process.env, ...trainerEnv },
    });
    data = JSON.parse(stdout) as typeof data;
    vllm = await startFakeVllm();
    const yaml = [
      'providers:',
      '  vllm:',
      '    kind: openai',
      `    baseUrl: http://127.0.0.1:${vllm.port}/v1`,
      `    apiKey: ${VLLM_KEY}`,
      '    headers: { x-team: retrain }',
      '  plain:',
      '    kind: openai',
      `    baseUrl: http://127.0.0.1:${vllm.port}/no-lora/v1`,
    ].join('\n');
    registry = createProviderRegistry(loadConfig({}, yaml), { connectTimeoutMs: 2000, idleTimeoutMs: 10_000 });
    backend = makeBackend({ serveDir: '/srv/fixpoint/runs' });
  }, 120_000);

  afterAll(async () => {
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await registry?.close();
    await new Promise((r) => vllm?.server.close(r));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let trained: { externalId: string; job: BackendJob };

  it('trains to success: statuses in order, step events, checkpoints, the adapter and its manifest', async () => {
    const input = training();
    const { externalId } = await backend.start(input);
    expect(externalId).toBe(input.jobId);
    await remember(input.jobId);
    const { job, seen } = await untilFinished(backend, externalId);

    expect(job.error).toBeNull();
    expect(seen[0]).toBe('validating_files');
    expect(seen.at(-1)).toBe('succeeded');
    expect(seen.map((s) => order.indexOf(s))).toEqual([...seen.map((s) => order.indexOf(s))].sort((a, b) => a - b));

    const kinds = job.events.map((e) => e.data?.['event']);
    expect(kinds[0]).toBe('validated');
    expect(kinds[1]).toBe('started');
    expect(kinds.at(-1)).toBe('succeeded');
    expect(kinds.filter((k) => k === 'step')).toHaveLength(8); // 8 facts, batch 2, 2 epochs
    expect(kinds.filter((k) => k === 'epoch')).toHaveLength(2);
    expect(new Set(job.events.map((e) => e.id)).size).toBe(job.events.length);
    expect(job.events.find((e) => e.data?.['event'] === 'step')?.message).toMatch(/^Step 1\/8: loss \d+\.\d+$/);
    expect(job.events.find((e) => e.data?.['event'] === 'epoch')?.message).toMatch(/^Epoch 1\/2 done: train loss [\d.]+, valid loss [\d.]+$/);

    const adapter = join(runsDir, externalId, 'adapter');
    expect(job.fineTunedModel).toBe(adapter);
    expect(job.checkpoints.length).toBeGreaterThanOrEqual(1);
    for (const c of job.checkpoints) {
      expect(c.model).toBe(adapter);
      expect(c.metrics['train_loss']).toEqual(expect.any(Number));
      expect(c.metrics['valid_loss']).toEqual(expect.any(Number));
      expect(c.metrics['epoch']).toEqual(expect.any(Number));
    }
    expect(job.checkpoints.map((c) => c.step)).toEqual([...job.checkpoints.map((c) => c.step)].sort((a, b) => a - b));
    expect(job.trainedTokens).toBeGreaterThan(0);

    expect(existsSync(join(adapter, 'adapter_model.safetensors'))).toBe(true);
    expect(existsSync(join(adapter, 'adapter_config.json'))).toBe(true);
    const manifest = JSON.parse(await readFile(join(runsDir, externalId, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest['status']).toBe('succeeded');
    expect(manifest['train_tokens']).toBe(job.trainedTokens);
    trained = { externalId, job };
  }, 120_000);

  it('a fresh backend instance (a restarted worker) polls the run by its external id alone; a retried start does not respawn', async () => {
    const fresh = makeBackend();
    expect(await fresh.poll(trained.externalId)).toEqual(trained.job);
    const events = await readFile(join(runsDir, trained.externalId, 'events.jsonl'), 'utf8');
    expect(await fresh.start(training({ jobId: trained.externalId }))).toEqual({ externalId: trained.externalId });
    expect(await readFile(join(runsDir, trained.externalId, 'events.jsonl'), 'utf8')).toBe(events);
    await fresh.cancel(trained.externalId); // finished: a no-op
    expect((await fresh.poll(trained.externalId)).status).toBe('succeeded');
    expect((await appErrorOf(fresh.poll('no-such-run'))).code).toBe('not_found');
    expect((await appErrorOf(fresh.poll('../escape'))).code).toBe('invalid_request');
  });

  it('a bad row fails the job with invalid_dataset, naming the file and line', async () => {
    const bad = join(dir, 'bad.jsonl');
    const good = { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] };
    const wrong = { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello', weight: 'yes' }] };
    await writeFile(bad, `${JSON.stringify(good)}\n${JSON.stringify(wrong)}\n`);
    const input = training({ files: { train: bad, validation: null } });
    await backend.start(input);
    await remember(input.jobId);
    const { job } = await untilFinished(backend, input.jobId);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('invalid_dataset');
    expect(job.error?.message).toContain(`${bad}, line 2`);
    expect(job.error?.message).toContain('weight');
    expect(job.events.at(-1)).toMatchObject({ level: 'error', message: expect.stringMatching(/^Training failed: .*line 2/) });
    expect(job.fineTunedModel).toBeNull();
  }, 60_000);

  /** A second long run, started beside the cancelled one (one wait for the imports instead of two), killed by the next test. */
  let doomed: string;

  it('cancel mid-run stops the trainer: the job turns cancelled', async () => {
    const long = { epochs: 400, learningRate: 2e-3, batchSize: 2 };
    const input = training({ hyperparameters: long });
    const other = training({ hyperparameters: long });
    doomed = other.jobId;
    await backend.start(input);
    await backend.start(other);
    await remember(input.jobId);
    await remember(other.jobId);
    await untilStatus(backend, input.jobId, 'running');
    await backend.cancel(input.jobId);
    const { job } = await untilFinished(backend, input.jobId, 60_000);
    expect(job.status).toBe('cancelled');
    expect(job.events.at(-1)).toMatchObject({ level: 'warn', message: 'Training cancelled (signal 15)' });
    expect(job.fineTunedModel).toBeNull();
    await backend.cancel(input.jobId); // already finished: nothing to do
  }, 90_000);

  it('cancel right after start (before the trainer can report it) still ends cancelled', async () => {
    const input = training();
    await backend.start(input);
    await remember(input.jobId);
    await backend.cancel(input.jobId);
    const { job } = await untilFinished(backend, input.jobId, 60_000);
    expect(job.status).toBe('cancelled');
    expect(job.error).toBeNull();
    expect(job.events.at(-1)?.level).toBe('warn');
  }, 90_000);

  it('a trainer that dies without a final event fails the job with its stderr tail', async () => {
    await untilStatus(backend, doomed, 'running');
    process.kill(-Number((await readFile(join(runsDir, doomed, 'pid'), 'utf8')).trim()), 'SIGKILL');
    const { job } = await untilFinished(backend, doomed, 30_000);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('trainer_exited');
    expect(job.error?.message).toMatch(/^the trainer exited without a final event; stderr ends: /);
    expect(job.error?.message.length).toBeLessThan(2200);
    expect(job.events.at(-1)?.level).toBe('error');
  }, 90_000);

  it('deploy loads the adapter into vLLM (serveDir-mapped path, key and headers) and returns <provider>/<lora_name>', async () => {
    const model = await backend.deploy(trained.externalId, trained.job);
    const name = `ft-${trained.externalId.slice(0, 8)}`;
    expect(model).toBe(`vllm/${name}`);
    expect(registry.resolve(model)).toMatchObject({ provider: { name: 'vllm' }, upstreamModel: name });
    const request = vllm.requests.at(-1);
    expect(request?.url).toBe('/v1/load_lora_adapter');
    expect(request?.body).toEqual({ lora_name: name, lora_path: `/srv/fixpoint/runs/${trained.externalId}/adapter` });
    expect(request?.headers['authorization']).toBe(`Bearer ${VLLM_KEY}`);
    expect(request?.headers['x-team']).toBe('retrain');
  });

  it('deploy again, where vLLM answers "already loaded", succeeds with the same model', async () => {
    const before = vllm.requests.length;
    const model = await makeBackend().deploy(trained.externalId, trained.job);
    expect(model).toBe(`vllm/ft-${trained.externalId.slice(0, 8)}`);
    expect(vllm.requests).toHaveLength(before + 1);
    expect(vllm.requests.at(-1)?.body.lora_path).toBe(join(runsDir, trained.externalId, 'adapter'));
  });

  it('deploy without a LoRA-enabled vLLM provider says which setting to fix', async () => {
    const unset = await appErrorOf(makeBackend({ serveProvider: undefined }).deploy(trained.externalId, trained.job));
    expect(unset.param).toBe('retrain.local.serveProvider');
    expect(unset.message).toContain('retrain.local.serveProvider');
    const unknown = await appErrorOf(makeBackend({ serveProvider: 'nope' }).deploy(trained.externalId, trained.job));
    expect(unknown.message).toContain('retrain.local.serveProvider');
    const noLora = await appErrorOf(makeBackend({ serveProvider: 'plain' }).deploy(trained.externalId, trained.job));
    expect(noLora.message).toMatch(/answered 404 .*VLLM_ALLOW_RUNTIME_LORA_UPDATING=True/);
    const notDone = await appErrorOf(backend.deploy(trained.externalId, { ...trained.job, status: 'running', fineTunedModel: null }));
    expect(notDone.code).toBe('invalid_request');
  });
});
