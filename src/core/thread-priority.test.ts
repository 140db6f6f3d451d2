import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { taskNice } from '../../tests/support/thread-nice.ts';

/** Runs lowerThreadPriority in a fresh worker thread, which stays alive until `release` is posted. */
async function lowerInWorker(increment: number): Promise<{ result: { tid: number; nice: number } | null; worker: Worker }> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { register } = require('tsx/cjs/api');
    register();
    const { lowerThreadPriority } = require(workerData.module);
    parentPort.postMessage(lowerThreadPriority(workerData.increment));
    parentPort.once('message', () => process.exit(0));`;
  const worker = new Worker(source, { eval: true, workerData: { increment, module: new URL('./thread-priority.ts', import.meta.url).pathname } });
  const result = await new Promise<{ tid: number; nice: number } | null>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { result, worker };
}

describe.skipIf(process.platform !== 'linux')('lowerThreadPriority', () => {
  it("lowers the calling thread's priority only, by the increment", async () => {
    const own = getPriority();
    const { result, worker } = await lowerInWorker(3);
    try {
      expect(result).not.toBeNull();
      const { tid, nice } = result as { tid: number; nice: number };
      expect(tid).not.toBe(process.pid);
      expect(nice).toBe(Math.min(19, own + 3));
      expect(taskNice(tid)).toBe(nice);
      expect(taskNice(process.pid)).toBe(own); // the thread that proxies calls keeps its priority
    } finally {
      worker.postMessage('release');
      await new Promise((r) => worker.once('exit', r));
    }
  });

  it('does nothing for an increment of 0', async () => {
    const { result, worker } = await lowerInWorker(0);
    worker.postMessage('release');
    await new Promise((r) => worker.once('exit', r));
    expect(result).toBeNull();
  });
});
