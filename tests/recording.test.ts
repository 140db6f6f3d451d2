import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { sql } from 'drizzle-orm';
import { calls, prompts } from '../src/db/index.ts';
import { clientFor, ANTHROPIC_KEY, CLIENT_KEY, OPENAI_KEY, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';

let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  h = await startHarness({ FIXPOINT_IDLE_TIMEOUT_MS: '1500' });
  client = clientFor(h);
});
afterAll(async () => h?.close());

const callId = (r: { headers: Headers }) => r.headers.get('x-fixpoint-call-id')!;

describe('one record per call, whatever ends it', () => {
  it('client abort mid-stream: the upstream request is aborted and the call recorded as client_abort', async () => {
    const before = h.fake.aborted();
    const controller = new AbortController();
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'go [[words:50]] [[slow:100]]' }] }, { signal: controller.signal })
      .withResponse();
    let seen = 0;
    await (async () => {
      for await (const _ of stream) {
        if (++seen === 2) controller.abort();
      }
    })().catch(() => undefined);
    expect(seen).toBe(2);
    const row = await eventually(async () => {
      const r = await h.callRow(callId(response));
      expect(r).toBeDefined();
      return r;
    });
    expect(row).toMatchObject({ status: 'client_abort', stream: true });
    await eventually(() => expect(h.fake.aborted()).toBeGreaterThan(before));
  });

  it('client hangs up before the upstream answered: the upstream request is aborted, recorded as client_abort', async () => {
    const before = h.fake.aborted();
    const controller = new AbortController();
    const content = 'hang up early [[hang]]';
    const aborted = client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }, { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 300);
    expect(await aborted).toBeInstanceOf(OpenAI.APIUserAbortError);
    // No response head reached the client, so no call id either: the call is found by its prompt.
    const db = h.gateway.deps.database.db;
    const rows = await eventually(async () => {
      const found = await db
        .select({ status: calls.status, latencyMs: calls.latencyMs, httpStatus: calls.httpStatus })
        .from(calls)
        .where(sql`${calls.requestBody}->'messages'->0->>'content' = ${content}`);
      expect(found).toHaveLength(1);
      return found;
    });
    // Ended by the hang-up, well before the upstream idle timeout (1.5 s).
    expect(rows[0]).toMatchObject({ status: 'client_abort', httpStatus: 499 });
    expect(rows[0]?.latencyMs).toBeLessThan(1500);
    await eventually(() => expect(h.fake.aborted()).toBeGreaterThan(before));
  });

  it('an upstream that hangs: 504 after the idle timeout, recorded as timeout', async () => {
    const err = (await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x [[hang]]' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(504);
    expect(err.message).not.toContain(CLIENT_KEY);
    const row = await h.callRow(err.headers!.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'timeout', httpStatus: 504 });
  });

  it('an upstream that cuts the stream: the client sees the cut, the call is recorded as upstream_error', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x [[cut]]' }] })
      .withResponse();
    await expect(
      (async () => {
        for await (const _ of stream) {
          /* read until the cut */
        }
      })(),
    ).rejects.toThrow();
    const row = await eventually(async () => {
      const r = await h.callRow(callId(response));
      expect(r).toBeDefined();
      return r;
    });
    expect(row?.status).toBe('upstream_error');
    expect(row?.error).toMatch(/mid-response/);
  });

  it('an unreachable upstream: 502, recorded', async () => {
    const h2 = await startHarness({ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }, { fake: h.fake });
    try {
      const c2 = new OpenAI({ baseURL: `${h2.gateway.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
      const err = (await c2.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(err.status).toBe(502);
      const row = await h2.callRow(err.headers!.get('x-fixpoint-call-id')!);
      expect(row).toMatchObject({ status: 'upstream_error', httpStatus: 502 });
    } finally {
      await h2.close();
    }
  });
});

describe('what a record holds', () => {
  it('stores a repeated system prompt once and references it; the admin API shows it whole', async () => {
    const system = 'You are the billing assistant of Fixpoint Inc. Answer with one label.';
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: system }, { role: 'user', content: `q${i}` }] }).withResponse();
      ids.push(callId(response));
    }
    await h.gateway.deps.recorder.flush();
    const db = h.gateway.deps.database.db;
    const stored = await db.select().from(prompts).where(sql`${prompts.content} = ${system}`);
    expect(stored).toHaveLength(1);
    const row = await h.callRow(ids[0]!);
    expect(JSON.stringify(row?.requestBody)).not.toContain('billing assistant');
    expect(row?.systemPromptHash).toBe(stored[0]?.hash);
    const whole = (await (await h.admin(`/api/calls/${ids[0]}`)).json()) as { request_body: { messages: { content: string }[] } };
    expect(whole.request_body.messages[0]?.content).toBe(system);
  });

  it('session, user and property headers; component from the header or from the prompt template', async () => {
    const meta = { 'x-fixpoint-session': 'sess-42', 'x-fixpoint-user': 'user-7', 'x-fixpoint-property-tenant': 'acme', 'x-fixpoint-component': 'intent-classifier' };
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { headers: meta }).withResponse();
    const row = await h.callRow(callId(response));
    expect(row).toMatchObject({ sessionId: 'sess-42', userId: 'user-7', properties: { tenant: 'acme' }, component: 'intent-classifier' });

    const templated = async (name: string, date: string, order: number) => {
      const { response: r } = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: `You help ${name} with order ${order}. Today is ${date}.` }, { role: 'user', content: 'hi' }] })
        .withResponse();
      return (await h.callRow(callId(r)))?.component;
    };
    const a = await templated('Alice Smith', '2026-11-28', 1234);
    const b = await templated('Bob', 'March 3, 2025', 99);
    expect(a).toMatch(/^auto:[0-9a-f]{12}$/);
    expect(b).toBe(a);
    const other = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You translate French to German.' }, { role: 'user', content: 'hi' }] }).withResponse();
    expect((await h.callRow(callId(other.response)))?.component).not.toBe(a);
  });

  it('a response with a NUL byte and a lone surrogate is stored cleaned, and its batch-mates are stored too', async () => {
    const results = await Promise.all(
      ['a', 'b [[nul]]', 'c'].map((t) => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: t }] }).withResponse()),
    );
    expect(results[1]?.data.choices[0]?.message.content).toContain('\u0000');
    for (const r of results) expect(await h.callRow(callId(r.response))).toBeDefined();
    const poisoned = await h.callRow(callId(results[1]!.response));
    expect(JSON.stringify(poisoned?.responseBody)).not.toContain('\\u0000');
  });

  it('never stores a key: not the client\'s, not the operator\'s, not one quoted in an upstream error', async () => {
    h.fake.enqueue({ path: '/v1/chat/completions', status: 401, body: { error: { message: `Incorrect API key provided: ${CLIENT_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } } });
    const err = (await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(401);
    const row = await h.callRow(err.headers!.get('x-fixpoint-call-id')!);
    expect(row?.error).toContain('[redacted]');
    const db = h.gateway.deps.database.db;
    const dump = JSON.stringify([await db.execute(sql`select row_to_json(c)::text as t from calls c`), await db.execute(sql`select row_to_json(p)::text as t from prompts p`)]);
    for (const key of [CLIENT_KEY, OPENAI_KEY, ANTHROPIC_KEY]) {
      expect(dump).not.toContain(key);
      expect(dump).not.toContain(key.slice(0, 16));
    }
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).not.toContain(CLIENT_KEY.slice(0, 16));
  });
});

describe('other OpenAI routes', () => {
  it('responses, embeddings and models are proxied and recorded', async () => {
    const { data: resp, response: r1 } = await client.responses.create({ model: 'gpt-4o-mini', input: 'hello responses' }).withResponse();
    expect(resp.output_text).toContain('hello responses');
    expect(await h.callRow(callId(r1))).toMatchObject({ route: 'responses', status: 'success' });
    expect((await h.callRow(callId(r1)))?.outputTokens).toBeGreaterThan(0);

    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'streamed', stream: true });
    let text = '';
    for await (const ev of stream) if (ev.type === 'response.output_text.delta') text += ev.delta;
    expect(text).toContain('streamed');

    const { data: emb, response: r2 } = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] }).withResponse();
    expect(emb.data).toHaveLength(2);
    const embRow = await h.callRow(callId(r2));
    expect(embRow).toMatchObject({ route: 'embeddings', status: 'success' });
    expect(JSON.stringify(embRow?.responseBody)).toContain('dimensions');

    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });

  it('an embeddings call for a Claude model is refused with a 400 naming model', async () => {
    const err = (await client.embeddings.create({ model: 'claude-sonnet-4-20250514', input: 'x' }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(400);
    expect((err.error as { param?: string }).param).toBe('model');
  });
});
