import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddingOf, startFakeUpstream, type FakeUpstream } from './index.ts';

let fake: FakeUpstream;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await startFakeUpstream();
  openai = new OpenAI({ baseURL: fake.openaiBaseUrl, apiKey: 'sk-test', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: fake.anthropicBaseUrl, apiKey: 'sk-ant-test', maxRetries: 0 });
});
afterAll(async () => {
  await fake.close();
});

const user = (content: string) => [{ role: 'user' as const, content }];
const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('chat completions', () => {
  it('answers deterministically, echoes the model, counts usage, sends rate-limit headers', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, ...user('hello there')] })
      .withResponse();
    expect(data.model).toBe('gpt-4o-mini');
    expect(data.choices[0]?.message.content).toBe('Echo: hello there');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    // 'Be brief.' + 'hello there' = 20 characters -> 5 tokens; 'Echo: hello there' = 3 words.
    expect(data.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('10000');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBeTruthy();
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const rec = fake.requests.at(-1);
    expect(rec).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(rec?.headers.authorization).toBe('Bearer sk-test');
    expect(rec?.body).toMatchObject({ model: 'gpt-4o-mini' });
    expect(JSON.parse(rec?.rawBody ?? '')).toEqual(rec?.body);
  });

  it('returns n choices', async () => {
    const res = await openai.chat.completions.create({ model: 'gpt-4o', n: 3, messages: user('hi') });
    expect(res.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(res.usage?.completion_tokens).toBe(6);
  });

  it('streams, with the usage chunk only when include_usage is asked', async () => {
    const plain = await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: user('a b c') });
    const plainChunks = [];
    for await (const c of plain) plainChunks.push(c);
    expect(plainChunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Echo: a b c');
    expect(plainChunks.some((c) => c.usage)).toBe(false);
    expect(plainChunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');

    const withUsage = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: user('a b c'),
    });
    const chunks = [];
    for await (const c of withUsage) chunks.push(c);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
  });

  it('streams N chunks with [[words:N]] and spaces them with [[slow:MS]]', async () => {
    const stream = await openai.chat.completions.create({ model: 'm', stream: true, messages: user('[[words:5]] [[slow:5]]') });
    const deltas: string[] = [];
    for await (const c of stream) if (c.choices[0]?.delta.content) deltas.push(c.choices[0].delta.content);
    expect(deltas).toEqual(['word1', ' word2', ' word3', ' word4', ' word5']);
  });

  it('calls tools, streaming and not, and answers the tool result in text', async () => {
    const res = await openai.chat.completions.create({ model: 'm', tools: [weatherTool], messages: user('[[tool:get_weather]]') });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });

    const final = await openai.chat.completions
      .stream({ model: 'm', tools: [weatherTool], messages: user('weather? [[tools2]]') })
      .finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => (c.type === 'function' ? [c.function.name, c.function.arguments] : []))).toEqual([
      ['get_weather', '{"city":"Paris"}'],
      ['get_time', '{"city":"London"}'],
    ]);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');

    const after = await openai.chat.completions.create({
      model: 'm',
      messages: [
        ...user('[[tool:get_weather]]'),
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
    });
    expect(after.choices[0]?.message.content).toBe('Echo: sunny');
  });

  it('honours [[json]], [[length]] and [[nul]]', async () => {
    const json = await openai.chat.completions.create({ model: 'm', messages: user('[[json]]') });
    expect(JSON.parse(json.choices[0]?.message.content ?? '')).toEqual({ answer: 'ok' });
    const length = await openai.chat.completions.create({ model: 'm', messages: user('x [[length]]') });
    expect(length.choices[0]?.finish_reason).toBe('length');
    const nul = await openai.chat.completions.create({ model: 'm', messages: user('[[nul]]') });
    expect(nul.choices[0]?.message.content).toContain('\u0000');
    expect(nul.choices[0]?.message.content).toContain('\ud800');
  });

  it('answers [[error:429]] in the OpenAI error shape with retry-after', async () => {
    const err = await openai.chat.completions.create({ model: 'm', messages: user('[[error:429]]') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.headers.get('retry-after')).toBe('7');
    expect(e.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const server = await openai.chat.completions.create({ model: 'm', messages: user('[[error:503]]') }).catch((x: unknown) => x);
    expect(server).toBeInstanceOf(OpenAI.InternalServerError);
  });

  it('cuts a stream after two content chunks with [[cut]]', async () => {
    const stream = await openai.chat.completions.create({ model: 'm', stream: true, messages: user('one two three four [[cut]]') });
    const deltas: string[] = [];
    const err = await (async () => {
      for await (const c of stream) if (c.choices[0]?.delta.content) deltas.push(c.choices[0].delta.content);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(deltas).toEqual(['Echo:', ' one']);
  });

  it('hangs with [[hang]] and counts the client abort', async () => {
    const before = fake.aborted();
    const ctrl = new AbortController();
    const pending = openai.chat.completions.create({ model: 'm', messages: user('[[hang]]') }, { signal: ctrl.signal });
    await until(() => fake.requests.at(-1)?.rawBody.includes('[[hang]]') ?? false);
    ctrl.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await until(() => fake.aborted() === before + 1);
  });
});

describe('responses, embeddings, models', () => {
  it('answers responses, streaming and not', async () => {
    const res = await openai.responses.create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'hi there' });
    expect(res.output_text).toBe('Echo: hi there');
    expect(res.usage).toMatchObject({ input_tokens: 5, output_tokens: 3, total_tokens: 8 });

    const stream = openai.responses.stream({ model: 'gpt-4o-mini', input: [{ role: 'user', content: 'a b' }] });
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Echo: a b');
    expect(final.usage?.output_tokens).toBe(3);
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.completed');

    const tool = await openai.responses.create({ model: 'm', input: '[[tool:lookup]]' });
    expect(tool.output[0]).toMatchObject({ type: 'function_call', name: 'lookup', arguments: '{"city":"Paris"}' });
  });

  it('embeds deterministically in dimension 8 (float and base64)', async () => {
    const viaSdk = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    expect(viaSdk.data).toHaveLength(2);
    expect(viaSdk.data[0]?.embedding).toHaveLength(8);
    expect(viaSdk.data[0]?.embedding).toEqual(embeddingOf('alpha'));
    const floats = await openai.embeddings.create({ model: 'e', input: 'alpha', encoding_format: 'float' });
    expect(floats.data[0]?.embedding).toEqual(viaSdk.data[0]?.embedding);
    expect(floats.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const m of openai.models.list()) ids.push(m.id);
    expect(ids).toContain('gpt-4o-mini');
  });
});

describe('anthropic messages', () => {
  it('answers without streaming', async () => {
    const msg = await anthropic.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 100, system: 'Be brief.', messages: user('hello there') });
    expect(msg.model).toBe('claude-3-5-haiku-latest');
    expect(msg.content).toEqual([{ type: 'text', text: 'Echo: hello there' }]);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage).toMatchObject({ input_tokens: 5, output_tokens: 3 });
    expect(fake.requests.at(-1)?.headers['anthropic-version']).toBeTruthy();
  });

  it('streams the real event sequence', async () => {
    const stream = anthropic.messages.stream({ model: 'claude-x', max_tokens: 100, messages: user('a b') });
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    const final = await stream.finalMessage();
    expect(final.content).toHaveLength(1);
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'Echo: a b' });
    expect(final.usage.output_tokens).toBe(3);
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('sends ping after the first content_block_start on the wire', async () => {
    const res = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'c', max_tokens: 10, stream: true, messages: user('hi') }),
    });
    const names = [...(await res.text()).matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('calls tools and stops at max_tokens', async () => {
    const final = await anthropic.messages
      .stream({ model: 'claude-x', max_tokens: 100, messages: user('[[tool:get_weather]]') })
      .finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    const two = await anthropic.messages.create({ model: 'claude-x', max_tokens: 100, messages: user('[[tools2]]') });
    expect(two.content.map((b) => b.type)).toEqual(['tool_use', 'tool_use']);
    const length = await anthropic.messages.create({ model: 'claude-x', max_tokens: 1, messages: user('[[length]]') });
    expect(length.stop_reason).toBe('max_tokens');
  });

  it('answers errors in the Anthropic shape', async () => {
    const err = await anthropic.messages.create({ model: 'c', max_tokens: 10, messages: user('[[error:429]]') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const e = err as InstanceType<typeof Anthropic.RateLimitError>;
    expect(e.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(e.headers?.get('retry-after')).toBe('7');

    const noKey = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'c', max_tokens: 10, messages: user('hi') }),
    });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });

    const noVersion = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: JSON.stringify({ model: 'c', max_tokens: 10, messages: user('hi') }),
    });
    expect(noVersion.status).toBe(400);
  });
});

describe('scripts', () => {
  it('plays an enqueued JSON answer once, then falls back to directives', async () => {
    fake.enqueue({ path: '/v1/chat/completions', status: 418, headers: { 'x-custom': 'yes' }, body: { error: { message: 'teapot', type: 'x', code: null } } });
    const err = await openai.chat.completions.create({ model: 'm', messages: user('hi') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(418);
    expect(e.headers?.get('x-custom')).toBe('yes');
    const ok = await openai.chat.completions.create({ model: 'm', messages: user('hi') });
    expect(ok.choices[0]?.message.content).toBe('Echo: hi');
  });

  it('plays enqueued SSE chunks', async () => {
    const chunk = (content: string) => ({
      data: { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'scripted', choices: [{ index: 0, delta: { content }, finish_reason: null }] },
    });
    fake.enqueue({ sse: [chunk('x'), chunk('y'), { raw: 'data: [DONE]\n\n' }] });
    const stream = await openai.chat.completions.create({ model: 'm', stream: true, messages: user('hi') });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('xy');
  });
});

describe('route hook', () => {
  it('answers what the route takes and leaves the rest to the fake', async () => {
    const hooked = await startFakeUpstream({
      route: (rec, res, pathname) => {
        if (pathname !== '/v1/custom') return false;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: rec.method, body: rec.body }));
        return true;
      },
    });
    try {
      const res = await fetch(`${hooked.url}/v1/custom?x=1`, { method: 'POST', body: '{"a":1}' });
      expect(await res.json()).toEqual({ method: 'POST', body: { a: 1 } });
      const client = new OpenAI({ baseURL: hooked.openaiBaseUrl, apiKey: 'sk-test', maxRetries: 0 });
      const chat = await client.chat.completions.create({ model: 'm', messages: user('still here') });
      expect(chat.choices[0]?.message.content).toBe('Echo: still here');
    } finally {
      await hooked.close();
    }
  });
});
