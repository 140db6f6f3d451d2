import { spawn } from 'node:child_process';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../core/errors.ts';

/**
 * A local training run as files and a detached process: `<runDir>/events.jsonl` (the trainer's
 * stdout), `stderr.log`, `pid`, and `cancel-requested` once cancel was asked for. Nothing here is held in memory, so a restarted worker (or
 * another one) finds the run again from its directory alone.
 */
export const runFiles = { events: 'events.jsonl', stderr: 'stderr.log', pid: 'pid', cancelRequested: 'cancel-requested' } as const;

/** The marker of our process in /proc/<pid>/cmdline (guards against a reused pid). */
const TRAINER_MODULE = 'fixpoint_trainer';

export interface SpawnRun {
  python: string;
  argv: string[];
  runDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Starts the trainer in its own process group (so a worker's exit or a signal to the worker's
 * group leaves it running), writing straight into the run's files; resolves with its pid once the
 * process exists, after the pid file is written.
 */
export async function spawnDetachedRun(run: SpawnRun): Promise<number> {
  const out = await open(join(run.runDir, runFiles.events), 'a');
  const err = await open(join(run.runDir, runFiles.stderr), 'a');
  try {
    const child = spawn(run.python, run.argv, { cwd: run.cwd, env: run.env, detached: true, stdio: ['ignore', out.fd, err.fd] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => (child.pid === undefined ? reject(new Error('no pid')) : resolve(child.pid)));
    }).catch((cause: unknown) => {
      throw new AppError('internal', `retrain.local.python: cannot start ${run.python} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { param: 'retrain.local.python', cause });
    });
    child.on('error', () => undefined); // a later error (a failed kill) must not crash the worker
    child.unref();
    await writeFile(join(run.runDir, runFiles.pid), `${pid}\n`);
    return pid;
  } finally {
    await out.close();
    await err.close();
  }
}

export async function readRunPid(runDir: string): Promise<number | null> {
  const text = await readFile(join(runDir, runFiles.pid), 'utf8').catch(() => null);
  const pid = text === null ? NaN : Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Whether the trainer with this pid still runs. Where /proc exists (Linux) a zombie, or a pid now
 * used by another program, counts as gone; elsewhere signal 0 decides.
 */
export async function isTrainerAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return true;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  return cmdline === null || cmdline.includes(TRAINER_MODULE);
}

/** SIGTERM to the run's process group (the trainer and anything it started); false when it is gone. */
export function terminateRunGroup(pid: number): boolean {
  try {
    process.kill(-pid, 'SIGTERM');
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** The last `bytes` of a file (decoded leniently), '' when it does not exist. */
export async function readTail(path: string, bytes: number): Promise<string> {
  const file = await open(path, 'r').catch(() => null);
  if (!file) return '';
  try {
    const { size } = await file.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await file.close();
  }
}
