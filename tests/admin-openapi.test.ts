import { randomUUID } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { finetuneDatasets, finetuneRecommendations, judgeVerdicts, optimizationRuns, recommendationEvents, trainingJobs } from '../src/db/index.ts';
import { createApp } from '../src/ingress/index.ts';
import { ADMIN_TOKEN, CLIENT_KEY, clientFor, startHarness, type Harness } from './support/gateway.ts';
import { completionBody } from './support/completions.ts';
import { eventually } from './support/eventually.ts';

/**
 * GET /api/openapi.json describes the admin API, and the API answers as it says: every GET route of
 * the document is called on a gateway with real data (calls through the fake upstream, detection,
 * grouping, feedback, prompt versions on real Postgres; runs, recommendations, datasets and training
 * jobs written as their stages write them), and each answer is validated against the document with
 * ajv. The document's objects allow no other keys and its times are ISO 8601 UTC, so a camelCase key
 * or a `2026-12-06 17:17:30.235+00` time anywhere fails here.
 */
const yaml = `
components:
  intent:
    rules:
      - { id: label, type: labels, labels: [billing, technical, account] }
patterns:
  systematic: { minFailures: 3, minCalls: 10, minSessions: 3, minUsers: 2 }
`;

type JsonObject = Record<string, unknown>;
type Operation = { parameters: { name: string; in: string }[]; responses: Record<string, { content?: Record<string, { schema: JsonObject }> }> };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

// ajv-formats is CommonJS with a default export
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

let h: Harness;
let client: OpenAI;
let doc: Doc;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

/** Validates an answer against the document's schema for the route and status. */
function expectConforms(method: string, path: string, status: number, body: unknown): void {
  const key = `${method} ${path} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const schema = doc.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
    expect(schema, `${key} is in the document`).toBeDefined();
    validate = ajv.compile(schema!);
    validators.set(key, validate);
  }
  const ok = validate(body);
  expect(ok ? [] : validate.errors!.slice(0, 5).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`), key).toEqual([]);
}

const admin = async (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${h.gateway.url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });

async function call(output: string, i: number): Promise<string> {
  h.fake.enqueue({ path: '/v1/chat/completions', body: completionBody(output) });
  const system = `You route tickets for Acme. The customer is ${['Ann', 'Bob', 'Cleo', 'Dev'][i % 4]}. Today is 2026-12-0${(i % 7) + 1}. Answer with one label.`;
  const { response } = await client.chat.completions
    .create(
      { model: 'gpt-4o-mini', messages: [{ role: 'system', content: system }, { role: 'user', content: 'classify: my invoice is wrong' }] },
      { headers: { 'x-fixpoint-component': 'intent', 'x-fixpoint-session': `s${i}`, 'x-fixpoint-user': `u${i % 3}`, 'x-fixpoint-property-plan': 'pro' } },
    )
    .withResponse();
  return response.headers.get('x-fixpoint-call-id')!;
}

/** Rows of the later stages, written with the keys and JSON those stages write (camelCase in stored JSON). */
async function seedLaterStages(patternId: string, callId: string): Promise<{ runId: string; recommendationId: string; datasetId: string }> {
  const db = h.gateway.deps.database.db;
  const runId = randomUUID();
  const recommendationId = randomUUID();
  const datasetId = randomUUID();
  const jobId = randomUUID();
  const now = new Date();
  await db.insert(judgeVerdicts).values({ id: randomUUID(), callId, component: 'intent', rubricVersion: 'r1', judgeModel: 'gpt-4o-mini', pass: false, score: 0.2, failedCriteria: ['label'], rationale: 'not a label', latencyMs: 120 });
  await db.insert(optimizationRuns).values({
    id: runId, patternId, component: 'intent', status: 'accepted', trigger: 'manual', result: 'c1 accepted', outcome: 'fixed',
    candidates: [
      { id: 'current', parent: null, template: 'Route.', model: null, rejected: null, scores: { selection: { passed: 2, total: 10, patternPassed: 0, patternTotal: 6 } }, costUsd: 0.01, latencyMs: 900 },
      { id: 'c1', parent: 'current', template: 'Route. Reply with one label.', model: null, fewShot: [{ user: 'x', assistant: 'billing' }], rejected: null, scores: { selection: { passed: 9, total: 10 } }, costUsd: 0.02, latencyMs: 950 },
    ],
    sets: { feedback: 4, selection: 10, gate: 10 }, gate: { accepted: true, effectLowerBound: 0.3, regressions: { byModel: {} } },
    evalCalls: 40, optimizerTokens: 1200, costUsd: 0.05, startedAt: now, finishedAt: now,
  });
  await db.insert(finetuneRecommendations).values({
    id: recommendationId, component: 'intent', status: 'training', baseModel: 'gpt-4o-mini', backend: 'openai', approvedBy: 'admin', datasetId, trainingJobId: jobId,
    patterns: [{ id: patternId, title: 'labels', kind: 'rule', diagnosis: 'knowledge', remedy: 'finetune', reasons: ['finetune_remedy'], failures24h: 6, failureRate: 0.5 }],
    examples: { trusted: 40, bySource: { correction: 30, later_prompt: 10, teacher: 0 }, missing: 0 },
    arithmetic: { failuresPerDay: 6, costPerFailureUsd: 0.05, failureCostPerDayUsd: 0.3, estimatedTrainingTokens: 100_000, estimatedTrainingCostUsd: 0.8, servingCostPerDayUsd: 0, paybackDays: 2.7 },
    evaluation: { tunedPassRate: 0.9, currentPassRate: 0.5 },
  });
  await db.insert(recommendationEvents).values({ id: randomUUID(), recommendationId, type: 'status', fromStatus: 'approved', toStatus: 'training', actor: 'retrain', detail: { trainingJobId: jobId, baseModel: 'gpt-4o-mini' } });
  await db.insert(finetuneDatasets).values({
    id: datasetId, recommendationId, component: 'intent', sha256: 'ab'.repeat(32), dir: h.db.dataDir,
    files: { 'train.jsonl': { rows: 30, bytes: 9000, sha256: 'cd'.repeat(32) } }, counts: { bySource: { correction: 30 }, duplicatesDropped: 1 }, manifest: { createdBy: 'retrain', splits: { train: 30 } },
  });
  await db.insert(trainingJobs).values({
    id: jobId, recommendationId, datasetId, backend: 'openai', externalId: 'ftjob-1', status: 'running', baseModel: 'gpt-4o-mini', hyperparameters: { nEpochs: 3 },
    events: [{ id: 'ev1', at: Math.floor(now.getTime() / 1000), level: 'info', message: 'Step 1/10', data: { step: 1, trainLoss: 0.4 } }],
    checkpoints: [{ id: 'cp1', step: 1, metrics: { train_loss: 0.4 }, model: null }], startedAt: now, polledAt: now, polls: 2,
  });
  return { runId, recommendationId, datasetId };
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness({ FIXPOINT_DETECT_SWEEP_MS: '300', FIXPOINT_GROUP_SWEEP_MS: '300' }, { yaml, worker: true });
  client = clientFor(h);
  const bad = ['BILLING_ISSUE', 'Billing Problem', 'BILLING', 'Technical Support', 'TECH', 'Account-Access'];
  const callIds: string[] = [];
  for (let i = 0; i < 12; i++) callIds.push(await call(i < bad.length ? bad[i]! : 'billing', i));
  await h.gateway.deps.recorder.flush();
  const feedback = await fetch(`${h.gateway.url}/v1/feedback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ call_id: callIds[0], rating: 'down', correction: { label: 'billing', camelCaseKey: 'kept as the user sent it' } }),
  });
  expect(feedback.status).toBe(201);
  const pattern = await eventually(async () => {
    const body = (await (await admin('/api/patterns?component=intent')).json()) as { data: { id: string; stats: unknown; diagnosis: unknown }[] };
    expect(body.data[0]?.stats).toBeTruthy();
    expect(body.data[0]?.diagnosis).toBeTruthy();
    return body.data[0]!;
  }, 60_000);
  ids['calls'] = callIds[0]!;
  ids['patterns'] = pattern.id;
  Object.assign(ids, await seedLaterStages(pattern.id, callIds[0]!).then((s) => ({ optimizations: s.runId, recommendations: s.recommendationId, datasets: s.datasetId })));
  doc = (await (await admin('/api/openapi.json')).json()) as Doc;
}, 120_000);
afterAll(async () => h?.close());

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document behind the admin token, covering every /api route the gateway serves', async () => {
    expect((await fetch(`${h.gateway.url}/api/openapi.json`)).status).toBe(401);
    expect(doc.openapi).toBe('3.1.0');
    const served = new Set(
      createApp(h.gateway.deps)
        .routes.filter((r) => r.path.startsWith('/api/') && (r.method === 'GET' || r.method === 'POST'))
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    expect([...served].sort()).toEqual([...documented].sort());
  });

  it('every GET answers as the document says, with snake_case keys and ISO 8601 UTC times', { timeout: 60_000 }, async () => {
    const paramValues: Record<string, string> = { component: 'intent', name: 'train.jsonl' };
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const op = ops['get'];
      if (!op?.responses['200']?.content?.['application/json'] || path === '/api/openapi.json') continue;
      const resource = path.split('/')[2]!;
      const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'id' ? ids[resource]! : paramValues[name]!));
      const res = await admin(url);
      expect(res.status, url).toBe(200);
      const body = (await res.json()) as JsonObject;
      if ('data' in body && Array.isArray(body['data'])) expect((body['data'] as unknown[]).length, `${url} lists real data`).toBeGreaterThan(0);
      expectConforms('get', path, 200, body);
      checked++;
    }
    expect(checked).toBe(13);
  });

  it('a user payload passes untouched; stored JSON the gateway wrote comes in snake_case', async () => {
    const detail = (await (await admin(`/api/calls/${ids['calls']}`)).json()) as JsonObject & { feedback: { correction: unknown }[]; request_body: { messages: unknown[] }; properties: Record<string, string> };
    expect(detail.feedback[0]!.correction).toEqual({ label: 'billing', camelCaseKey: 'kept as the user sent it' });
    expect(detail.request_body.messages[0]).toMatchObject({ role: 'system' });
    const run = (await (await admin(`/api/optimizations/${ids['optimizations']}`)).json()) as { candidates: { few_shot?: unknown; scores: Record<string, JsonObject> }[]; gate: JsonObject };
    expect(run.candidates[0]!.scores['selection']).toEqual({ passed: 2, total: 10, pattern_passed: 0, pattern_total: 6 });
    expect(run.candidates[1]!.few_shot).toEqual([{ user: 'x', assistant: 'billing' }]);
    expect(run.gate).toEqual({ accepted: true, effect_lower_bound: 0.3, regressions: { by_model: {} } });
    const rec = (await (await admin(`/api/recommendations/${ids['recommendations']}`)).json()) as { training_job: { events: { at: string }[]; hyperparameters: JsonObject } };
    expect(rec.training_job.events[0]!.at).toMatch(/Z$/);
    expect(rec.training_job.hyperparameters).toEqual({ n_epochs: 3 });
  });

  it('writes answer as documented too (a prompt version, a canary move)', async () => {
    const prompts = (await (await admin('/api/components/intent/prompts')).json()) as { versions: { template: string }[] };
    const created = await admin('/api/components/intent/prompts', { method: 'POST', body: JSON.stringify({ template: `${prompts.versions[0]!.template} Reply with the label only.`, few_shot: [{ user: 'hi', assistant: 'billing' }] }) });
    expect(created.status).toBe(201);
    const version = (await created.json()) as { id: string };
    expectConforms('post', '/api/components/{component}/prompts', 201, version);
    const canary = await admin(`/api/prompts/${version.id}/canary`, { method: 'POST', body: JSON.stringify({ share: 0.2 }) });
    expectConforms('post', '/api/prompts/{id}/canary', 200, await canary.json());
    expectConforms('get', '/api/components/{component}/prompts', 200, await (await admin('/api/components/intent/prompts')).json());
  });
});
