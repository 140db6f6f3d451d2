import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { createDetector } from '../src/detect/detector.ts';
import { sweepUnevaluated } from '../src/detect/sweep.ts';
import { sql } from 'drizzle-orm';
import { clientFor, CLIENT_KEY, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';

/**
 * Issue 20, item 11: `/v1/models` calls are recorded but are no component's traffic to check (an
 * upstream 404 on the model list became a "systematic" pattern); a wrong method on a /v1 route gets
 * 405 with `Allow`; a trailing slash works.
 */
let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  h = await startHarness({}, { worker: true });
  client = clientFor(h);
});
afterAll(async () => h?.close());

const v1 = (path: string, init: RequestInit = {}) =>
  fetch(`${h.gateway.url}${path}`, { ...init, headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json', ...init.headers } });

type Detail = { route: string; status: string; evaluation: { failure_count: number } | null; failures: { kind: string }[] };
const callDetail = async (id: string) => (await (await h.admin(`/api/calls/${id}`)).json()) as Detail;

describe('methods and paths of the /v1 routes', () => {
  it('a GET to a POST route answers 405 with Allow and an OpenAI-shaped error (Anthropic-shaped on /v1/messages)', async () => {
    const before = (await h.allRows()).length;
    const chat = await v1('/v1/chat/completions');
    expect(chat.status).toBe(405);
    expect(chat.headers.get('allow')).toBe('POST');
    expect(await chat.json()).toEqual({ error: { message: 'GET is not allowed on /v1/chat/completions; use POST', type: 'invalid_request_error', param: null, code: 'method_not_allowed' } });

    const messages = await v1('/v1/messages/', { method: 'GET' });
    expect(messages.status).toBe(405);
    expect(messages.headers.get('allow')).toBe('POST');
    expect(await messages.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });

    const models = await v1('/v1/models', { method: 'POST', body: '{}' });
    expect(models.status).toBe(405);
    expect(models.headers.get('allow')).toBe('GET');
    expect((await h.allRows()).length).toBe(before); // no model was called: nothing to record
  });

  it('a trailing slash works (chat, models)', async () => {
    const res = await v1('/v1/chat/completions/', { method: 'POST', body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'slash' }] }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as OpenAI.ChatCompletion).choices[0]?.message.content).toBe('Echo: slash');
    const row = await h.callRow(res.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ route: 'chat.completions', status: 'success' });

    const models = await v1('/v1/models/');
    expect(models.status).toBe(200);
    expect(((await models.json()) as { object: string }).object).toBe('list');
  });

  it('unknown /v1 paths still get 404', async () => {
    expect((await v1('/v1/nothing-here', { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

describe('/v1/models calls are recorded, not checked', () => {
  it('an upstream 404 on the model list is recorded but never evaluated, becomes no failure, and the sweep leaves it alone', async () => {
    h.fake.enqueue({ method: 'GET', path: '/v1/models', status: 404, body: { error: { message: 'Unknown request URL: GET /v1/models', type: 'invalid_request_error' } } });
    const listed = await v1('/v1/models');
    expect(listed.status).toBe(404);
    const modelsId = listed.headers.get('x-fixpoint-call-id')!;
    expect(await h.callRow(modelsId)).toMatchObject({ route: 'models', status: 'upstream_error' });

    // a chat call after it: once it is evaluated, the detection job of the models call has had its turn
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'after' }] }).withResponse();
    await h.gateway.deps.recorder.flush();
    await eventually(async () => expect((await callDetail(response.headers.get('x-fixpoint-call-id')!)).evaluation).not.toBeNull());
    expect(await callDetail(modelsId)).toMatchObject({ route: 'models', evaluation: null, failures: [] });

    // the detector itself skips it, whoever asks
    const { config, database, jobs, metrics, logger } = h.gateway.deps;
    const detector = createDetector({ config, db: database.db, jobs, metrics, logger });
    expect(await detector.detectCalls([modelsId])).toEqual({ evaluated: 0, failures: 0 });

    // and the sweep for unchecked calls does not pick it up again
    await database.db.execute(sql`update calls set inserted_at = now() - interval '1 minute' where id = ${modelsId}`);
    const enqueued: string[][] = [];
    const spyJobs = { ...jobs, enqueue: async (_name: string, data: { callIds: string[] }) => void enqueued.push(data.callIds) } as unknown as typeof jobs;
    await sweepUnevaluated(database.db, spyJobs, 60);
    expect(enqueued.flat()).not.toContain(modelsId);
  });
});
