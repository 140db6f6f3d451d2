/** Child processes of the benchmark: forked servers, /proc readings, free ports, stopping. */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readTaskStat } from '../src/core/os-threads.ts';

export interface ServerProcess {
  name: string;
  pid: number;
  origin: string;
  stop(): Promise<void>;
  /** The last lines the process logged, where it logs to a file. */
  logTail?(lines: number): string;
  alive(): boolean;
  /** How it ended, once it has. */
  exitNote(): string;
}

/** Stop a child we started: SIGTERM, then SIGKILL after a grace period. */
export function stopChild(child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Fork a bench/*.ts server that reports `{ port }` over IPC once listening. */
export function forkServer(name: string, file: string, args: string[], execArgv: string[] = []): Promise<ServerProcess> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const child = fork(path, args, { execArgv: ['--import', 'tsx', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
    child.once('message', (msg: { port: number }) => {
      resolve({
        name,
        pid: child.pid ?? 0,
        origin: `http://127.0.0.1:${msg.port}`,
        stop: () => stopChild(child),
        alive: () => child.exitCode === null && child.signalCode === null,
        exitNote: () => `exit code ${child.exitCode}, signal ${child.signalCode}`,
      });
    });
  });
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no free port');
  return addr.port;
}

/** Resident set size of a process in MB, from /proc/<pid>/status VmRSS. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
}

/** CPU time (user + system) a process (or one of its threads) has used, in microseconds, from /proc. */
export function cpuMicros(pid: number, thread?: number): number {
  const stat = readTaskStat(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`);
  return stat ? stat.cpuSeconds * 1_000_000 : Number.NaN;
}

/** CPU time of each thread of a process, by thread id, in microseconds. */
export function threadCpuMicros(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const us = cpuMicros(pid, Number(tid));
    if (Number.isFinite(us)) out.set(Number(tid), us);
  }
  return out;
}

/** CPU time of the threads of a process that carry this name (the gateway names its worker threads), in microseconds. */
export function namedThreadCpuMicros(pid: number, name: string): number {
  let sum = 0;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return Number.NaN;
  }
  for (const tid of tids) {
    const stat = readTaskStat(`/proc/${pid}/task/${tid}/stat`);
    if (stat?.name === name) sum += stat.cpuSeconds * 1_000_000;
  }
  return sum;
}

/**
 * CPU time of every local `postgres` process (the server, its connections' backends, its background
 * writers and autovacuum), in microseconds; 0 when none runs here.
 */
export function postgresCpuMicros(): number {
  let pids: number[] = [];
  try {
    pids = execFileSync('pgrep', ['-x', 'postgres']).toString().trim().split('\n').map(Number);
  } catch {
    return 0;
  }
  return pids.reduce((sum, pid) => sum + (cpuMicros(pid) || 0), 0);
}

export async function waitForOk(url: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`process exited while waiting for ${url}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${url} (${last})`);
}
