import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../testkit/fake-upstream/index.ts';
import { loadConfig } from '../config/index.ts';
import { completeChat, UpstreamHttpError } from './complete-chat.ts';
import { createProviderRegistry, type ProviderRegistry } from './registry.ts';

const OPENAI_KEY = 'sk-openai-secret-0123456789';
const ANTHROPIC_KEY = 'sk-ant-secret-0123456789';

let fake: FakeUpstream;
let registry: ProviderRegistry;

const timeouts = { connectTimeoutMs: 2000, idleTimeoutMs: 5000 };
const user = (content: string) => [{ role: 'user' as const, content }];

beforeAll(async () => {
  fake = await startFakeUpstream();
  registry = createProviderRegistry(
    loadConfig({ OPENAI_BASE_URL: fake.openaiBaseUrl, ANTHROPIC_BASE_URL: fake.anthropicBaseUrl, OPENAI_API_KEY: OPENAI_KEY, ANTHROPIC_API_KEY: ANTHROPIC_KEY }),
    timeouts,
  );
});
afterAll(async () => {
  await registry?.close();
  await fake?.close();
});

async function failure(p: Promise<unknown>): Promise<UpstreamHttpError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamHttpError);
  return err as UpstreamHttpError;
}

describe('completeChat', () => {
  it('calls an OpenAI model on /chat/completions with the provider key and returns the completion and usage', async () => {
    const r = await completeChat(registry, { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, ...user('hello there')], temperature: 0 });
    expect(r.completion.choices[0]?.message.content).toBe('Echo: hello there');
    expect(r).toMatchObject({ provider: 'openai', servedModel: 'gpt-4o-mini', usage: { inputTokens: 5, outputTokens: 3 } });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(sent.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0 });
  });

  it('calls a Claude model on /messages, translated both ways, with its own key when given', async () => {
    const r = await completeChat(
      registry,
      { model: 'claude-3-5-haiku-latest', messages: [{ role: 'system', content: 'Be brief.' }, ...user('bonjour')], max_tokens: 50 },
      { apiKey: 'sk-judge-own-0123456789' },
    );
    expect(r.completion.object).toBe('chat.completion');
    expect(r.completion.choices[0]?.message.content).toBe('Echo: bonjour');
    expect(r.completion.choices[0]?.finish_reason).toBe('stop');
    expect(r).toMatchObject({ provider: 'anthropic', servedModel: 'claude-3-5-haiku-latest', usage: { outputTokens: 2 } });
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-judge-own-0123456789');
    expect(sent.headers['anthropic-version']).toBeTruthy();
    expect(sent.body).toMatchObject({ model: 'claude-3-5-haiku-latest', max_tokens: 50, system: [{ type: 'text', text: 'Be brief.' }] });
  });

  it('429 → retryable, with retry-after in milliseconds', async () => {
    const err = await failure(completeChat(registry, { model: 'gpt-4o-mini', messages: user('[[error:429]] hi') }));
    expect(err).toMatchObject({ status: 429, retryable: true, retryAfterMs: 7000 });
    expect(err.message).toContain('429');

    fake.enqueue({ path: '/v1/messages', status: 529, headers: { 'retry-after-ms': '250' }, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    const claude = await failure(completeChat(registry, { model: 'claude-3-5-haiku-latest', messages: user('hi') }));
    expect(claude).toMatchObject({ status: 529, retryable: true, retryAfterMs: 250 });
    expect(claude.message).toContain('Overloaded');
  });

  it('400 → not retryable, with the upstream message', async () => {
    fake.enqueue({ path: '/v1/chat/completions', status: 400, body: { error: { message: "Invalid value for 'temperature'", type: 'invalid_request_error' } } });
    const err = await failure(completeChat(registry, { model: 'gpt-4o-mini', messages: user('hi') }));
    expect(err).toMatchObject({ status: 400, retryable: false, retryAfterMs: null });
    expect(err.message).toContain("Invalid value for 'temperature'");
    for (const status of [408, 409, 500, 503]) expect(new UpstreamHttpError(status, 'x').retryable).toBe(true);
    for (const status of [401, 403, 404, 422]) expect(new UpstreamHttpError(status, 'x').retryable).toBe(false);
  });

  it('never puts a key in the error message, even when the upstream quotes it', async () => {
    fake.enqueue({ path: '/v1/chat/completions', status: 401, body: { error: { message: `Incorrect API key provided: ${OPENAI_KEY}. Also sk-proj-abcdef0123 and Bearer ${OPENAI_KEY}` } } });
    const err = await failure(completeChat(registry, { model: 'gpt-4o-mini', messages: user('hi') }));
    expect(err.status).toBe(401);
    expect(err.message).toContain('Incorrect API key provided');
    expect(err.message).not.toMatch(/sk-/);
    expect(err.message).not.toContain('0123456789');

    fake.enqueue({ path: '/v1/messages', status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key: judge-key-no-prefix-42' } } });
    const claude = await failure(completeChat(registry, { model: 'claude-3-5-haiku-latest', messages: user('hi') }, { apiKey: 'judge-key-no-prefix-42' }));
    expect(claude.message).not.toContain('judge-key-no-prefix-42');
    expect(JSON.stringify(claude)).not.toContain('judge-key-no-prefix-42');
  });

  it('an unreachable provider → status 0, retryable', async () => {
    const port = await closedPort();
    const dead = createProviderRegistry(loadConfig({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_API_KEY: OPENAI_KEY }), timeouts);
    try {
      const err = await failure(completeChat(dead, { model: 'gpt-4o-mini', messages: user('hi') }));
      expect(err).toMatchObject({ status: 0, retryable: true, retryAfterMs: null });
      expect(err.message).toContain('provider openai');
      expect(err.message).not.toContain(OPENAI_KEY);
    } finally {
      await dead.close();
    }
  });

  it('a timeout → status 0, retryable; a 200 that is not a completion → status 0', async () => {
    fake.enqueue({ path: '/v1/chat/completions', hang: true });
    const err = await failure(completeChat(registry, { model: 'gpt-4o-mini', messages: user('hi') }, { timeoutMs: 100 }));
    expect(err).toMatchObject({ status: 0, retryable: true });
    expect(err.message).toMatch(/timed out/);

    fake.enqueue({ path: '/v1/chat/completions', body: 'not json' });
    const bad = await failure(completeChat(registry, { model: 'gpt-4o-mini', messages: user('hi') }));
    expect(bad).toMatchObject({ status: 0, retryable: true });
  });

  it('stops when the caller aborts', async () => {
    fake.enqueue({ path: '/v1/chat/completions', hang: true });
    const ctl = new AbortController();
    const p = completeChat(registry, { model: 'gpt-4o-mini', messages: user('hi') }, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    const err = await failure(p);
    expect(err.status).toBe(0);
    expect(err.message).toMatch(/aborted/);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
