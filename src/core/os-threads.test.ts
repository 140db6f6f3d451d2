import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { currentThreadId, nameCurrentThread, threadCpuSecondsByRole, THREAD_NAMES } from './os-threads.ts';

/** A worker thread that names itself, uses `ms` of CPU, reports its id, and stays alive until released. */
async function namedBusyWorker(name: string, ms: number): Promise<{ tid: number | null; named: boolean; worker: Worker }> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { register } = require('tsx/cjs/api');
    register();
    const { currentThreadId, nameCurrentThread, readTaskStat } = require(workerData.module);
    const named = nameCurrentThread(workerData.name);
    // Until this thread has used that much CPU (not wall time: the machine may be busy).
    let x = 0;
    while (readTaskStat('/proc/thread-self/stat').cpuSeconds * 1000 < workerData.ms) for (let i = 0; i < 1e5; i++) x += Math.sqrt(x + 1);
    parentPort.postMessage({ tid: currentThreadId(), named });
    parentPort.once('message', () => process.exit(0));`;
  const worker = new Worker(source, { eval: true, workerData: { name, ms, module: new URL('./os-threads.ts', import.meta.url).pathname } });
  const result = await new Promise<{ tid: number | null; named: boolean }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { ...result, worker };
}

const release = async (worker: Worker) => {
  worker.postMessage('release');
  await new Promise((r) => worker.once('exit', r));
};

describe.skipIf(process.platform !== 'linux')('os-threads', () => {
  it("names a worker thread, and counts its CPU under that thread's role", async () => {
    const before = threadCpuSecondsByRole()?.get('database') ?? 0;
    const { tid, named, worker } = await namedBusyWorker(THREAD_NAMES.database, 300);
    try {
      expect(named).toBe(true);
      expect(tid).not.toBe(process.pid);
      expect(readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim()).toBe(THREAD_NAMES.database);
      const byRole = threadCpuSecondsByRole();
      expect(byRole?.get('database')).toBeGreaterThanOrEqual(before + 0.2);
      expect(byRole?.get('recorder')).toBe(0); // no thread of that name here
      expect(byRole?.get('main')).toBeGreaterThan(0);
    } finally {
      await release(worker);
    }
    // An ended thread is no longer counted.
    expect(threadCpuSecondsByRole()?.get('database')).toBe(before);
  });

  it('never names the main thread (its name is the process name)', () => {
    const comm = readFileSync('/proc/self/comm', 'utf8');
    expect(currentThreadId()).toBe(process.pid);
    expect(nameCurrentThread('renamed')).toBe(false);
    expect(readFileSync('/proc/self/comm', 'utf8')).toBe(comm);
  });
});
