import { describe, expect, it } from 'vitest';
import { createStoredCallsQueue, IDS_PER_JOB } from './stored-calls-queue.ts';

function fakeJobs(fail = false) {
  const sent: string[][] = [];
  return {
    sent,
    jobs: {
      enqueue: async (_name: string, payload: { callIds: string[] }) => {
        sent.push(payload.callIds);
        if (fail) throw new Error('redis down');
      },
    } as never,
  };
}
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `id-${from + i}`);

describe('stored calls queue', () => {
  it('gathers the ids of several stored batches into one detection job after the delay', async () => {
    const { sent, jobs } = fakeJobs();
    const q = createStoredCallsQueue(jobs, () => undefined, 20);
    q.add(ids(3));
    q.add(ids(2, 3));
    expect(sent).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(sent).toEqual([ids(5)]);
  });

  it('sends at once when a job is full, never more ids in one job than the contract allows', async () => {
    const { sent, jobs } = fakeJobs();
    const q = createStoredCallsQueue(jobs, () => undefined, 10_000);
    q.add(ids(IDS_PER_JOB - 1));
    q.add(ids(IDS_PER_JOB + 10, IDS_PER_JOB - 1));
    expect(sent.map((s) => s.length)).toEqual([IDS_PER_JOB, IDS_PER_JOB, 9]);
    expect(sent.flat()).toEqual(ids(2 * IDS_PER_JOB + 9));
    await q.flush();
  });

  it('flush sends what waits and resolves after the enqueue; a failed enqueue is reported with its size', async () => {
    const { sent, jobs } = fakeJobs(true);
    const errors: number[] = [];
    const q = createStoredCallsQueue(jobs, (_err, n) => errors.push(n), 10_000);
    q.add(ids(7));
    await q.flush();
    expect(sent).toEqual([ids(7)]);
    expect(errors).toEqual([7]);
    await q.flush();
    expect(sent).toHaveLength(1);
  });
});
