/**
 * Detection as `npm start` runs it: the embedded database and the jobs in the gateway's own process.
 * The recorder's thread checks the calls it has just stored as it has them (no detection job runs
 * for them); a detection job (the sweep's, a spool replay's) reads its batch back and leaves out the
 * calls already evaluated, so a batch checked again stores and counts nothing twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { completionBody } from './support/completions.ts';
import { eventually } from './support/eventually.ts';

const yaml = `
components:
  router:
    rules:
      - { id: route-label, type: labels, labels: [billing, technical, account] }
  qa:
    judge:
      rubric: The answer must be factually correct and must not contain the word WRONG.
      sampleRate: 1
      model: gpt-4o-mini
      maxSpendUsdPerHour: 5
`;

// The recorder in a thread of its own (the default) and in the gateway's thread (FIXPOINT_RECORDER=inline).
describe.each(['thread', 'inline'])('recorder: %s', (recorder) => {
  let h: Harness;
  let client: OpenAI;

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'fixpoint-detect-embedded-'));
    h = await startHarness({ DATABASE_URL: undefined, REDIS_URL: undefined, FIXPOINT_RECORDER: recorder }, { yaml, db: { url: undefined, dataDir, drop: async () => {} } });
    client = clientFor(h);
  });
  afterAll(async () => h?.close());

  interface Detail {
    evaluation: { failure_count: number } | null;
    failures: { rule_id: string; kind: string }[];
    verdicts: { pass: boolean }[];
  }

  async function send(answer: string, component = 'router'): Promise<string> {
    h.fake.enqueue({ path: '/v1/chat/completions', body: completionBody(answer) });
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'route: my card was charged twice' }] }, { headers: { 'x-fixpoint-component': component } })
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

    // Checked in the recorder's thread as it stored them: no detection job ran.
    const counter = async (re: RegExp) => Number(re.exec(await h.jobMetrics())?.[1] ?? 0);
    const evaluated = () => counter(/fixpoint_calls_evaluated_total\{component="router"\} (\d+)/);
    const detectJobs = () => counter(/fixpoint_jobs_completed_total\{queue="detect\.calls"\} (\d+)/);
    expect(await evaluated()).toBe(5);
    expect(await detectJobs()).toBe(0);

    // The same batch again as a job, with an id never stored: already evaluated calls are left out, unknown ids ignored.
    await h.gateway.deps.jobs.enqueue('detect.calls', { callIds: [...ids, randomUUID()] });
    await eventually(async () => expect(await detectJobs()).toBe(1));
    expect(await evaluated()).toBe(5);
    const again = await Promise.all(ids.map(detail));
    expect(again.map((d) => d.failures.length)).toEqual([0, 1, 0, 1, 0]);

    // A later call: checked in hand as well, once.
    const later = await send('BILLING_ISSUE');
    await h.gateway.deps.recorder.flush();
    await eventually(async () => expect((await detail(later)).evaluation?.failure_count).toBe(1));
    expect(await evaluated()).toBe(6);
    expect(await detectJobs()).toBe(1);
  });

  it("enqueues the judging of a call checked in the recorder's thread with the gateway's jobs", async () => {
    const id = await send('WRONG: it is Lyon.', 'qa');
    await h.gateway.deps.recorder.flush();
    const d = await eventually(async () => {
      const r = await detail(id);
      expect(r.verdicts).toHaveLength(1);
      return r;
    }, 15_000);
    expect(d.verdicts[0]?.pass).toBe(false);
    expect(d.failures.map((f) => f.kind)).toEqual(['judge']);
  });
});
