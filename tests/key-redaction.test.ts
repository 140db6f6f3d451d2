/**
 * Issue 19, item 7: an upstream that quotes the key it was given (in an error body, an SSE error
 * event, or even an answer) must not get that key stored, logged or handed back — whatever the
 * key's shape, the client's or the configured one, on every path: pass-through and translated,
 * OpenAI and Anthropic routes, streaming and not. The fake upstream's [[leak-key]] directive quotes
 * the key the request carried.
 */
import { Writable } from 'node:stream';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './support/gateway.ts';

const TOGETHER_KEY = 'tgp_v1_clientTogetherKey0123456789abcdef';
const GROQ_KEY = 'gsk_clientGroqKey0123456789abcdefghij';
const VLLM_CLIENT_KEY = 'my-vllm-client-key-98765';
const OPERATOR_OPENAI_KEY = 'my-vllm-operator-key-00001';
const OPERATOR_ANTHROPIC_KEY = 'op-anthropic-oauth-token-00001';
const KEYS = [TOGETHER_KEY, GROQ_KEY, VLLM_CLIENT_KEY, OPERATOR_OPENAI_KEY, OPERATOR_ANTHROPIC_KEY];

let h: Harness;
let logs = '';

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  h = await startHarness({ OPENAI_API_KEY: OPERATOR_OPENAI_KEY, ANTHROPIC_API_KEY: OPERATOR_ANTHROPIC_KEY, LOG_LEVEL: 'trace' }, { logger: pino({ level: 'trace' }, sink) });
});
afterAll(async () => h?.close());

const openaiWith = (apiKey: string) => new OpenAI({ baseURL: `${h.gateway.url}/v1`, apiKey, maxRetries: 0 });
const anthropicWith = (auth: { apiKey: string } | { authToken: string }) => new Anthropic({ baseURL: h.gateway.url, maxRetries: 0, ...auth });

interface Answer {
  /** Everything the client got back, as text. */
  text: string;
  callId: string;
}

async function failure(p: Promise<unknown>): Promise<Answer> {
  const err = (await p.then(
    () => null,
    (e: unknown) => e,
  )) as { status?: number; error?: unknown; message?: string; headers?: Headers } | null;
  expect(err?.status, 'the upstream error reaches the client').toBeGreaterThanOrEqual(400);
  return { text: `${err?.message} ${JSON.stringify(err?.error)}`, callId: err?.headers?.get('x-fixpoint-call-id') ?? '' };
}

async function collect(created: Promise<{ data: AsyncIterable<unknown>; response: Response }>): Promise<Answer> {
  const { data, response } = await created;
  const seen: unknown[] = [];
  const err = await (async () => {
    for await (const ev of data) seen.push(ev);
  })().then(
    () => null,
    (e: unknown) => e,
  );
  return { text: `${JSON.stringify(seen)} ${String(err ?? '')}`, callId: response.headers.get('x-fixpoint-call-id') ?? '' };
}

async function rawText(res: Response): Promise<Answer> {
  return { text: await res.text(), callId: res.headers.get('x-fixpoint-call-id') ?? '' };
}

const openaiChat = (key: string, content: string, stream = false) =>
  openaiWith(key).chat.completions.create({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content }] } as OpenAI.ChatCompletionCreateParamsNonStreaming);

const messageStartEvent = { event: 'message_start', data: { type: 'message_start', message: { id: 'm1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } } };
const leakingErrorEvent = (key: string) => ({ event: 'error', data: { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key: ${key}` } } });

/** Each path, the key it goes up with, and the call: every one of them has the upstream quote that key. */
const paths: { name: string; key: string; call: () => Promise<Answer> }[] = [
  { name: 'OpenAI pass-through, error', key: TOGETHER_KEY, call: () => failure(openaiChat(TOGETHER_KEY, 'hi [[error:401]] [[leak-key]]')) },
  { name: 'OpenAI pass-through, error to a streaming request', key: GROQ_KEY, call: () => failure(openaiChat(GROQ_KEY, 'hi [[error:401]] [[leak-key]]', true)) },
  { name: 'OpenAI pass-through, the key in an answer', key: VLLM_CLIENT_KEY, call: async () => {
    const { data, response } = await openaiWith(VLLM_CLIENT_KEY).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi [[leak-key]]' }] }).withResponse();
    return { text: JSON.stringify(data), callId: response.headers.get('x-fixpoint-call-id') ?? '' };
  } },
  { name: 'OpenAI pass-through, the key in a stream', key: TOGETHER_KEY, call: () =>
    collect(openaiWith(TOGETHER_KEY).chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi [[leak-key]]' }] }).withResponse()) },
  { name: 'keyless: the configured key, error', key: OPERATOR_OPENAI_KEY, call: async () =>
    rawText(await fetch(`${h.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x [[error:500]] [[leak-key]]' }] }) })) },
  { name: 'keyless: the configured key, stream', key: OPERATOR_OPENAI_KEY, call: async () =>
    rawText(await fetch(`${h.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x [[leak-key]]' }] }) })) },
  { name: 'Anthropic pass-through, error (authToken)', key: GROQ_KEY, call: () =>
    failure(anthropicWith({ authToken: GROQ_KEY }).messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 20, messages: [{ role: 'user', content: 'x [[error:401]] [[leak-key]]' }] })) },
  { name: 'Anthropic pass-through, the key in a stream', key: VLLM_CLIENT_KEY, call: () =>
    collect(anthropicWith({ apiKey: VLLM_CLIENT_KEY }).messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'x [[leak-key]]' }] }).withResponse()) },
  { name: 'Anthropic pass-through, an error event mid-stream', key: TOGETHER_KEY, call: () => {
    h.fake.enqueue({ path: '/v1/messages', sse: [messageStartEvent, leakingErrorEvent(TOGETHER_KEY)] });
    return collect(anthropicWith({ apiKey: TOGETHER_KEY }).messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'x' }] }).withResponse());
  } },
  { name: 'Anthropic keyless: the configured key, error', key: OPERATOR_ANTHROPIC_KEY, call: async () =>
    rawText(await fetch(`${h.gateway.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 20, messages: [{ role: 'user', content: 'x [[error:529]] [[leak-key]]' }] }) })) },
  { name: 'translated OpenAI → Claude, error', key: TOGETHER_KEY, call: () =>
    failure(openaiWith(TOGETHER_KEY).chat.completions.create({ model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'x [[error:401]] [[leak-key]]' }] })) },
  { name: 'translated OpenAI → Claude, the key in a stream', key: GROQ_KEY, call: () =>
    collect(openaiWith(GROQ_KEY).chat.completions.create({ model: 'claude-sonnet-4-20250514', stream: true, messages: [{ role: 'user', content: 'x [[leak-key]]' }] }).withResponse()) },
  { name: 'translated OpenAI → Claude, an error event mid-stream', key: VLLM_CLIENT_KEY, call: () => {
    h.fake.enqueue({ path: '/v1/messages', sse: [messageStartEvent, leakingErrorEvent(VLLM_CLIENT_KEY)] });
    return collect(openaiWith(VLLM_CLIENT_KEY).chat.completions.create({ model: 'claude-sonnet-4-20250514', stream: true, messages: [{ role: 'user', content: 'x' }] }).withResponse());
  } },
  { name: 'translated Anthropic → GPT, error', key: GROQ_KEY, call: () =>
    failure(anthropicWith({ authToken: GROQ_KEY }).messages.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'x [[error:401]] [[leak-key]]' }] })) },
  { name: 'translated Anthropic → GPT, the key in an answer', key: TOGETHER_KEY, call: async () => {
    const { data, response } = await anthropicWith({ apiKey: TOGETHER_KEY }).messages.create({ model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: 'x [[leak-key]]' }] }).withResponse();
    return { text: JSON.stringify(data), callId: response.headers.get('x-fixpoint-call-id') ?? '' };
  } },
  { name: 'GET /v1/models, error', key: VLLM_CLIENT_KEY, call: () => {
    h.fake.enqueue({ path: '/v1/models', status: 401, body: { error: { message: `Incorrect API key provided: ${VLLM_CLIENT_KEY}`, type: 'invalid_request_error' } } });
    return failure(openaiWith(VLLM_CLIENT_KEY).models.list());
  } },
];

describe('the key an upstream quotes is redacted everywhere', () => {
  const answered: { name: string; callId: string }[] = [];

  it.each(paths)('$name: not in the answer', async ({ name, key, call }) => {
    const before = h.fake.requests.length;
    const answer = await call();
    const up = h.fake.requests.slice(before).at(-1);
    expect(JSON.stringify(up?.headers), 'the upstream did get the key').toContain(key);
    expect(answer.callId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.text).toContain('[redacted');
    for (const k of KEYS) expect(answer.text).not.toContain(k);
    answered.push({ name, callId: answer.callId });
  });

  it('not in the stored records: the database rows and GET /api/calls/:id', async () => {
    expect(answered).toHaveLength(paths.length);
    await h.gateway.deps.recorder.flush();
    for (const { name, callId } of answered) {
      const row = await h.callRow(callId);
      expect(row, `${name}: ${callId}`).toBeDefined();
      const stored = JSON.stringify(row);
      const viaApi = await (await h.admin(`/api/calls/${callId}`)).text();
      for (const k of KEYS) {
        expect(stored, `row of ${callId}`).not.toContain(k);
        expect(viaApi, `/api/calls/${callId}`).not.toContain(k);
      }
    }
    const errors = (await h.allRows()).filter((r) => answered.some((a) => a.callId === r.id) && r.error !== null).map((r) => r.error);
    expect(errors.length).toBeGreaterThanOrEqual(8);
    expect(errors.filter((e) => e?.includes('[redacted')).length).toBeGreaterThanOrEqual(8);
  });

  it('not in the logs', async () => {
    await h.gateway.deps.recorder.flush();
    expect(logs.length).toBeGreaterThan(0);
    for (const k of KEYS) expect(logs).not.toContain(k);
  });
});
