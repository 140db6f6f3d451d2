/**
 * Detection as `npm start` runs it: the embedded database and the jobs in the gateway's own process.
 * A detection job reads its batch of calls and marks them evaluated with one array parameter each
 * (not a parameter per call), so this checks those statements on PGlite, and that a batch checked
 * again (the sweep, a retried job) stores nothing twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { completionBody } from './support/completions.ts';
import { eventually } from './support/eventually.ts';

const yaml = `
components:
  router:
    rules:
      - { id: route-label, type: labels, labels: [billing, technical, account] }
`;

let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fixpoint-detect-embedded-'));
  h = await startHarness({ DATABASE_URL: undefined, REDIS_URL: undefined }, { yaml, db: { url: undefined, dataDir, drop: async () => {} } });
  client = clientFor(h);
});
afterAll(async () => h?.close());

interface Detail {
  evaluation: { failure_count: number } | null;
  failures: { rule_id: string }[];
}

async function send(answer: string): Promise<string> {
  h.fake.enqueue({ path: '/v1/chat/completions', body: completionBody(answer) });
  const { response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'route: my card was charged twice' }] }, { headers: { 'x-fixpoint-component': 'router' } })
    .withResponse();
  return response.headers.get('x-fixpoint-call-id')!;
}

const detail = async (id: string) => (await (await h.admin(`/api/calls/${id}`)).json()) as Detail;

it('checks the calls recorded in the embedded database, and a batch checked again stores nothing twice', async () => {
  expect(h.gateway.deps.database.kind).toBe('pglite');
  expect(h.gateway.deps.jobs.kind).toBe('in-process');
  const answers = ['billing', 'BILLING_ISSUE', 'technical', 'The customer has a billing problem.', 'account'];
  const ids: string[] = [];
  for (const a of answers) ids.push(await send(a));
  await h.gateway.deps.recorder.flush();
  const first = await eventually(async () => {
    const ds = await Promise.all(ids.map(detail));
    for (const d of ds) expect(d.evaluation).not.toBeNull();
    return ds;
  });
  expect(first.map((d) => d.evaluation?.failure_count)).toEqual([0, 1, 0, 1, 0]);
  expect(first.map((d) => d.failures.map((f) => f.rule_id))).toEqual([[], ['route-label'], [], ['route-label'], []]);

  // The same batch again, with an id never stored: already evaluated calls are skipped, unknown ids ignored.
  await h.gateway.deps.jobs.enqueue('detect.calls', { callIds: [...ids, randomUUID()] });
  const metrics = async () => Number(/fixpoint_calls_evaluated_total\{component="router"\} (\d+)/.exec(await h.jobMetrics())?.[1] ?? NaN);
  expect(await metrics()).toBe(5);
  // Its job is enqueued 200 ms after the repeated batch (the stored-calls queue gathers ids that long): evaluated, the repeat has run.
  const later = await send('BILLING_ISSUE');
  await h.gateway.deps.recorder.flush();
  await eventually(async () => expect((await detail(later)).evaluation?.failure_count).toBe(1));
  expect(await metrics()).toBe(6);
  const again = await Promise.all(ids.map(detail));
  expect(again.map((d) => d.failures.length)).toEqual([0, 1, 0, 1, 0]);
});
