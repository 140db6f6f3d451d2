import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { AppError } from '../../core/errors.ts';
import type { ProviderRegistry } from '../../providers/index.ts';
import { hasFinalEvent, jobFromEvents, parseEventLines, type RunProcessState } from './local-run-events.ts';
import { isTrainerAlive, readRunPid, readTail, runFiles, spawnDetachedRun, terminateRunGroup } from './local-run-process.ts';
import type { StartTraining, TrainingBackend } from './training-backend.ts';
import { loadLoraAdapter } from './vllm-lora.ts';

export interface LocalBackendOptions {
  /** The trainer's Python (`retrain.local.python`), resolved against `cwd` when relative. */
  python: string;
  /** Extra arguments after the command's own (`retrain.local.args`). */
  args: readonly string[];
  /** Where runs go: each run is `<runsDir>/<jobId>` (the trainer's --out, and the external id's directory). */
  runsDir: string;
  registry: ProviderRegistry;
  /** `retrain.local.serveProvider`: the vLLM provider that serves tuned adapters. */
  serveProvider?: string | undefined;
  /** `retrain.local.serveDir`: runsDir as the serving host sees it. */
  serveDir?: string | undefined;
  /** The trainer's working directory; default the process's. */
  cwd?: string;
  /** Extra environment for the trainer (on top of this process's). */
  env?: Record<string, string>;
}

/** The stderr kept for a run that died without a final event. */
const STDERR_TAIL_BYTES = 8192;
/** Job ids become directory names: nothing that could leave runsDir. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The local backend: the trainer in trainer/ as a detached child process per job, its run
 * directory the only state (poll, cancel and deploy work from the external id alone, in any worker
 * process); deploy loads the adapter into a vLLM server through its run-time LoRA endpoint.
 */
export function createLocalBackend(options: LocalBackendOptions): TrainingBackend {
  const cwd = options.cwd ?? process.cwd();
  const runsDir = resolve(cwd, options.runsDir);
  const python = options.python.includes('/') ? resolve(cwd, options.python) : options.python;

  function runDirOf(externalId: string): string {
    if (!SAFE_ID.test(externalId)) throw new AppError('invalid_request', `not a local training run id: ${JSON.stringify(externalId.slice(0, 80))}`);
    return join(runsDir, externalId);
  }

  async function existingRunDir(externalId: string): Promise<string> {
    const runDir = runDirOf(externalId);
    const found = await stat(runDir).catch(() => null);
    if (!found?.isDirectory()) throw new AppError('not_found', `no local training run ${externalId} under retrain runs`);
    return runDir;
  }

  async function readEvents(runDir: string) {
    const text = await readFile(join(runDir, runFiles.events), 'utf8').catch(() => '');
    return parseEventLines(text);
  }

  return {
    name: 'local',

    async start(input) {
      const runDir = runDirOf(input.jobId);
      // Idempotent: a retried start (the worker died after spawning) finds the run already going.
      if ((await readRunPid(runDir)) !== null) return { externalId: input.jobId };
      await mkdir(runDir, { recursive: true });
      await spawnDetachedRun({ python, argv: trainArgv(input, runDir, options.args), runDir, cwd, env: { ...process.env, ...options.env } });
      return { externalId: input.jobId };
    },

    async poll(externalId) {
      const runDir = await existingRunDir(externalId);
      let events = await readEvents(runDir);
      let state: RunProcessState = { alive: true };
      if (!hasFinalEvent(events)) {
        const pid = await readRunPid(runDir);
        if (pid === null || !(await isTrainerAlive(pid))) {
          // It may have written its last line just before exiting: read again before calling it dead.
          events = await readEvents(runDir);
          const stderrTail = pid === null ? 'no pid file: the run was never started' : await readTail(join(runDir, runFiles.stderr), STDERR_TAIL_BYTES);
          const cancelRequested = await access(join(runDir, runFiles.cancelRequested)).then(() => true, () => false);
          state = { alive: false, stderrTail, cancelRequested };
        }
      }
      return jobFromEvents(externalId, events, state);
    },

    async cancel(externalId) {
      const runDir = await existingRunDir(externalId);
      if (hasFinalEvent(await readEvents(runDir))) return;
      const pid = await readRunPid(runDir);
      if (pid === null || !(await isTrainerAlive(pid))) return;
      // Recorded first: a trainer killed before its signal handler is installed writes no `cancelled`.
      await writeFile(join(runDir, runFiles.cancelRequested), `${new Date().toISOString()}\n`);
      terminateRunGroup(pid);
    },

    async deploy(externalId, job, signal) {
      const provider = serveProviderOf(options);
      if (job.status !== 'succeeded' || !job.fineTunedModel) {
        throw new AppError('invalid_request', `local training run ${externalId} has no adapter to deploy (status ${job.status})`);
      }
      const name = loraNameOf(externalId);
      await loadLoraAdapter(provider, { name, path: servedAdapterPath(runsDir, options.serveDir, resolve(cwd, job.fineTunedModel)) }, signal);
      return `${provider.name}/${name}`;
    },
  };
}

/** `python -m fixpoint_trainer train …`, the configured extra arguments last (so they win). */
export function trainArgv(input: StartTraining, runDir: string, extra: readonly string[]): string[] {
  const argv = ['-m', 'fixpoint_trainer', 'train', '--dataset', input.files.train];
  if (input.files.validation) argv.push('--validation', input.files.validation);
  argv.push('--base', input.baseModel, '--out', runDir);
  const h = input.hyperparameters;
  if (h.epochs !== undefined) argv.push('--epochs', String(h.epochs));
  if (h.learningRate !== undefined) argv.push('--lr', String(h.learningRate));
  if (h.batchSize !== undefined) argv.push('--batch-size', String(h.batchSize));
  return [...argv, ...extra];
}

/** The served model's name: `ft-` and the job id's first 8 characters. */
export function loraNameOf(externalId: string): string {
  return `ft-${externalId.slice(0, 8)}`;
}

function serveProviderOf(options: LocalBackendOptions) {
  const param = 'retrain.local.serveProvider';
  if (!options.serveProvider) {
    throw new AppError('unsupported', `${param} is not set: name the provider (a vLLM server with --enable-lora) that serves tuned adapters`, { param });
  }
  const provider = options.registry.providers.get(options.serveProvider);
  if (!provider) throw new AppError('unsupported', `${param}: no provider named ${options.serveProvider} is configured`, { param });
  if (provider.kind !== 'openai') throw new AppError('unsupported', `${param}: provider ${provider.name} is ${provider.kind}; it must be kind openai (a vLLM server)`, { param });
  return provider;
}

/** The adapter's path as the vLLM host reads it: under serveDir in place of runsDir when set. */
export function servedAdapterPath(runsDir: string, serveDir: string | undefined, adapterPath: string): string {
  if (!serveDir) return adapterPath;
  const rel = relative(runsDir, adapterPath);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new AppError('internal', `retrain.local.serveDir: the adapter ${adapterPath} is not under the runs directory ${runsDir}`, { param: 'retrain.local.serveDir' });
  }
  return posix.join(serveDir, ...rel.split(sep));
}
