import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { inArray } from 'drizzle-orm';
import { calls, prompts } from '../src/db/index.ts';
import { startWorker, type RunningWorker } from '../src/main/worker.ts';
import { startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';

let h: Harness;
let worker: RunningWorker | null = null;

beforeAll(async () => {
  h = await startHarness();
  // With Redis the gateway only enqueues; a separate worker process (here: in this process) runs the jobs.
  if (h.config.env.REDIS_URL) worker = await startWorker(h.config, { logger: pino({ level: 'silent' }), jobPrefix: h.jobPrefix });
});
afterAll(async () => {
  await worker?.close(2000);
  await h?.close();
});

const row = (id: string, daysAgo: number, promptHash: string | null) => ({
  id,
  startedAt: new Date(Date.now() - daysAgo * 86_400_000),
  endedAt: new Date(Date.now() - daysAgo * 86_400_000 + 10),
  latencyMs: 10,
  route: 'chat.completions',
  component: 'c',
  status: 'success',
  httpStatus: 200,
  systemPromptHash: promptHash,
});

describe('retention job', () => {
  it(`runs through the job system (${process.env['REDIS_URL'] ? 'BullMQ worker on Redis' : 'in-process'}) and deletes old calls and orphaned prompts only`, async () => {
    const db = h.gateway.deps.database.db;
    const old = new Date(Date.now() - 60 * 86_400_000);
    await db.insert(prompts).values([
      { hash: 'p-old-orphan', content: 'old', createdAt: old },
      { hash: 'p-old-used', content: 'still used', createdAt: old },
    ]);
    await db.insert(calls).values([
      row('00000000-0000-7000-8000-000000000001', 45, 'p-old-orphan'),
      row('00000000-0000-7000-8000-000000000002', 40, null),
      row('00000000-0000-7000-8000-000000000003', 1, 'p-old-used'),
    ]);
    expect(h.gateway.deps.jobs.kind).toBe(h.config.env.REDIS_URL ? 'bullmq' : 'in-process');
    await h.gateway.deps.jobs.enqueue('retention.sweep', { olderThanDays: 30 });
    await eventually(async () => {
      const left = await db.select({ id: calls.id }).from(calls);
      expect(left.map((r) => r.id)).toEqual(['00000000-0000-7000-8000-000000000003']);
    });
    const leftPrompts = await db.select({ hash: prompts.hash }).from(prompts).where(inArray(prompts.hash, ['p-old-orphan', 'p-old-used']));
    expect(leftPrompts.map((p) => p.hash)).toEqual(['p-old-used']);
  });

  it('rejects a bad payload at enqueue, naming the field', async () => {
    await expect(h.gateway.deps.jobs.enqueue('retention.sweep', { olderThanDays: -1 })).rejects.toThrow(/olderThanDays/);
  });
});
