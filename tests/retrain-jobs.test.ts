import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config/index.ts';
import { finetuneRecommendations, patterns, recommendationEvents, trainingJobs, type Database, type RecommendationRow } from '../src/db/index.ts';
import { createApp } from '../src/ingress/app.ts';
import type { IngressDeps } from '../src/ingress/index.ts';
import { createJobSystem, type JobSystem } from '../src/jobs/index.ts';
import { createProviderRegistry, type ProviderRegistry } from '../src/providers/index.ts';
import { registerRetrainHandlers } from '../src/retrain/index.ts';
import { createMetrics, type Metrics } from '../src/telemetry/index.ts';
import { startFakeFineTuning, type FakeFineTuning } from '../testkit/fake-finetune/index.ts';
import { eventually } from './support/eventually.ts';
import { seedCall, seedFailure } from './support/retrain-seed.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';

/**
 * The training job's life through the real job system (BullMQ on Redis) against a stateful fake of
 * OpenAI's files and fine-tuning API: too few examples, a job that fails at the backend, a cancel
 * mid-run, and a worker that restarts while the job runs and carries on from the stored job id.
 */
const redisUrl = process.env['REDIS_URL'];
const logger = pino({ level: 'silent' });
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

let closeDatabase: (() => Promise<void>) | undefined;
let database: Database;
let ft: FakeFineTuning;
let config: Config;
let registry: ProviderRegistry;
let metrics: Metrics;
let jobs: JobSystem;
let dataDir: string;
const prefix = `retrain-jobs-${randomBytes(4).toString('hex')}`;

async function startJobs(): Promise<JobSystem> {
  const j = createJobSystem({ redisUrl, prefix, logger });
  registerRetrainHandlers(j, { config, db: database.db, registry, metrics, logger, announcePrompts: async () => {} });
  await j.start();
  return j;
}

beforeAll(async () => {
  ({ database, close: closeDatabase } = await openMigratedTestDatabase());
  ft = await startFakeFineTuning({ record: false, tickMs: 20, steps: 6 });
  dataDir = mkdtempSync(path.join(tmpdir(), 'fixpoint-retrain-jobs-'));
  const yaml = stringify({ retrain: { minExamples: 10, pollMs: 50, maxPollMs: 200, openai: { provider: 'openai', suffix: 'jobs' } } });
  config = loadConfig({ OPENAI_BASE_URL: ft.openaiBaseUrl, OPENAI_API_KEY: 'sk-test-retrain-jobs', FIXPOINT_DATA_DIR: dataDir, FIXPOINT_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'silent' }, yaml);
  registry = createProviderRegistry(config, { connectTimeoutMs: 2000, idleTimeoutMs: 10_000 });
  metrics = createMetrics(new Registry());
  jobs = await startJobs();
}, 60_000);

afterAll(async () => {
  await jobs?.close(1000);
  await registry?.close();
  await ft?.close();
  await closeDatabase?.();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A component with a systematic knowledge pattern: `corrected` failing calls with corrections (one per session), and passing calls. */
async function seedComponent(corrected: number): Promise<string> {
  const component = `legal-${randomUUID().slice(0, 8)}`;
  const patternId = randomUUID();
  await database.db.insert(patterns).values({
    id: patternId, component, kind: 'judge', ruleId: 'judge:r1', shape: 's', title: 'confuses indemnification with limitation of liability', summary: 's', space: 'local',
    centroid: { idx: [], val: [] }, centroidNorm2: 0, firstSeen: hoursAgo(48), lastSeen: hoursAgo(0), status: 'systematic', systematic: true, diagnosis: 'knowledge', remedy: 'finetune',
    stats: { windows: { h1: 2, h24: corrected, d7: corrected }, componentCalls: { h1: 10, h24: 120, d7: 400 }, share24h: 0.25, rateLowerBound: 0.1, hoursSeen: 20, hoursWithTraffic: 24, sessions: corrected, users: corrected, unmet: [] },
  });
  const system = 'You label contract clauses. Reply with one of: indemnification, limitation_of_liability, termination.';
  for (let i = 0; i < corrected; i++) {
    const at = hoursAgo(10 + i / 10);
    const callId = await seedCall(database.db, { component, sessionId: `s-${component}-${i}`, startedAt: at, system, messages: [{ role: 'user', content: `Clause ${i}: the supplier shall hold the customer harmless against third-party claims (case ${i}).` }], output: 'limitation_of_liability', evaluated: 1 });
    await seedFailure(database.db, callId, { kind: 'judge', ruleId: 'judge:r1', patternId, correction: 'indemnification', component, at });
  }
  for (let i = 0; i < corrected * 2; i++) {
    await seedCall(database.db, { component, sessionId: `p-${component}-${i}`, startedAt: hoursAgo(5 + i / 10), system, messages: [{ role: 'user', content: `Clause p${i}: either party may terminate on ${30 + i} days' notice.` }], output: 'termination', evaluated: 0 });
  }
  return component;
}

async function recommendation(component: string): Promise<RecommendationRow | undefined> {
  return (await database.db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.component, component)))[0];
}

async function sweepUntil(component: string, status: string): Promise<RecommendationRow> {
  return eventually(async () => {
    await jobs.enqueue('retrain.sweep', {});
    const rec = await recommendation(component);
    expect(rec?.status).toBe(status);
    return rec!;
  }, 20_000, 200);
}

const ADMIN = 'admin-token-retrain-jobs-0123456789';
// The admin routes through the gateway's app (auth, error mapping), without the proxy handlers.
const api = () => createApp({ config, database, jobs, logger, schema: { migrated: true, lastError: null } } as unknown as IngressDeps, new Map());
const post = (id: string, action: string, body?: unknown) =>
  api().request(`/api/recommendations/${id}/${action}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body) });

async function statusBecomes(component: string, statuses: string[], limitMs = 30_000): Promise<RecommendationRow> {
  return eventually(async () => {
    const rec = await recommendation(component);
    expect(statuses).toContain(rec?.status);
    return rec!;
  }, limitMs, 100);
}

describe.skipIf(!redisUrl)('training jobs', () => {
  it('too few trusted examples: needs_examples with the count missing, and no approval', async () => {
    const component = await seedComponent(6);
    const rec = await sweepUntil(component, 'needs_examples');
    expect(rec.examples).toMatchObject({ trusted: 6, missing: 4, bySource: { correction: 6 } });
    const res = await post(rec.id, 'approve');
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/needs 4 more/);
    expect((await recommendation(component))?.status).toBe('needs_examples');
  });

  it('a job that fails at the backend fails the recommendation with the backend\'s error', async () => {
    const component = await seedComponent(14);
    const rec = await sweepUntil(component, 'open');
    ft.failNext({ code: 'server_error', message: 'the training node was lost' });
    const res = await post(rec.id, 'approve');
    expect(res.status).toBe(200);
    const failed = await statusBecomes(component, ['failed']);
    expect(failed.error).toMatch(/server_error: the training node was lost/);
    const [job] = await database.db.select().from(trainingJobs).where(eq(trainingJobs.recommendationId, rec.id));
    expect(job).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    expect(job!.externalId).toMatch(/^ftjob-/);
    const events = await database.db.select().from(recommendationEvents).where(eq(recommendationEvents.recommendationId, rec.id));
    expect(events.map((e) => e.toStatus)).toEqual(['open', 'approved', 'training', 'failed']);
    expect((await metrics.registry.getSingleMetricAsString('fixpoint_training_jobs_total'))).toMatch(/backend="openai",status="failed"} 1/);
  });

  it('a cancel mid-run stops the job at the backend and dismisses the recommendation', async () => {
    const component = await seedComponent(14);
    const rec = await sweepUntil(component, 'open');
    ft.hold({ afterStep: 2 });
    try {
      expect((await post(rec.id, 'approve')).status).toBe(200);
      await statusBecomes(component, ['training']);
      const externalId = await externalIdOf(rec.id);
      await eventually(() => expect(ft.jobs().find((j) => j.job.id === externalId)?.job.status).toBe('running'), 10_000, 50);
      const res = await post(rec.id, 'cancel', { reason: 'wrong base model' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as RecommendationRow).status).toBe('dismissed');
      await eventually(() => expect(ft.jobs().find((j) => j.job.id === externalId)?.job.status).toBe('cancelled'), 10_000, 50);
      await eventually(async () => {
        const [job] = await database.db.select().from(trainingJobs).where(eq(trainingJobs.recommendationId, rec.id));
        expect(job?.status).toBe('cancelled');
      }, 10_000, 100);
      expect((await recommendation(component))?.error).toMatch(/wrong base model/);
    } finally {
      ft.release();
    }
  });

  it('a worker restart mid-job carries on polling the same job: no second job is started', async () => {
    const component = await seedComponent(14);
    const rec = await sweepUntil(component, 'open');
    ft.hold({ afterStep: 1 });
    const before = ft.jobs().length;
    try {
      expect((await post(rec.id, 'approve')).status).toBe(200);
      await statusBecomes(component, ['training']);
      const externalId = await externalIdOf(rec.id);
      await eventually(() => expect(ft.jobs().find((j) => j.job.id === externalId)?.job.status).toBe('running'), 10_000, 50);
      await jobs.close(200);
      jobs = await startJobs();
    } finally {
      ft.release();
    }
    // Past training: evaluated (the fake's tuned model learnt nothing here, so the gate rejects it).
    const after = await statusBecomes(component, ['evaluating', 'rejected', 'canary'], 60_000);
    expect(after.tunedModel).toMatch(/^openai\/ft:/);
    expect(ft.jobs().length - before).toBe(1);
    const [job] = await database.db.select().from(trainingJobs).where(eq(trainingJobs.recommendationId, rec.id));
    expect(job).toMatchObject({ status: 'succeeded' });
    expect(job!.checkpoints.length).toBeGreaterThan(0);
    expect(job!.events.some((e) => /step/i.test(e.message))).toBe(true);
  });
});

async function externalIdOf(recommendationId: string): Promise<string> {
  const [job] = await database.db.select().from(trainingJobs).where(eq(trainingJobs.recommendationId, recommendationId));
  return job?.externalId ?? '';
}
