import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../testkit/fake-upstream/index.ts';
import { eventually } from './support/eventually.ts';
import { CLIENT_KEY, clientFor, startHarness, type Harness } from './support/gateway.ts';

/**
 * Item 10 of issue 19: retries before the first byte only, within a budget; fallbacks by alias and
 * component; a circuit breaker per provider; per-route timeouts. Through the gateway on real sockets,
 * with the official SDK clients (maxRetries 0: every retry seen here is the gateway's), against fake
 * upstreams failing on cue. `main` serves most providers; `spare` is the second provider fallbacks reach.
 */
let spare: FakeUpstream;
let h: Harness;
let openai: OpenAI;

const ask = (model: string) => openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
const unavailable = { status: 503, headers: { 'retry-after': '1' }, body: { error: { message: 'overloaded, come back in a second', type: 'server_error' } } };
const serverError = { status: 500, body: { error: { message: 'internal error', type: 'server_error' } } };

async function metric(line: RegExp): Promise<number> {
  const text = await (await fetch(`${h.gateway.url}/metrics`)).text();
  const hit = text.split('\n').find((l) => line.test(l));
  return hit ? Number(hit.split(' ').at(-1)) : 0;
}

function requestsTo(fake: FakeUpstream, model: string): number {
  return fake.requests.filter((r) => (r.body as { model?: unknown } | null)?.model === model).length;
}

beforeAll(async () => {
  spare = await startFakeUpstream();
  const main = await startFakeUpstream();
  const yaml = `
providers:
  flaky: { baseUrl: ${main.openaiBaseUrl} }
  streamy: { baseUrl: ${main.openaiBaseUrl} }
  primary: { baseUrl: ${main.openaiBaseUrl} }
  fragile: { baseUrl: ${main.openaiBaseUrl} }
  stingy: { baseUrl: ${main.openaiBaseUrl} }
  slow: { baseUrl: ${main.openaiBaseUrl} }
  backup: { baseUrl: ${spare.openaiBaseUrl}, apiKey: sk-backup-provider-key-0000000000 }
  claudeslow: { kind: anthropic, baseUrl: ${main.anthropicBaseUrl}, timeouts: { totalMs: 400 } }
aliases:
  resilient: { model: primary/gpt-4o-mini, fallbacks: [backup/gpt-4o-mini] }
  sturdy: { model: fragile/gpt-4o-mini, fallbacks: [backup/gpt-4o-mini] }
components:
  support:
    fallbacks: [backup/gpt-4o-mini]
resilience:
  retries: { maxAttempts: 3, maxRetryAfterMs: 2000, backoffMs: 10, budgetRatio: 0, budgetBurst: 1 }
  breaker: { failureThreshold: 3, openMs: 400, halfOpenProbes: 1 }
  routes:
    responses: { timeouts: { headersMs: 300 } }
`;
  h = await startHarness({}, { yaml, fake: main });
  openai = clientFor(h);
});
afterAll(async () => {
  await h?.close();
  await h?.fake.close();
  await spare?.close();
});

describe('upstream retries, fallbacks, circuit breaker and timeouts (issue 19, item 10)', () => {
  it('retries a 503 with retry-after and answers from the second attempt: one record listing both attempts', async () => {
    h.fake.enqueue(unavailable);
    const { data, response } = await ask('flaky/gpt-4o-mini');
    expect(data.choices[0]?.message.content).toBeTruthy();
    expect(response.headers.get('x-fixpoint-attempts')).toBe('2');
    expect(response.headers.get('x-fixpoint-served-by')).toBe('flaky/gpt-4o-mini');
    expect(requestsTo(h.fake, 'gpt-4o-mini')).toBeGreaterThanOrEqual(2);
    const id = response.headers.get('x-fixpoint-call-id')!;
    const rows = (await h.allRows()).filter((r) => r.id === id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'success', httpStatus: 200, provider: 'flaky' });
    expect(rows[0]?.attempts).toEqual([
      expect.objectContaining({ provider: 'flaky', outcome: 'retryable_status', http_status: 503, retry_after_ms: 1000 }),
      expect.objectContaining({ provider: 'flaky', outcome: 'success', http_status: 200 }),
    ]);
    const view = (await (await h.admin(`/api/calls/${id}`)).json()) as { attempts: unknown[] };
    expect(view.attempts).toHaveLength(2);
    expect(await metric(/^fixpoint_upstream_retries_total\{provider="flaky",reason="retryable_status"\}/)).toBe(1);
    expect(await metric(/^fixpoint_upstream_attempts_total\{provider="flaky",outcome="success"\}/)).toBe(1);
  });

  it('never retries a stream once its first byte reached the client', async () => {
    const before = h.fake.requests.length;
    h.fake.enqueue({
      sse: [
        { data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] } },
        { data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] } },
      ],
      destroyAfter: 1,
    });
    const { data: stream, response } = await openai.chat.completions.create({ model: 'streamy/gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) got.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toThrow();
    expect(got.join('')).toBe('Hel');
    expect(h.fake.requests.length - before).toBe(1);
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'upstream_error', provider: 'streamy', attempts: null });
    expect(row?.error).toMatch(/mid-response/);
  });

  it('falls back to a second provider named by the alias when the first answers 5xx', async () => {
    const spareBefore = spare.requests.length;
    h.fake.enqueue(serverError);
    const { data, response } = await ask('resilient');
    expect(data.choices[0]?.message.content).toBeTruthy();
    expect(response.headers.get('x-fixpoint-served-by')).toBe('backup/gpt-4o-mini');
    expect(spare.requests.length - spareBefore).toBe(1);
    expect(spare.requests.at(-1)?.headers['authorization']).toBe('Bearer sk-backup-provider-key-0000000000'); // the fallback's own key, not the client's
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'success', provider: 'backup', requestedModel: 'resilient', servedModel: 'gpt-4o-mini' });
    expect(row?.attempts).toEqual([
      expect.objectContaining({ provider: 'primary', outcome: 'retryable_status', http_status: 500 }),
      expect.objectContaining({ provider: 'backup', outcome: 'success', http_status: 200, fallback: true }),
    ]);
    expect(await metric(/^fixpoint_upstream_fallbacks_total\{from_provider="primary",to_provider="backup"\}/)).toBe(1);
  });

  it("retries connection resets, then falls back to the component's fallback across dialects (Anthropic client)", async () => {
    h.fake.enqueue({ path: '/v1/messages', reset: true });
    h.fake.enqueue({ path: '/v1/messages', reset: true });
    const spareBefore = spare.requests.length;
    const anthropic = new Anthropic({ baseURL: h.gateway.url, apiKey: CLIENT_KEY, maxRetries: 0, defaultHeaders: { 'x-fixpoint-component': 'support' } });
    const { data, response } = await anthropic.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.content[0]?.type).toBe('text');
    expect(spare.requests.length - spareBefore).toBe(1);
    expect(spare.requests.at(-1)?.path).toBe('/v1/chat/completions');
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'success', provider: 'backup', component: 'support' });
    expect(row?.attempts?.map((a) => [a.provider, a.outcome])).toEqual([
      ['anthropic', 'connect_error'],
      ['anthropic', 'connect_error'],
      ['backup', 'success'],
    ]);
  });

  it('opens the circuit after repeated failures, falls back or answers 503 without calling the provider, then half-opens', async () => {
    for (let i = 0; i < 3; i++) {
      h.fake.enqueue(serverError);
      await expect(ask('fragile/gpt-4o-mini')).rejects.toMatchObject({ status: 500 });
    }
    expect(await metric(/^fixpoint_upstream_breaker_state\{provider="fragile"\}/)).toBe(2);
    const before = requestsTo(h.fake, 'gpt-4o-mini');
    const refused = await ask('fragile/gpt-4o-mini').catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 503 });
    const { response } = await ask('sturdy'); // same provider first, with a fallback: the open circuit sends it straight on
    expect(response.headers.get('x-fixpoint-served-by')).toBe('backup/gpt-4o-mini');
    expect(requestsTo(h.fake, 'gpt-4o-mini')).toBe(before);
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row?.attempts?.map((a) => a.outcome)).toEqual(['breaker_open', 'success']);

    // After openMs, one probe goes through; its success closes the circuit.
    const probe = await eventually(() => ask('fragile/gpt-4o-mini'), 5_000, 100);
    expect(probe.response.headers.get('x-fixpoint-served-by')).toBe('fragile/gpt-4o-mini');
    expect(await metric(/^fixpoint_upstream_breaker_state\{provider="fragile"\}/)).toBe(0);
  });

  it('stops retrying once the retry budget is spent', async () => {
    for (let i = 0; i < 3; i++) h.fake.enqueue({ ...unavailable, headers: { 'retry-after': '0' } });
    const first = await ask('stingy/gpt-4o-mini').catch((e: unknown) => e);
    expect(first).toMatchObject({ status: 503 }); // 503, retried once (the one token), 503 again, budget spent
    const second = await ask('stingy/gpt-4o-mini').catch((e: unknown) => e);
    expect(second).toMatchObject({ status: 503 }); // not retried at all
    expect(await metric(/^fixpoint_upstream_attempts_total\{provider="stingy",outcome="retryable_status"\}/)).toBe(3);
    expect(await metric(/^fixpoint_upstream_retries_total\{provider="stingy"/)).toBe(1);
    expect(await metric(/^fixpoint_upstream_retry_budget_exhausted_total\{provider="stingy"\}/)).toBe(2);
  });

  it('applies a per-route timeout: /v1/responses waits 300 ms for the head, chat keeps the default', async () => {
    h.fake.enqueue({ path: '/v1/responses', hang: true });
    h.fake.enqueue({ path: '/v1/responses', hang: true });
    const { data, response } = await openai.responses.create({ model: 'slow/gpt-4o-mini', input: 'hi' }).withResponse().catch((e: unknown) => ({ data: e, response: null }));
    expect(response).toBeNull();
    expect(data).toMatchObject({ status: 504 });
    const id = (data as { headers: Headers }).headers.get('x-fixpoint-call-id')!;
    const row = await h.callRow(id);
    expect(row).toMatchObject({ status: 'timeout', httpStatus: 504, provider: 'slow' });
    expect(row?.attempts?.map((a) => a.outcome)).toEqual(['timeout', 'timeout']); // retried once (the budget's one token)

    h.fake.enqueue({ path: '/v1/chat/completions', delayMs: 600, body: { id: 'x', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'late but fine' }, finish_reason: 'stop' }] } });
    const late = await ask('slow/gpt-4o-mini');
    expect(late.data.choices[0]?.message.content).toBe('late but fine');
  });

  it("applies a provider's total timeout on a translated call (OpenAI client, Anthropic provider)", async () => {
    h.fake.enqueue({ path: '/v1/messages', delayMs: 1500, body: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'too late' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } } });
    h.fake.enqueue({ path: '/v1/messages', delayMs: 1500, body: { id: 'msg_2', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'too late' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } } });
    const err = (await ask('claudeslow/claude-3-5-haiku-latest').catch((e: unknown) => e)) as { status: number; headers: Headers };
    expect(err).toMatchObject({ status: 504 });
    const row = await h.callRow(err.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'timeout', httpStatus: 504, provider: 'claudeslow' });
    expect(row?.attempts?.map((a) => a.outcome)).toEqual(['timeout', 'timeout']);
  });
});
