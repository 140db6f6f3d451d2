import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../testkit/fake-upstream/index.ts';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';

let local: FakeUpstream;
let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  local = await startFakeUpstream();
  process.env['LOCAL_LLM_KEY'] = 'sk-local-provider-key-000000000000';
  const yaml = `
providers:
  plain:
    baseUrl: ${local.openaiBaseUrl}
    streamUsage: false
  local:
    baseUrl: ${local.openaiBaseUrl}
    apiKey: \${LOCAL_LLM_KEY}
    modelPrefixes: [llama-]
    headers: { x-tenant: acme }
aliases:
  house: local/qwen-7b
`;
  h = await startHarness({ LOCAL_LLM_KEY: process.env['LOCAL_LLM_KEY'] }, { yaml });
  client = clientFor(h);
});
afterAll(async () => {
  await h?.close();
  await local?.close();
});

async function routed(model: string) {
  const { response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  return h.callRow(response.headers.get('x-fixpoint-call-id')!);
}

describe('model addressing across providers from FIXPOINT_CONFIG', () => {
  it('routes by configured prefix, by provider/model and by alias; other names go to the OpenAI upstream', async () => {
    expect(await routed('llama-3-8b')).toMatchObject({ provider: 'local', servedModel: 'llama-3-8b' });
    expect(local.requests.at(-1)?.body).toMatchObject({ model: 'llama-3-8b' });
    expect(local.requests.at(-1)?.headers['x-tenant']).toBe('acme');

    expect(await routed('local/mistral-7b')).toMatchObject({ provider: 'local', requestedModel: 'local/mistral-7b', servedModel: 'mistral-7b' });
    expect(local.requests.at(-1)?.body).toMatchObject({ model: 'mistral-7b' });

    expect(await routed('house')).toMatchObject({ provider: 'local', requestedModel: 'house', servedModel: 'qwen-7b' });

    const before = local.requests.length;
    expect(await routed('gpt-4o-mini')).toMatchObject({ provider: 'openai' });
    expect(local.requests.length).toBe(before);
    expect(h.fake.requests.at(-1)?.body).toMatchObject({ model: 'gpt-4o-mini' });
  });

  it('asks streams for usage unless the provider is set not to', async () => {
    const consume = async (model: string) => {
      const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
      for await (const _ of stream) {
        /* drain */
      }
      return local.requests.at(-1)?.body as { stream_options?: unknown };
    };
    expect((await consume('local/m')).stream_options).toEqual({ include_usage: true });
    expect((await consume('plain/m')).stream_options).toBeUndefined();
  });

  it('lists the aliases with the upstream models', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('house');
  });
});
