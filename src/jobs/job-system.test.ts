import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import { startTcpProxy } from '../../tests/support/tcp-proxy.ts';
import { createJobSystem, type JobContext, type JobMetricsHooks, type JobPayload, type JobSystem } from './index.ts';

type Sweep = JobPayload<'retention.sweep'>;

const redisUrl = process.env.REDIS_URL;
const logger = pino({ level: 'silent' });
const variants: { kind: string; redisUrl: string | undefined }[] = [
  { kind: 'in-process', redisUrl: undefined },
  ...(redisUrl ? [{ kind: 'bullmq', redisUrl }] : []),
];

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function deleteKeys(url: string, prefixes: string[]): Promise<void> {
  const client = new Redis(url);
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await client.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    await client.quit();
  }
}

describe.each(variants)('job system ($kind)', ({ kind, redisUrl: url }) => {
  let systems: JobSystem[] = [];
  let prefixes: string[] = [];

  function make(hooks?: JobMetricsHooks): JobSystem {
    const prefix = `fixpoint-test-${randomUUID()}`;
    prefixes.push(prefix);
    const system = createJobSystem({ redisUrl: url, prefix, logger, ...(hooks ? { hooks } : {}) });
    systems.push(system);
    return system;
  }

  afterEach(async () => {
    await Promise.all(systems.map((system) => system.close(2000)));
    if (url) await deleteKeys(url, prefixes);
    systems = [];
    prefixes = [];
  });

  it('reports its kind', () => {
    expect(make().kind).toBe(kind);
  });

  it('runs a job with its payload', async () => {
    const jobs = make();
    const seen: { payload: Sweep; ctx: JobContext }[] = [];
    jobs.handle('retention.sweep', async (payload, ctx) => {
      seen.push({ payload, ctx });
    });
    await jobs.start();
    await jobs.enqueue('retention.sweep', { olderThanDays: 7 });
    await waitFor(async () => (await jobs.counts('retention.sweep')).completed === 1, 'completion');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.payload).toEqual({ olderThanDays: 7 });
    expect(seen[0]?.ctx.attempt).toBe(1);
    expect(seen[0]?.ctx.jobId).toMatch(/.+/);
    expect(seen[0]?.ctx.signal.aborted).toBe(false);
  });

  it('rejects a bad payload at enqueue, naming the field', async () => {
    const jobs = make();
    const bad = jobs.enqueue('retention.sweep', { olderThanDays: 'soon' } as unknown as Sweep);
    await expect(bad).rejects.toBeInstanceOf(AppError);
    await expect(bad).rejects.toMatchObject({ code: 'invalid_request', param: 'olderThanDays' });
    await expect(jobs.enqueue('retention.sweep', { olderThanDays: -1 })).rejects.toMatchObject({ param: 'olderThanDays' });
    await expect(jobs.enqueue('retention.sweep', { olderThanDays: 1 }, { attempts: 0 })).rejects.toMatchObject({ param: 'attempts' });
    expect(await jobs.counts('retention.sweep')).toMatchObject({ waiting: 0, delayed: 0 });
  });

  it('retries with backoff: failing twice then succeeding runs three times', async () => {
    const failed: boolean[] = [];
    let completed = 0;
    const jobs = make({ onFailed: (_name, final) => failed.push(final), onCompleted: () => (completed += 1) });
    const attempts: number[] = [];
    jobs.handle('retention.sweep', async (_payload, ctx) => {
      attempts.push(ctx.attempt);
      if (attempts.length < 3) throw new Error(`boom ${attempts.length}`);
    });
    await jobs.start();
    await jobs.enqueue('retention.sweep', { olderThanDays: 1 }, { backoffMs: 5 });
    await waitFor(async () => (await jobs.counts('retention.sweep')).completed === 1, 'completion');
    expect(attempts).toEqual([1, 2, 3]);
    expect(failed).toEqual([false, false]);
    expect(completed).toBe(1);
  });

  it('fails for good after the last attempt', async () => {
    const failed: boolean[] = [];
    const jobs = make({ onFailed: (_name, final) => failed.push(final) });
    let calls = 0;
    jobs.handle('retention.sweep', async () => {
      calls += 1;
      throw new Error('always');
    });
    await jobs.start();
    await jobs.enqueue('retention.sweep', { olderThanDays: 1 }, { attempts: 2, backoffMs: 5 });
    await waitFor(async () => (await jobs.counts('retention.sweep')).failed === 1, 'final failure');
    expect(calls).toBe(2);
    expect(failed).toEqual([false, true]);
  });

  it.runIf(kind === 'bullmq')('fails a job whose stored payload breaks the contract, without retrying', async () => {
    const failed: boolean[] = [];
    const jobs = make({ onFailed: (_name, final) => failed.push(final) });
    let calls = 0;
    jobs.handle('retention.sweep', async () => {
      calls += 1;
    });
    await jobs.start();
    // A producer that skipped validation (an older deploy, a hand-made job) wrote it.
    const connection = new Redis(url ?? '', { maxRetriesPerRequest: null });
    const raw = new Queue('retention.sweep', { connection, prefix: prefixes.at(-1) ?? '' });
    try {
      await raw.add('retention.sweep', { olderThanDays: 'soon' }, { attempts: 5, backoff: { type: 'fixed', delay: 5 } });
    } finally {
      await raw.close();
      await connection.quit();
    }
    await waitFor(async () => (await jobs.counts('retention.sweep')).failed === 1, 'final failure');
    expect(calls).toBe(0);
    expect(failed).toEqual([true]);
  });

  it('dedupes by jobId while pending or active, not after completion', async () => {
    const jobs = make();
    await jobs.enqueue('retention.sweep', { olderThanDays: 1 }, { jobId: 'sweep-a' });
    await jobs.enqueue('retention.sweep', { olderThanDays: 2 }, { jobId: 'sweep-a' });
    await jobs.enqueue('retention.sweep', { olderThanDays: 3 }, { jobId: 'sweep-b' });
    expect(await jobs.counts('retention.sweep')).toMatchObject({ waiting: 2 });

    const seen: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    jobs.handle(
      'retention.sweep',
      async (payload) => {
        seen.push(payload.olderThanDays);
        if (payload.olderThanDays === 1) await gate;
      },
      { concurrency: 2 },
    );
    await jobs.start();
    await waitFor(() => seen.includes(1) && seen.includes(3), 'first runs');
    await jobs.enqueue('retention.sweep', { olderThanDays: 4 }, { jobId: 'sweep-a' }); // sweep-a is active: no-op
    release();
    await waitFor(async () => (await jobs.counts('retention.sweep')).completed === 2, 'completions');
    await jobs.enqueue('retention.sweep', { olderThanDays: 5 }, { jobId: 'sweep-a' }); // completed: runs again
    await waitFor(async () => (await jobs.counts('retention.sweep')).completed === 3, 'later run');
    expect(seen.sort()).toEqual([1, 3, 5]);
  });

  it('holds a delayed job until its delay has passed', async () => {
    const jobs = make();
    let ranAt = 0;
    jobs.handle('retention.sweep', async () => {
      ranAt = Date.now();
    });
    await jobs.start();
    const enqueuedAt = Date.now();
    await jobs.enqueue('retention.sweep', { olderThanDays: 1 }, { delayMs: 400 });
    expect(await jobs.counts('retention.sweep')).toMatchObject({ delayed: 1, waiting: 0 });
    await waitFor(() => ranAt > 0, 'delayed run');
    expect(ranAt - enqueuedAt).toBeGreaterThanOrEqual(380);
  });

  it('respects the concurrency limit', async () => {
    const jobs = make();
    for (let i = 1; i <= 6; i += 1) await jobs.enqueue('retention.sweep', { olderThanDays: i });
    let running = 0;
    let maxRunning = 0;
    jobs.handle(
      'retention.sweep',
      async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await sleep(100);
        running -= 1;
      },
      { concurrency: 2 },
    );
    await jobs.start();
    await waitFor(async () => (await jobs.counts('retention.sweep')).completed === 6, 'all six');
    expect(maxRunning).toBe(2);
  });

  it('rate-limits starts with the limiter', async () => {
    const jobs = make();
    for (let i = 1; i <= 3; i += 1) await jobs.enqueue('retention.sweep', { olderThanDays: i });
    const starts: number[] = [];
    jobs.handle(
      'retention.sweep',
      async () => {
        starts.push(Date.now());
      },
      { concurrency: 3, limiter: { max: 1, durationMs: 300 } },
    );
    await jobs.start();
    await waitFor(() => starts.length === 3, 'three starts');
    const [first = 0, , third = 0] = starts;
    expect(third - first).toBeGreaterThanOrEqual(500);
  });

  it('repeats a schedule, and re-scheduling the same id updates it without duplicating', async () => {
    const jobs = make();
    await jobs.schedule('nightly-sweep', 'retention.sweep', { olderThanDays: 30 }, 150);
    await jobs.schedule('nightly-sweep', 'retention.sweep', { olderThanDays: 31 }, 150);
    const pending = await jobs.counts('retention.sweep');
    expect(pending.waiting + pending.delayed).toBe(1);

    const seen: number[] = [];
    jobs.handle('retention.sweep', async (payload) => {
      seen.push(payload.olderThanDays);
    });
    await jobs.start();
    await waitFor(() => seen.length >= 3, 'three runs');
    expect(seen.every((days) => days === 31)).toBe(true);
    const counts = await jobs.counts('retention.sweep');
    expect(counts.waiting + counts.delayed + counts.active).toBeLessThanOrEqual(1);
  });

  it('close() waits for an active job', async () => {
    const jobs = make();
    let started = false;
    let finished = false;
    jobs.handle('retention.sweep', async () => {
      started = true;
      await sleep(300);
      finished = true;
    });
    await jobs.start();
    await jobs.enqueue('retention.sweep', { olderThanDays: 1 });
    await waitFor(() => started, 'start');
    await jobs.close(5000);
    expect(finished).toBe(true);
    await expect(jobs.enqueue('retention.sweep', { olderThanDays: 1 })).rejects.toMatchObject({ code: 'overloaded' });
  });

  it('close() aborts the signal of a job still running at the deadline', async () => {
    const jobs = make();
    let started = false;
    let aborted = false;
    jobs.handle('retention.sweep', async (_payload, ctx) => {
      started = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
          clearTimeout(timer);
          resolve();
        });
      });
    });
    await jobs.start();
    await jobs.enqueue('retention.sweep', { olderThanDays: 1 });
    await waitFor(() => started, 'start');
    await jobs.close(100);
    expect(aborted).toBe(true);
  });
});

describe('job system (bullmq, Redis down)', () => {
  it('rejects enqueue fast instead of hanging', async () => {
    const jobs = createJobSystem({ redisUrl: 'redis://127.0.0.1:1', prefix: `fixpoint-test-${randomUUID()}`, logger });
    try {
      expect(jobs.kind).toBe('bullmq');
      await expect(jobs.enqueue('retention.sweep', { olderThanDays: 1 })).rejects.toMatchObject({ code: 'overloaded' });
      // Now reconnecting in the background: the next call must not wait for it.
      await expect(jobs.enqueue('retention.sweep', { olderThanDays: 1 })).rejects.toMatchObject({ code: 'overloaded' });
      await expect(jobs.counts('retention.sweep')).rejects.toMatchObject({ code: 'overloaded' });
    } finally {
      await jobs.close(100);
    }
  });
});

describe.skipIf(!redisUrl)('job system (bullmq, Redis blip)', () => {
  it('a job caught by a short Redis outage finishes, and the worker takes new jobs once Redis is back', async () => {
    const direct = new URL(redisUrl!);
    const proxy = await startTcpProxy(direct.hostname, Number(direct.port || 6379));
    const viaProxy = new URL(direct);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const prefix = `fixpoint-test-${randomUUID()}`;
    const jobs = createJobSystem({ redisUrl: viaProxy.toString(), prefix, logger });
    try {
      const started: number[] = [];
      const finished: number[] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      jobs.handle('retention.sweep', async ({ olderThanDays }) => {
        started.push(olderThanDays);
        if (olderThanDays === 1) await gate;
        finished.push(olderThanDays);
      });
      await jobs.start();
      await jobs.enqueue('retention.sweep', { olderThanDays: 1 });
      await waitFor(() => started.length === 1, 'the first job to start');
      // Redis goes away while the job runs, so finishing it hits a dead connection.
      await proxy.cut();
      release();
      await waitFor(() => finished.length === 1, 'the first job to return');
      await sleep(200);
      await proxy.restore();
      await waitFor(async () => {
        try {
          await jobs.enqueue('retention.sweep', { olderThanDays: 2 });
          return true;
        } catch {
          return false;
        }
      }, 'enqueue after the outage');
      await waitFor(() => finished.includes(2), 'the job enqueued after the outage', 8_000);
      await waitFor(async () => (await jobs.counts('retention.sweep')).active === 0, 'no job left active', 8_000);
    } finally {
      await jobs.close(1000);
      await proxy.close();
      await deleteKeys(redisUrl!, [prefix]);
    }
  }, 40_000);
});

describe.skipIf(!redisUrl)('job system (bullmq, a schedule lost in Redis)', () => {
  it('asserts its schedules again, so a schedule whose next run was lost starts again by itself', async () => {
    const prefix = `fixpoint-test-${randomUUID()}`;
    const jobs = createJobSystem({ redisUrl, prefix, logger });
    const queue = new Queue('retention.sweep', { connection: { url: redisUrl }, prefix });
    try {
      let runs = 0;
      jobs.handle('retention.sweep', async () => {
        runs++;
      });
      await jobs.schedule('sweep', 'retention.sweep', { olderThanDays: 1 }, 200);
      await jobs.start();
      await waitFor(() => runs >= 2, 'the schedule to run');
      // What a Redis drop at the wrong moment can do: the scheduler and its next run are gone.
      await queue.removeJobScheduler('sweep');
      await sleep(500);
      const before = runs;
      await waitFor(() => runs >= before + 2, 'the schedule to run again', 15_000);
    } finally {
      await queue.close();
      await jobs.close(1000);
      await deleteKeys(redisUrl!, [prefix]);
    }
  }, 30_000);
});
