import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, ADMIN_TOKEN, CLIENT_KEY, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';

/** Prompt hot-swap on live traffic through the official openai client: active, canary, opt-out, rollback. */
let h: Harness;
let client: OpenAI;

const system = (name: string, date: string) => `You route tickets for Acme. The customer is ${name}. Today is ${date}. Answer with one label.`;
const v1Text = 'Route tickets for Acme. Customer: {{slot1}}. Date: {{slot2}}. Reply with exactly one of: billing, technical, account.';
const v2Text = 'Acme ticket router. Customer {{slot1}}, {{slot2}}. One word: billing, technical or account.';

async function post(path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${h.gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Sends a call and returns the version header and what the upstream received. */
async function send(systemText: string, headers: Record<string, string> = {}): Promise<{ version: string | null; upstream: { model: string; messages: { role: string; content: string }[] }; callId: string }> {
  const before = h.fake.requests.length;
  const { response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: systemText }, { role: 'user', content: 'my invoice is wrong' }] }, { headers: { 'x-fixpoint-component': 'router', ...headers } })
    .withResponse();
  const upstream = h.fake.requests.slice(before).find((r) => r.path === '/v1/chat/completions')!.body as { model: string; messages: { role: string; content: string }[] };
  return { version: response.headers.get('x-fixpoint-prompt-version'), upstream, callId: response.headers.get('x-fixpoint-call-id')! };
}

beforeAll(async () => {
  h = await startHarness();
  client = clientFor(h);
  for (const [name, date] of [['Alice Smith', '2026-11-02'], ['Bob', '2026-11-03'], ['Carol de la Cruz', '2026-12-24']] as const) await send(system(name, date));
  await h.gateway.deps.recorder.flush();
});
afterAll(async () => h?.close());

describe('prompt hot-swap', () => {
  it('swaps the active version in, carrying the slot values, and lets a request opt out or pass when it does not fit', async () => {
    const created = (await (await post('/api/components/router/prompts', { template: v1Text, model: 'gpt-4o' })).json()) as { id: string; version: number };
    expect(created.version).toBe(1);
    // A candidate changes nothing.
    expect((await send(system('Dan', '2027-01-01'))).version).toBeNull();

    const moved = await post(`/api/prompts/${created.id}/activate`);
    expect(moved.status).toBe(200);
    const swapped = await send(system('Dan Brown', '2027-01-01'));
    expect(swapped.version).toBe('1');
    expect(swapped.upstream.model).toBe('gpt-4o');
    expect(swapped.upstream.messages[0]).toEqual({ role: 'system', content: 'Route tickets for Acme. Customer: Dan Brown. Date: 2027-01-01. Reply with exactly one of: billing, technical, account.' });
    expect(swapped.upstream.messages[1]).toEqual({ role: 'user', content: 'my invoice is wrong' });
    const row = await h.callRow(swapped.callId);
    expect(row?.promptVersionId).toBe(created.id);

    const optedOut = await send(system('Eve', '2027-01-02'), { 'x-fixpoint-prompt': 'original' });
    expect(optedOut.version).toBeNull();
    expect(optedOut.upstream.messages[0]?.content).toBe(system('Eve', '2027-01-02'));

    const misfit = await send('You are a pirate. Say arr.');
    expect(misfit.version).toBeNull();
    expect(misfit.upstream.messages[0]?.content).toBe('You are a pirate. Say arr.');
    expect(misfit.upstream.model).toBe('gpt-4o-mini');
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/fixpoint_prompt_swaps_total\{component="router",arm="active",outcome="applied"\} 1/);
    expect(metrics).toMatch(/fixpoint_prompt_swaps_total\{component="router",arm="none",outcome="no_fit"\} 1/);
    expect(metrics).toMatch(/fixpoint_prompt_swaps_total\{component="router",arm="none",outcome="opted_out"\} 1/);
  });

  it('swaps the Responses API instructions and system prompts given as text parts too', async () => {
    const before = h.fake.requests.length;
    const { response } = await client.responses
      .create({ model: 'gpt-4o-mini', instructions: system('Jo', '2027-04-01'), input: 'my invoice is wrong' }, { headers: { 'x-fixpoint-component': 'router' } })
      .withResponse();
    expect(response.headers.get('x-fixpoint-prompt-version')).toBe('1');
    const sent = h.fake.requests.slice(before).find((r) => r.path === '/v1/responses')!.body as { model: string; instructions: string; input: unknown };
    expect(sent).toMatchObject({ model: 'gpt-4o', instructions: 'Route tickets for Acme. Customer: Jo. Date: 2027-04-01. Reply with exactly one of: billing, technical, account.', input: 'my invoice is wrong' });

    const parts = await client.chat.completions
      .create(
        { model: 'gpt-4o-mini', messages: [{ role: 'system', content: [{ type: 'text', text: system('Kim', '2027-04-02') }] }, { role: 'user', content: 'my invoice is wrong' }] },
        { headers: { 'x-fixpoint-component': 'router' } },
      )
      .withResponse();
    expect(parts.response.headers.get('x-fixpoint-prompt-version')).toBe('1');
    const chatSent = h.fake.requests.at(-1)!.body as { messages: { content: unknown }[] };
    expect(chatSent.messages[0]?.content).toBe('Route tickets for Acme. Customer: Kim. Date: 2027-04-02. Reply with exactly one of: billing, technical, account.');
  });

  it('puts a canary on its share of sessions, sticky per session, and rolls back by hand to the previous state', async () => {
    const v2 = (await (await post('/api/components/router/prompts', { template: v2Text })).json()) as { id: string; version: number };
    expect((await post(`/api/prompts/${v2.id}/canary`, { share: 0.5 })).status).toBe(200);
    // One conversation never flips between prompts.
    for (const session of ['s-a', 's-b', 's-c', 's-d']) {
      const seen = new Set<string | null>();
      for (let i = 0; i < 4; i++) seen.add((await send(system('Fay', '2027-02-02'), { 'x-fixpoint-session': session })).version);
      expect(seen.size).toBe(1);
    }
    const arms = new Set<string | null>();
    for (let i = 0; i < 40; i++) arms.add((await send(system('Gus', '2027-02-03'), { 'x-fixpoint-session': `spread-${i}` })).version);
    expect(arms).toEqual(new Set(['1', '2']));

    expect((await post(`/api/prompts/${v2.id}/rollback`, { reason: 'worse on billing' })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await send(system('Hal', '2027-02-04'), { 'x-fixpoint-session': `after-${i}` })).version).toBe('1');

    const view = (await (await h.admin('/api/components/router/prompts')).json()) as { versions: { version: number; status: string }[]; active_version_id: string | null; canary_version_id: string | null; audit: { action: string }[] };
    const v1 = view.versions.find((v) => v.version === 1)!;
    expect(v1.status).toBe('active');
    expect(view.versions.find((v) => v.version === 2)?.status).toBe('rolled_back');
    expect(view.canary_version_id).toBeNull();

    // Rolling back the active version returns to the agent's own prompt.
    const activeId = view.active_version_id!;
    expect((await post(`/api/prompts/${activeId}/rollback`)).status).toBe(200);
    expect((await send(system('Ida', '2027-02-05'))).version).toBeNull();
    const audit = ((await (await h.admin('/api/components/router/prompts')).json()) as { audit: { action: string }[] }).audit.map((a) => a.action);
    expect(audit).toEqual(['observed', 'created', 'promoted', 'created', 'canary', 'rolled_back', 'rolled_back']);
  });

  it('refuses pointer moves that make no sense, naming the field', async () => {
    const view = (await (await h.admin('/api/components/router/prompts')).json()) as { versions: { id: string; version: number }[] };
    const v0 = view.versions.find((v) => v.version === 0)!;
    const res = await post(`/api/prompts/${v0.id}/activate`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe('id');
    expect((await post('/api/prompts/0190a0a0-0000-7000-8000-000000000000/activate')).status).toBe(404);
    expect((await post('/api/prompts/not-an-id/activate')).status).toBe(400);
    const share = await post(`/api/prompts/${view.versions[1]!.id}/canary`, { share: 2 });
    expect(((await share.json()) as { error: { param: string } }).error.param).toBe('share');
  });
});

describe.skipIf(!process.env['REDIS_URL'])('prompt hot-swap across gateways', () => {
  it('a swap made through one gateway shows on another sharing Postgres and Redis, by pub/sub (the periodic reload is a minute)', async () => {
    const env = { FIXPOINT_PROMPT_RELOAD_MS: '60000' };
    const a = await startHarness(env, { jobPrefix: 'fpt-swap-shared' });
    const b = await startHarness(env, { db: a.db, fake: a.fake, jobPrefix: 'fpt-swap-shared' });
    try {
      const ca = new OpenAI({ baseURL: `${a.gateway.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
      const cb = new OpenAI({ baseURL: `${b.gateway.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
      const call = async (c: OpenAI, name: string, date = '2027-03-01') =>
        (
          await c.chat.completions
            .create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: system(name, date) }, { role: 'user', content: 'hi' }] }, { headers: { 'x-fixpoint-component': 'shared' } })
            .withResponse()
        ).response.headers.get('x-fixpoint-prompt-version');
      for (const [n, d] of [['Ann', '2027-03-01'], ['Ben', '2027-03-02'], ['Cid', '2027-03-03']] as const) await call(ca, n, d);
      await a.gateway.deps.recorder.flush();
      const admin = (path: string, body: unknown = {}) =>
        fetch(`${a.gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const created = await admin('/api/components/shared/prompts', { template: v1Text });
      expect(created.status).toBe(201);
      const v = (await created.json()) as { id: string };
      expect(await call(cb, 'Dee')).toBeNull();
      expect((await admin(`/api/prompts/${v.id}/activate`)).status).toBe(200);
      await eventually(async () => expect(await call(cb, 'Eli')).toBe('1'), 3000);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
