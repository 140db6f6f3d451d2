/**
 * A request nested thousands of levels deep (issue 19, item 1): refused up front with a 400 naming the
 * limit; and with the limit off, the call is answered, stored in minimal form and counted, while every
 * other caller's record is stored and the recorder keeps recording (in its own thread and inline).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../testkit/fake-upstream/index.ts';
import { CLIENT_KEY, clientFor, startHarness, type Harness } from './support/gateway.ts';

const onPostgres = Boolean(process.env['DATABASE_URL']);

/** `{"model":…,"messages":[],"x":[[[…]]]}` as text: JSON.stringify itself overflows at this depth, as the recorder did. */
const deepBody = (levels: number) => `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"deep"}],"x":${'['.repeat(levels)}${']'.repeat(levels)}}`;

async function post(h: Harness, body: string): Promise<Response> {
  return fetch(`${h.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` }, body });
}

async function metric(h: Harness, name: string): Promise<number> {
  const text = await (await fetch(`${h.gateway.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(async () => fake?.close());

describe('a deeply nested request body', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, { fake });
  });
  afterAll(async () => h?.close());

  it('refuses a compressed request body by naming its encoding, before it reaches the upstream (bad-input list of the fault run)', async () => {
    const before = fake.requests.length;
    const res = await fetch(`${h.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${CLIENT_KEY}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toMatch(/Content-Encoding gzip is not supported/);
    expect(fake.requests.length).toBe(before);
  });

  it('is refused with 400 naming the limit and the field, before it reaches the upstream, and the refusal is recorded', async () => {
    const before = fake.requests.length;
    const res = await post(h, deepBody(5000));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string; param: string; code: string; type: string } };
    expect(error).toMatchObject({ param: 'x', code: 'invalid_request', type: 'invalid_request_error' });
    expect(error.message).toContain('256');
    expect(error.message).toContain('FIXPOINT_MAX_JSON_DEPTH');
    expect(fake.requests.length).toBe(before);
    const row = await h.callRow(res.headers.get('x-fixpoint-call-id')!);
    expect(row).toMatchObject({ status: 'rejected', httpStatus: 400 });

    // The official client gets the same answer for a body one level past the limit.
    const client = clientFor(h);
    const nested: unknown = JSON.parse(`${'['.repeat(256)}${']'.repeat(256)}`);
    const err = (await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], metadata: nested } as never).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.param).toBe('metadata');
    // And one at the limit (the top-level object is level 1) goes through.
    const fits: unknown = JSON.parse(`${'['.repeat(255)}${']'.repeat(255)}`);
    const ok = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], metadata: fits } as never);
    expect(ok.choices[0]?.message.content).toBeTruthy();
  });
});

const modes = onPostgres ? (['thread', 'inline'] as const) : (['inline'] as const);
describe.each(modes)('with the depth limit off, recorder %s', (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ FIXPOINT_MAX_JSON_DEPTH: '0', FIXPOINT_RECORDER: mode }, { fake });
  });
  afterAll(async () => h?.close());

  it('stores the call that cannot be finalized in minimal form and every other caller’s record, and keeps recording', async () => {
    const client = clientFor(h);
    const others = (n: number, tag: string) =>
      Promise.all(Array.from({ length: n }, (_, i) => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${tag} ${i}` }] }).withResponse()));
    const [first, deep, second] = await Promise.all([others(20, 'before'), post(h, deepBody(20_000)), others(20, 'beside')]);
    expect(deep.status).toBe(200);
    const deepId = deep.headers.get('x-fixpoint-call-id')!;
    // Calls after it are recorded too: the recorder neither died nor got stuck.
    const after = await others(10, 'after');
    const ids = [...first, ...second, ...after].map((r) => r.response.headers.get('x-fixpoint-call-id')!);

    const rows = await h.allRows();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) expect(byId.get(id), `call ${id}`).toMatchObject({ status: 'success', httpStatus: 200 });
    expect(byId.get(ids[0]!)?.requestBody).toMatchObject({ messages: [{ content: 'before 0' }] });
    const bad = byId.get(deepId);
    expect(bad).toMatchObject({ status: 'success', httpStatus: 200, requestedModel: 'gpt-4o-mini', requestBody: null, responseBody: null });
    expect(bad?.error).toMatch(/record stored without its bodies: RangeError/);
    expect(rows).toHaveLength(ids.length + 1);

    expect(await metric(h, 'fixpoint_records_minimal_total')).toBe(1);
    expect(h.gateway.deps.recorder.accepting).toBe(true);
    const ready = await fetch(`${h.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});
