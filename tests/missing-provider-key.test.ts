/**
 * Issue 20, item 7: the placeholder key `fixpoint` (or no key) from a local client means "use the
 * configured key". A provider without one must not get the call with no credentials: 401 naming the
 * missing setting, OpenAI-shaped, and one warning at start naming every such provider.
 */
import { Writable } from 'node:stream';
import OpenAI, { APIError } from 'openai';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../testkit/fake-upstream/index.ts';
import { CLIENT_KEY, startHarness, type Harness } from './support/gateway.ts';

let h: Harness;
let local: FakeUpstream;
let logs = '';

beforeAll(async () => {
  local = await startFakeUpstream();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  const yaml = `
providers:
  local:
    baseUrl: ${local.openaiBaseUrl}
    modelPrefixes: [llama-]
`;
  // OPENAI_API_KEY unset (the harness sets one; undefined takes it away); ANTHROPIC_API_KEY stays.
  h = await startHarness({ OPENAI_API_KEY: undefined, LOG_LEVEL: 'warn' }, { yaml, logger: pino({ level: 'warn' }, sink) });
});
afterAll(async () => {
  await h?.close();
  await local?.close();
});

const openaiWith = (apiKey: string) => new OpenAI({ baseURL: `${h.gateway.url}/v1`, apiKey, maxRetries: 0 });
const ask = (client: OpenAI, model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

async function refusal(p: Promise<unknown>): Promise<APIError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(APIError);
  return err as APIError;
}

describe('a keyless local call to a provider with no configured key', () => {
  it('gets 401 naming OPENAI_API_KEY, and nothing goes upstream', async () => {
    const before = h.fake.requests.length;
    const err = await refusal(ask(openaiWith('fixpoint'), 'gpt-4o-mini'));
    expect(err.status).toBe(401);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.message).toContain('OPENAI_API_KEY');
    expect(err.message).toContain('provider openai');
    expect(err.error).toMatchObject({ type: 'authentication_error', code: 'unauthorized', message: expect.stringContaining('OPENAI_API_KEY is not set') });
    expect(err.headers?.get('x-fixpoint-call-id')).toBeTruthy();
    expect(h.fake.requests.length).toBe(before);
  });

  it('names providers.<name>.apiKey for a YAML provider, by prefix and by provider/model', async () => {
    const before = local.requests.length;
    for (const model of ['llama-3-8b', 'local/qwen-7b']) {
      const err = await refusal(ask(openaiWith('fixpoint'), model));
      expect(err.status).toBe(401);
      expect(err.message).toContain('providers.local.apiKey');
    }
    expect(local.requests.length).toBe(before);
  });

  it('is refused the same on GET /v1/models (the openai upstream has no key either)', async () => {
    const err = await refusal(openaiWith('fixpoint').models.list());
    expect(err.status).toBe(401);
    expect(err.message).toContain('OPENAI_API_KEY');
  });

  it("still serves the client's own key, and the placeholder on a provider that has a key", async () => {
    const own = await ask(openaiWith(CLIENT_KEY), 'gpt-4o-mini');
    expect(own.choices[0]?.message).toBeDefined();
    expect(h.fake.requests.at(-1)?.headers['authorization']).toBe(`Bearer ${CLIENT_KEY}`);
    const claude = await ask(openaiWith('fixpoint'), 'claude-3-5-haiku-latest');
    expect(claude.choices[0]?.message).toBeDefined();
  });

  it('was warned about once at start, naming each provider without a key and its setting', () => {
    const warnings = logs
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string; providers?: string[] })
      .filter((l) => l.msg.includes('no configured key'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe(40);
    expect(warnings[0]?.providers).toEqual(['openai', 'local']);
    expect(warnings[0]?.msg).toContain('openai (OPENAI_API_KEY)');
    expect(warnings[0]?.msg).toContain('local (providers.local.apiKey)');
    expect(warnings[0]?.msg).not.toContain('anthropic');
  });
});
