import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { clientFor, ANTHROPIC_KEY, CLIENT_KEY, OPENAI_KEY, startHarness, type Harness } from './support/gateway.ts';

let h: Harness;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  h = await startHarness();
  openai = clientFor(h);
  anthropic = new Anthropic({ baseURL: h.gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 });
});
afterAll(async () => h?.close());

const lastRequest = () => h.fake.requests.at(-1)!;
const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const tinyPng = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('OpenAI client → Claude model (translated to the Messages API)', () => {
  it('plain call: system prompt, multi-turn, image; the client key goes up as x-api-key', async () => {
    const { data, response } = await openai.chat.completions
      .create({
        model: 'claude-sonnet-4-20250514',
        max_tokens: 100,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: tinyPng } }] },
        ],
      })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content).toBe('Echo: what is this?');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    const up = lastRequest();
    expect(up.path).toBe('/v1/messages');
    expect(up.headers['x-api-key']).toBe(CLIENT_KEY);
    expect(up.headers['anthropic-version']).toBeTruthy();
    expect(up.body).toMatchObject({ model: 'claude-sonnet-4-20250514', max_tokens: 100, messages: [{ role: 'user' }, { role: 'assistant' }, { role: 'user' }] });
    expect(JSON.stringify((up.body as { system: unknown }).system)).toContain('Be brief.');
    expect(JSON.stringify(up.body)).toContain('"type":"base64"');
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ provider: 'anthropic', status: 'success', finishReasons: ['stop'] });
    expect(row?.inputTokens).toBe(data.usage?.prompt_tokens);
  });

  it('streams, with the usage chunk only when asked', async () => {
    const stream = await openai.chat.completions.create({ model: 'claude-sonnet-4-20250514', stream: true, messages: [{ role: 'user', content: 'go [[words:4]]' }] });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('').length).toBeGreaterThan(0);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');

    const withUsage = await openai.chat.completions.create({ model: 'claude-sonnet-4-20250514', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'go' }] });
    const all = [];
    for await (const c of withUsage) all.push(c);
    expect(all.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('tools: tool_choice, a tool call back, and the tool result in the next turn', async () => {
    const first = await openai.chat.completions.create({
      model: 'claude-sonnet-4-20250514',
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [{ role: 'user', content: 'weather in Paris [[tool:get_weather]]' }],
    });
    expect(lastRequest().body).toMatchObject({ tool_choice: { type: 'tool', name: 'get_weather' }, tools: [{ name: 'get_weather', input_schema: { type: 'object' } }] });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0]!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
    const second = await openai.chat.completions.create({
      model: 'claude-sonnet-4-20250514',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'weather in Paris' }, choice.message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' }],
    });
    expect(second.choices[0]?.message.content).toContain('sunny, 21C');
    const sent = lastRequest().body as { messages: { role: string; content: { type: string }[] }[] };
    expect(sent.messages[1]?.content[0]?.type).toBe('tool_use');
    expect(sent.messages[2]?.content[0]?.type).toBe('tool_result');
  });

  it('streams parallel tool calls as OpenAI tool-call deltas', async () => {
    const stream = openai.chat.completions.stream({ model: 'claude-sonnet-4-20250514', tools: [weatherTool], messages: [{ role: 'user', content: 'two [[tools2]]' }] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls).toHaveLength(2);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('maps max_tokens stops to length and translates upstream errors into the OpenAI shape', async () => {
    const cut = await openai.chat.completions.create({ model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'long [[length]]' }] });
    expect(cut.choices[0]?.finish_reason).toBe('length');
    const err = (await openai.chat.completions.create({ model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'x [[error:429]]' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers?.get('retry-after')).toBe('7');
    expect(typeof (err.error as { message?: unknown }).message).toBe('string');
    const row = await h.callRow(err.headers!.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'upstream_error', httpStatus: 429 });
  });

  it('rejects what Claude cannot do with a 400 naming the field', async () => {
    const err = (await openai.chat.completions.create({ model: 'claude-sonnet-4-20250514', n: 2, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(400);
    expect((err.error as { param?: string }).param).toBe('n');
  });
});

describe('Anthropic client → the gateway', () => {
  it('Claude models pass through untouched, streaming and not', async () => {
    const { data, response } = await anthropic.messages
      .create({ model: 'claude-sonnet-4-20250514', max_tokens: 50, system: 'You are terse.', messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'Echo: hello' });
    expect(lastRequest().headers['authorization']).toBe(`Bearer ${CLIENT_KEY}`); // as @anthropic-ai/sdk 1.x sends an apiKey
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ route: 'messages', provider: 'anthropic', status: 'success', finishReasons: ['end_turn'] });
    expect(row?.outputTokens).toBe(data.usage.output_tokens);

    const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 50, messages: [{ role: 'user', content: 'hi [[words:3]]' }] });
    const msg = await stream.finalMessage();
    expect(msg.stop_reason).toBe('end_turn');
  });

  it("the client's own credential header goes up as the client sent it (authToken, apiKey, x-api-key); only the configured key is translated", async () => {
    const OAUTH_TOKEN = 'sk-ant-oat01-client-oauth-token-0123456789';
    for (const auth of [{ authToken: OAUTH_TOKEN }, { apiKey: CLIENT_KEY }, { apiKey: null, defaultHeaders: { 'x-api-key': CLIENT_KEY } }]) {
      let sent: Headers | null = null;
      const client = new Anthropic({
        baseURL: h.gateway.url,
        maxRetries: 0,
        ...auth,
        fetch: (url: string | URL | Request, init?: RequestInit) => {
          sent = new Headers(init?.headers);
          return fetch(url, init);
        },
      });
      for (const stream of [false, true]) {
        const msg = await client.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 20, stream, messages: [{ role: 'user', content: 'hi' }] });
        if (stream) for await (const _ of msg as AsyncIterable<unknown>) { /* drain */ }
        const client_ = sent as Headers | null;
        const up = lastRequest().headers;
        const label = `${JSON.stringify(auth)} stream=${stream}`;
        expect(up['authorization'], label).toBe(client_?.get('authorization') ?? undefined);
        expect(up['x-api-key'], label).toBe(client_?.get('x-api-key') ?? undefined);
        expect(up['authorization'] ?? up['x-api-key'], label).toContain('authToken' in auth ? OAUTH_TOKEN : CLIENT_KEY);
      }
    }
    // the configured key serves a keyless client the provider's way
    await fetch(`${h.gateway.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }) });
    expect(lastRequest().headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(lastRequest().headers['authorization']).toBeUndefined();
  });

  it('an OpenAI-served model answers in the Anthropic shape (translated), streaming and not, with tools', async () => {
    const { data, response } = await anthropic.messages
      .create({ model: 'gpt-4o-mini', max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content: 'hello gpt' }] })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'Echo: hello gpt' });
    expect(data.stop_reason).toBe('end_turn');
    const up = lastRequest();
    expect(up.path).toBe('/v1/chat/completions');
    expect(up.headers['authorization']).toBe(`Bearer ${CLIENT_KEY}`);
    expect(up.body).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user' }] });
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ route: 'messages', provider: 'openai', status: 'success', finishReasons: ['end_turn'] });

    const stream = anthropic.messages.stream({
      model: 'gpt-4o-mini',
      max_tokens: 50,
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'weather [[tool:get_weather]]' }],
    });
    const msg = await stream.finalMessage();
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it('OpenAI upstream errors come back in the Anthropic error shape', async () => {
    const err = (await anthropic.messages.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'x [[error:500]]' }] }).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err.status).toBe(500);
    expect((err.error as { type?: string }).type).toBe('error');
  });

  it('SDK clients with the placeholder key "fixpoint" get the configured keys (loopback), either way of translation', async () => {
    const viaOpenAI = new OpenAI({ baseURL: `${h.gateway.url}/v1`, apiKey: 'fixpoint', maxRetries: 0 });
    await viaOpenAI.chat.completions.create({ model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: 'hi' }] });
    expect(lastRequest().headers['x-api-key']).toBe(ANTHROPIC_KEY);
    const viaAnthropic = new Anthropic({ baseURL: h.gateway.url, apiKey: 'fixpoint', maxRetries: 0 });
    await viaAnthropic.messages.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(lastRequest().headers['authorization']).toBe(`Bearer ${OPENAI_KEY}`);
  });

  it('keyless loopback clients get the configured Anthropic key', async () => {
    const res = await fetch(`${h.gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(lastRequest().headers['x-api-key']).toBe(ANTHROPIC_KEY);
  });
});

describe('mid-stream errors from Anthropic', () => {
  it('reach an OpenAI client as an error event, and the call is recorded as upstream_error', async () => {
    h.fake.enqueue({
      path: '/v1/messages',
      sse: [
        { event: 'message_start', data: { type: 'message_start', message: { id: 'm1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } } },
        { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
      ],
    });
    const { data: stream, response } = await openai.chat.completions
      .create({ model: 'claude-sonnet-4-20250514', stream: true, messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    const err = await (async () => {
      for await (const _ of stream) {
        /* until the error */
      }
    })().catch((e: unknown) => e);
    expect(String(err)).toContain('Overloaded');
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'upstream_error', error: 'Overloaded' });
  });
});
