import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, CLIENT_KEY, OPENAI_KEY, startHarness, type Harness } from './support/gateway.ts';

let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  h = await startHarness({}, { yaml: 'aliases:\n  fast: openai/gpt-4o-mini\n' });
  client = clientFor(h);
});
afterAll(async () => h?.close());

const lastRequest = () => h.fake.requests.at(-1)!;

describe('OpenAI chat completions through the gateway', () => {
  it('answers a plain call unchanged, forwards the client key, and records it once', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'hello' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Echo: hello');
    expect(lastRequest().headers['authorization']).toBe(`Bearer ${CLIENT_KEY}`);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeTruthy();
    const id = response.headers.get('x-fixpoint-call-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await h.callRow(id);
    expect(row).toMatchObject({
      status: 'success',
      httpStatus: 200,
      route: 'chat.completions',
      provider: 'openai',
      requestedModel: 'gpt-4o-mini',
      servedModel: 'gpt-4o-mini',
      stream: false,
      finishReasons: ['stop'],
      inputTokens: data.usage?.prompt_tokens,
      outputTokens: data.usage?.completion_tokens,
    });
    expect(row?.costUsd).toBeGreaterThan(0);
    expect(row?.latencyMs).toBeGreaterThanOrEqual(row?.upstreamLatencyMs ?? Infinity);
    expect(row?.component).toMatch(/^auto:/);
    expect((await h.allRows()).filter((r) => r.id === id)).toHaveLength(1);
  });

  it('passes the body through byte for byte: json_schema, n, logprobs, unknown future fields', async () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'give json [[json]]' }],
      response_format: { type: 'json_schema' as const, json_schema: { name: 'a', strict: true, schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] } } },
      n: 2,
      logprobs: true,
      top_logprobs: 2,
      some_future_field: { nested: [1, 2, 3] },
    };
    const data = await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(data.choices).toHaveLength(2);
    expect(JSON.parse(data.choices[0]?.message.content ?? '')).toEqual({ answer: 'ok' });
    expect(lastRequest().rawBody).toBe(JSON.stringify(body));
  });

  it('streams chunk by chunk, asks upstream for usage, strips it for a client that did not ask, records usage', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'count [[words:5]]' }] })
      .withResponse();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(lastRequest().body).toMatchObject({ stream_options: { include_usage: true } });
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row?.stream).toBe(true);
    expect(row?.outputTokens).toBeGreaterThan(0);
    expect(row?.ttftMs).toBeGreaterThan(0);
    expect(row?.finishReasons).toEqual(['stop']);
    const assembled = row?.responseBody as { choices: { message: { content: string } }[] };
    expect(assembled.choices[0]?.message.content).toBe(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''));
  });

  it('a client that reads slowly pauses the upstream and still gets every chunk, in order', async () => {
    // Far more than the socket buffers between the three hops hold: the gateway's writes to the
    // client fill up while it sleeps, the upstream is paused, and resumes once the client drains.
    const words = 60_000;
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `long [[words:${words}]]` }] })
      .withResponse();
    let content = '';
    let chunks = 0;
    for await (const c of stream) {
      if (chunks++ === 0) await new Promise((r) => setTimeout(r, 500));
      content += c.choices[0]?.delta.content ?? '';
    }
    expect(content.split(' ').filter(Boolean)).toHaveLength(words);
    expect(content.startsWith('word1 ')).toBe(true);
    expect(content.endsWith(` word${words}`)).toBe(true);
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'success', finishReasons: ['stop'] });
    expect((row?.responseBody as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(content);
  });

  it('keeps the usage chunk for a client that asked for it', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
    expect(lastRequest().rawBody).not.toContain('"model":"fast"');
  });

  it('passes tool calls through, streaming and not', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const data = await client.chat.completions.create({ model: 'gpt-4o-mini', tools, messages: [{ role: 'user', content: 'weather? [[tool:get_weather]]' }] });
    expect(data.choices[0]?.finish_reason).toBe('tool_calls');
    const call = data.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
    const stream = client.chat.completions.stream({ model: 'gpt-4o-mini', tools, messages: [{ role: 'user', content: 'weather? [[tools2]]' }] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls).toHaveLength(2);
  });

  it('resolves aliases and rewrites the model name for the upstream only', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.model).toBe('gpt-4o-mini');
    expect(lastRequest().body).toMatchObject({ model: 'gpt-4o-mini' });
    const row = await h.callRow(response.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ requestedModel: 'fast', servedModel: 'gpt-4o-mini', provider: 'openai' });
  });

  it('passes upstream 4xx and 5xx through with their bodies and rate-limit headers, and records them', async () => {
    for (const status of [429, 500]) {
      const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `x [[error:${status}]]` }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      const apiErr = err as InstanceType<typeof OpenAI.APIError>;
      expect(apiErr.status).toBe(status);
      expect(apiErr.headers?.get('retry-after')).toBe('7');
      expect(apiErr.headers?.get('x-ratelimit-remaining-requests')).toBeTruthy();
      const row = await h.callRow(apiErr.headers!.get('x-fixpoint-call-id')!);
      expect(row).toMatchObject({ status: 'upstream_error', httpStatus: status });
      expect(row?.error).toBeTruthy();
    }
  });

  it('passes an unknown model\'s 404 from the upstream through and records it', async () => {
    h.fake.enqueue({ path: '/v1/chat/completions', status: 404, body: { error: { message: 'The model `nope-1` does not exist', type: 'invalid_request_error', code: 'model_not_found' } } });
    const err = (await client.chat.completions.create({ model: 'nope-1', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err.status).toBe(404);
    expect(err.code).toBe('model_not_found');
    const row = await h.callRow(err.headers!.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'upstream_error', httpStatus: 404, requestedModel: 'nope-1' });
  });

  it('answers a provider prefix that is configured nowhere as a plain name routed to the default upstream', async () => {
    await client.chat.completions.create({ model: 'meta-llama/Llama-3-8b', messages: [{ role: 'user', content: 'hi' }] });
    expect(lastRequest().body).toMatchObject({ model: 'meta-llama/Llama-3-8b' });
  });

  it('uses the operator key for a keyless loopback client', async () => {
    const res = await fetch(`${h.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    expect(lastRequest().headers['authorization']).toBe(`Bearer ${OPENAI_KEY}`);
  });

  it('drops hop-by-hop and Fixpoint headers on the way up', async () => {
    await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-fixpoint-session': 's-1', 'proxy-authorization': 'Basic xyz', 'x-custom-tenant': 't1' } },
    );
    const headers = lastRequest().headers;
    expect(headers['x-fixpoint-session']).toBeUndefined();
    expect(headers['proxy-authorization']).toBeUndefined();
    expect(headers['x-custom-tenant']).toBe('t1');
  });
});

describe('bad input', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${h.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, ...headers }, body });

  it('malformed JSON: 400 naming the problem, recorded once', async () => {
    const res = await post('{"model": "gpt-4o-mini", "messages": [');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('invalid_json');
    expect(body.error.message).toMatch(/not valid JSON/);
    const row = await h.callRow(res.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'rejected', httpStatus: 400 });
    expect(row?.requestBody).toEqual({ unparsed: '{"model": "gpt-4o-mini", "messages": [' });
  });

  it('missing fields: 400 with the field as param', async () => {
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini' }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe('messages');
    const res2 = await post(JSON.stringify({ messages: [] }));
    expect(((await res2.json()) as { error: { param: string } }).error.param).toBe('model');
  });

  it('oversized body: 413', async () => {
    const big = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(21 * 1024 * 1024) }] });
    const res = await post(big);
    expect(res.status).toBe(413);
    const row = await h.callRow(res.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'rejected', httpStatus: 413 });
  });

  it('unknown route: 404 in OpenAI error shape', async () => {
    const res = await fetch(`${h.gateway.url}/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
  });
});
