import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { clientFor, CLIENT_KEY, startHarness, type Harness } from './support/gateway.ts';

/**
 * Token limits of translated calls (issue 20, items 4 and 12): an Anthropic client's `max_tokens`
 * reaches OpenAI's reasoning models as `max_completion_tokens` (the fake upstream refuses
 * `max_tokens` for them, as OpenAI does), and an OpenAI client that sets no limit on a Claude model
 * gets the configured per-model default instead of a hidden 4096.
 */
const yaml = `
aliases:
  thinker: openai/o3
translation:
  toAnthropic:
    defaultMaxTokens: 2048
    maxTokens: { claude-opus-4: 32000, claude-opus-4-1-20250805: 16000 }
`;

let h: Harness;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  h = await startHarness({}, { yaml });
  openai = clientFor(h);
  anthropic = new Anthropic({ baseURL: h.gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 });
});
afterAll(async () => h?.close());

const lastBody = () => h.fake.requests.at(-1)!.body as Record<string, unknown>;
const say = (text: string): Anthropic.MessageParam[] => [{ role: 'user', content: text }];

describe('Anthropic client → OpenAI models: the token-limit field', () => {
  it('reasoning models (o4-mini, gpt-5-mini, an alias to o3) get max_completion_tokens, streaming and not', async () => {
    const msg = await anthropic.messages.create({ model: 'o4-mini', max_tokens: 300, messages: say('think') });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'Echo: think' });
    expect(lastBody()).toMatchObject({ model: 'o4-mini', max_completion_tokens: 300 });
    expect(lastBody()).not.toHaveProperty('max_tokens');

    const streamed = await anthropic.messages.stream({ model: 'gpt-5-mini', max_tokens: 200, messages: say('stream [[words:3]]') }).finalMessage();
    expect(streamed.stop_reason).toBe('end_turn');
    expect(lastBody()).toMatchObject({ model: 'gpt-5-mini', max_completion_tokens: 200, stream: true });
    expect(lastBody()).not.toHaveProperty('max_tokens');

    await anthropic.messages.create({ model: 'thinker', max_tokens: 100, messages: say('alias') });
    expect(lastBody()).toMatchObject({ model: 'o3', max_completion_tokens: 100 });
  });

  it('other models keep max_tokens, which every OpenAI-compatible server knows', async () => {
    await anthropic.messages.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: say('plain') });
    expect(lastBody()).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 50 });
    expect(lastBody()).not.toHaveProperty('max_completion_tokens');
  });
});

describe('OpenAI client → Claude: the max_tokens it did not set', () => {
  const ask = (model: string, limits: { max_tokens?: number; max_completion_tokens?: number } = {}) =>
    openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], ...limits });

  it('comes from translation.toAnthropic: the longest matching model key, else defaultMaxTokens', async () => {
    await ask('claude-opus-4-1-20250805');
    expect(lastBody()).toMatchObject({ model: 'claude-opus-4-1-20250805', max_tokens: 16000 });
    await ask('claude-opus-4-20250514');
    expect(lastBody()).toMatchObject({ max_tokens: 32000 });
    await ask('claude-sonnet-4-20250514');
    expect(lastBody()).toMatchObject({ max_tokens: 2048 });
  });

  it("the client's own limit wins", async () => {
    await ask('claude-opus-4-20250514', { max_tokens: 77 });
    expect(lastBody()).toMatchObject({ max_tokens: 77 });
    await ask('claude-opus-4-20250514', { max_completion_tokens: 88 });
    expect(lastBody()).toMatchObject({ max_tokens: 88 });
  });
});
