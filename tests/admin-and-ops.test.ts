import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { ADMIN_TOKEN, clientFor, startHarness, type Harness } from './support/gateway.ts';

const run = promisify(execFile);
let h: Harness;
let client: OpenAI;
const ids: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  client = clientFor(h);
  for (let i = 0; i < 5; i++) {
    const { response } = await client.chat.completions
      .create({ model: i < 3 ? 'gpt-4o-mini' : 'gpt-4.1-nano', messages: [{ role: 'user', content: i === 4 ? 'x [[error:500]]' : `q${i}` }] }, { headers: { 'x-fixpoint-component': i % 2 ? 'odd' : 'even' } })
      .withResponse()
      .catch((e: { headers: Headers }) => ({ response: e }));
    ids.push(response.headers.get('x-fixpoint-call-id')!);
  }
  await h.gateway.deps.recorder.flush();
});
afterAll(async () => h?.close());

type Page = { data: { id: string; component: string; status: string; requested_model: string }[]; next_cursor: string | null };

describe('admin API', () => {
  it('requires the admin token when one is configured', async () => {
    expect((await fetch(`${h.gateway.url}/api/calls`)).status).toBe(401);
    expect((await fetch(`${h.gateway.url}/api/calls`, { headers: { authorization: 'Bearer wrong-token-0000000000' } })).status).toBe(401);
    expect((await h.admin('/api/calls')).status).toBe(200);
  });

  it('lists calls newest first with filters and cursor paging', async () => {
    const all = (await (await h.admin('/api/calls?limit=500')).json()) as Page;
    expect(all.data.map((c) => c.id)).toEqual([...ids].reverse());
    const odd = (await (await h.admin('/api/calls?component=odd')).json()) as Page;
    expect(odd.data.map((c) => c.id).sort()).toEqual([ids[1], ids[3]].sort());
    const failed = (await (await h.admin('/api/calls?status=upstream_error')).json()) as Page;
    expect(failed.data.map((c) => c.id)).toEqual([ids[4]]);
    const nano = (await (await h.admin('/api/calls?model=gpt-4.1-nano')).json()) as Page;
    expect(nano.data).toHaveLength(2);
    const future = (await (await h.admin(`/api/calls?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json()) as Page;
    expect(future.data).toHaveLength(0);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await h.admin(`/api/calls?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as Page;
      seen.push(...page.data.map((c) => c.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('answers bad queries with 400 naming the field, unknown ids with 404', async () => {
    const bad = await h.admin('/api/calls?limit=0');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('limit');
    const badStatus = await h.admin('/api/calls?status=great');
    expect(((await badStatus.json()) as { error: { param: string } }).error.param).toBe('status');
    expect((await h.admin('/api/calls/00000000-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await h.admin('/api/calls/not-a-uuid')).status).toBe(400);
    const one = (await (await h.admin(`/api/calls/${ids[0]}`)).json()) as { id: string; response_body: unknown; started_at: string };
    expect(one.id).toBe(ids[0]);
    expect(one.response_body).toBeTruthy();
    expect(one.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('answers an unknown filter or body field with 400 invalid_request naming it, on every route', async () => {
    type ErrorBody = { error: { param: string | null; code: string; message: string } };
    const misspelt = await h.admin('/api/calls?compnent=odd');
    expect(misspelt.status).toBe(400);
    const body = (await misspelt.json()) as ErrorBody;
    expect(body.error).toMatchObject({ param: 'compnent', code: 'invalid_request' });
    expect(body.error.message).toContain('compnent');
    for (const path of [
      '/api/failures?componentName=odd',
      '/api/patterns?sortBy=failures',
      '/api/optimizations?patternId=x',
      '/api/recommendations?state=open',
      '/api/components?verbose=1',
      `/api/calls/${ids[0]}?expand=all`,
      '/api/components/odd/prompts?all=1',
      '/api/openapi.json?format=yaml',
    ]) {
      const res = await h.admin(path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as ErrorBody).error.param, path).toBe(path.slice(path.indexOf('?') + 1, path.indexOf('=')));
    }
    // camelCase spellings of snake_case parameters are unknown too
    expect(((await (await h.admin('/api/failures?callId=x')).json()) as ErrorBody).error.param).toBe('callId');
    const post = (path: string, payload: unknown) =>
      fetch(`${h.gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    const unknownField = await post('/api/components/odd/prompts', { template: 'x', fewShot: [] });
    expect(unknownField.status).toBe(400);
    expect(((await unknownField.json()) as ErrorBody).error).toMatchObject({ param: 'fewShot', code: 'invalid_request' });
    const canary = await post('/api/prompts/0190a0a0-0000-7000-8000-000000000000/canary', { shares: 0.5 });
    expect(((await canary.json()) as ErrorBody).error.param).toBe('shares');
    const optimize = await post('/api/patterns/0190a0a0-0000-7000-8000-000000000000/optimize', { budget: 10 });
    expect(optimize.status).toBe(400);
    expect(((await optimize.json()) as ErrorBody).error.param).toBe('budget');
  });
});

describe('operations surface', () => {
  it('/metrics exposes the gateway metrics with bounded labels', async () => {
    const text = await (await fetch(`${h.gateway.url}/metrics`)).text();
    for (const name of [
      'fixpoint_requests_total',
      'fixpoint_request_duration_seconds_bucket',
      'fixpoint_upstream_duration_seconds_bucket',
      'fixpoint_gateway_overhead_seconds_bucket',
      'fixpoint_time_to_first_token_seconds',
      'fixpoint_tokens_total',
      'fixpoint_cost_usd_total',
      'fixpoint_record_queue_depth',
      'fixpoint_record_batch_size_bucket',
      'fixpoint_records_written_total',
      'fixpoint_records_spooled_total',
      'fixpoint_records_replayed_total',
      'fixpoint_records_dropped_total',
      'fixpoint_inflight_requests',
      // a metric only the gateway's thread has, merged with the recorder thread's (once dropped)
      'fixpoint_process_start_time_seconds',
    ]) {
      expect(text, name).toContain(name);
    }
    expect(text).toMatch(/fixpoint_requests_total\{route="chat.completions",provider="openai",model="gpt-4o-mini",component="even",status="success"\} \d/);
    expect(text).toMatch(/fixpoint_tokens_total\{[^}]*direction="input"\} \d/);
  });

  it('/healthz and /readyz answer', async () => {
    expect((await fetch(`${h.gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${h.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'up', recording: true });
  });

  it('the CLI prints help, and refuses a bad config naming the field', async () => {
    const cli = ['--import', 'tsx', 'src/main/cli.ts'];
    const help = await run('node', [...cli, '--help']);
    expect(help.stdout).toMatch(/Usage: fixpoint <command>/);
    expect(help.stdout).toMatch(/serve\s+start the gateway/);
    expect(help.stdout).toMatch(/worker/);
    const bad = await run('node', [...cli, 'serve'], { env: { ...process.env, PORT: 'eighty' } }).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr).toMatch(/configuration error: environment PORT/);
  });
});
