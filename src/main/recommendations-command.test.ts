import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { runRecommendationsCommand } from './recommendations-command.ts';
import type { RecommendationDetail, RecommendationItem } from './recommendations-view.ts';

const token = 'admin-token-0123456789';
const openId = '7f1c2a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b';
const trainingId = '2b8d0c11-aaaa-4bbb-8ccc-0123456789ab';

function item(over: Partial<RecommendationItem>): RecommendationItem {
  return {
    id: openId,
    component: 'support-bot',
    status: 'open',
    patterns: [{ id: 'pat-1', title: 'Quotes the old refund policy', kind: 'wrong_answer', diagnosis: 'knowledge', remedy: 'finetune', reasons: ['finetune_remedy'], failures24h: 120, failure_rate: 0.042 }],
    examples: { trusted: 64, by_source: { correction: 40, later_prompt: 20, teacher: 4 }, missing: 0 },
    base_model: 'gpt-4o-mini',
    backend: 'openai',
    arithmetic: { failures_per_day: 150, cost_per_failure_usd: 0.05, failure_cost_per_day_usd: 7.5, estimated_training_tokens: 400_000, estimated_training_cost_usd: 3.2, serving_cost_per_day_usd: 0, payback_days: 0.43 },
    approved_by: null,
    dataset_id: null,
    training_job_id: null,
    tuned_model: null,
    evaluation: null,
    version_id: null,
    error: null,
    created_at: '2026-12-01T10:00:00.000Z',
    updated_at: '2026-12-01T11:00:00.000Z',
    ...over,
  };
}

/** A stand-in for the admin API's /api/recommendations (shapes only; the real one lives in ingress). */
function stubApi(): { app: Hono; requests: { method: string; path: string; body: unknown; auth: string | undefined }[]; rows: Map<string, RecommendationItem> } {
  const rows = new Map<string, RecommendationItem>();
  const requests: { method: string; path: string; body: unknown; auth: string | undefined }[] = [];
  const app = new Hono();
  const notFound = { error: { message: 'recommendation not found', type: 'not_found_error', param: 'id', code: 'not_found' } };
  app.use(async (c, next) => {
    const body = c.req.method === 'POST' ? await c.req.json().catch(() => 'not json') : undefined;
    requests.push({ method: c.req.method, path: c.req.path + (c.req.url.includes('?') ? `?${c.req.url.split('?')[1]}` : ''), body, auth: c.req.header('authorization') });
    await next();
  });
  app.get('/api/recommendations', (c) => {
    const { status, component } = c.req.query();
    const data = [...rows.values()].filter((r) => (!status || r.status === status) && (!component || r.component === component));
    return c.json({ data, next_cursor: c.req.query('limit') === '1' ? 'cur-1' : null });
  });
  app.get('/api/recommendations/:id', (c) => {
    const r = rows.get(c.req.param('id'));
    if (!r) return c.json(notFound, 404);
    const detail: RecommendationDetail = {
      ...r,
      events: [{ id: 'e1', recommendation_id: r.id, at: '2026-12-01T10:00:00.000Z', type: 'status', from_status: null, to_status: r.status === 'open' ? 'open' : 'approved', actor: 'retrain', detail: {} }],
      training_job:
        r.status === 'training'
          ? {
              id: 'job-1', recommendation_id: r.id, dataset_id: 'ds-1', backend: 'openai', external_id: 'ftjob-abc', status: 'running', base_model: 'gpt-4o-mini', tuned_model: null, hyperparameters: {},
              events: [{ id: 'ev1', at: '2026-11-30T00:53:20.000Z', level: 'info', message: 'Step 40/100: training loss=0.31' }],
              checkpoints: [{ id: 'cp1', step: 40, metrics: { train_loss: 0.31, valid_loss: null }, model: null }],
              error: null, trained_tokens: 120_000, polls: 3, created_at: '2026-12-01T11:00:00.000Z', started_at: '2026-12-01T11:01:00.000Z', finished_at: null, polled_at: null, cost_usd: null,
            }
          : null,
      dataset: r.dataset_id ? { id: r.dataset_id, sha256: 'ab'.repeat(32), files: { 'train.jsonl': { rows: 900, bytes: 123_456, sha256: 'cd'.repeat(32) }, 'gate.jsonl': { rows: 200, bytes: 30_000, sha256: 'ef'.repeat(32) } }, counts: {}, created_at: '2026-12-01T11:00:00.000Z' } : null,
    };
    return c.json(detail);
  });
  app.post('/api/recommendations/:id/:action', async (c) => {
    const r = rows.get(c.req.param('id'));
    if (!r) return c.json(notFound, 404);
    const action = c.req.param('action');
    if (action === 'approve' && r.status !== 'open') {
      return c.json({ error: { message: `recommendation is ${r.status}; only an open one can be approved`, type: 'invalid_request_error', param: null, code: 'conflict' } }, 409);
    }
    const status = action === 'approve' ? 'approved' : 'dismissed';
    const reason = ((await c.req.json().catch(() => ({}))) as { reason?: string }).reason ?? null;
    const updated = { ...r, status, approved_by: action === 'approve' ? 'admin' : null, error: action === 'dismiss' ? reason : action === 'cancel' ? 'cancelled' : null };
    rows.set(r.id, updated);
    return c.json(updated);
  });
  return { app, requests, rows };
}

let server: Server;
let url: string;
let stub: ReturnType<typeof stubApi>;
const config = loadConfig({ FIXPOINT_ADMIN_TOKEN: token });

beforeAll(async () => {
  server = createServer((req, res) => getRequestListener(stub.app.fetch)(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  stub = stubApi();
  stub.rows.set(openId, item({}));
  stub.rows.set(trainingId, item({ id: trainingId, component: 'billing', status: 'training', approved_by: 'policy', dataset_id: 'ds-1', training_job_id: 'job-1', arithmetic: { ...item({}).arithmetic, payback_days: null }, updated_at: '2026-12-02T09:30:00.000Z' }));
});

async function run(...argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await runRecommendationsCommand([...argv, '--url', url], config, (s) => lines.push(s), (s) => lines.push(`stderr: ${s}`));
  return { code, text: lines.join('\n') };
}

describe('fixpoint recommendations', () => {
  it('lists a table with the admin token, newest first, filters passed on', async () => {
    const { code, text } = await run();
    expect(code).toBe(0);
    const [header, first, second] = text.split('\n');
    expect(header).toMatch(/^ID\s+COMPONENT\s+STATUS\s+PATTERNS\s+TRUSTED\s+FAILURES\/DAY\s+EST\. COST\s+PAYBACK\s+UPDATED/);
    expect(first).toMatch(/^2b8d0c11\s+billing\s+training\s+1\s+64\s+150\.0\s+\$3\.20\s+never\s+2026-12-02 09:30/);
    expect(second).toMatch(/^7f1c2a9e\s+support-bot\s+open\s+1\s+64\s+150\.0\s+\$3\.20\s+0\.4 d\s+2026-12-01 11:00/);
    expect(stub.requests[0]).toMatchObject({ method: 'GET', path: '/api/recommendations', auth: `Bearer ${token}` });

    const filtered = await run('--status', 'open', '--component', 'support-bot', '--json');
    expect(filtered.code).toBe(0);
    expect((JSON.parse(filtered.text) as { data: unknown[] }).data).toHaveLength(1);
    expect(stub.requests.at(-1)?.path).toBe('/api/recommendations?status=open&component=support-bot');
  });

  it('prints the next page cursor', async () => {
    const { text } = await run('--limit', '1');
    expect(text).toContain('more: fixpoint recommendations --cursor cur-1');
  });

  it('shows one in full by a short id: arithmetic, patterns, examples, dataset, training progress, events', async () => {
    const { code, text } = await run('show', '2b8d0c11');
    expect(code).toBe(0);
    expect(text).toContain(`Fine-tuning recommendation ${trainingId}`);
    expect(text).toContain('component billing · status training · base model gpt-4o-mini (openai) · approved by policy');
    expect(text).toMatch(/failures\/day\s+150\.0 × \$0\.05 per failure = \$7\.50\/day/);
    expect(text).toMatch(/training\s+400,000 tokens ≈ \$3\.20/);
    expect(text).toMatch(/payback\s+never at these numbers/);
    expect(text).toContain('pat-1  knowledge  4.2% of calls  120 in 24 h  Quotes the old refund policy  (finetune_remedy)');
    expect(text).toContain('trusted examples: 64 (correction 40, later_prompt 20, teacher 4)');
    expect(text).toMatch(/train\.jsonl\s+900 rows/);
    expect(text).toContain('training job job-1: running (openai ftjob-abc)');
    expect(text).toContain('checkpoint step 40: train_loss 0.3100, valid_loss - (1 in all)');
    expect(text).toContain('Step 40/100: training loss=0.31');
    expect(text).toContain('status   - → approved  (retrain)');
    expect(text).toContain(`next: under way; stop it with: fixpoint recommendations cancel ${trainingId}`);
    expect(stub.requests.map((r) => r.path)).toEqual(['/api/recommendations?limit=100', `/api/recommendations/${trainingId}`]);
  });

  it('a full id shows without a lookup, also without the word show', async () => {
    const { code, text } = await run(openId);
    expect(code).toBe(0);
    expect(text).toContain(`next: approve: fixpoint recommendations approve ${openId}`);
    expect(stub.requests.map((r) => r.path)).toEqual([`/api/recommendations/${openId}`]);
  });

  it('approves, dismisses with a reason, cancels', async () => {
    const approved = await run('approve', openId);
    expect(approved).toEqual({ code: 0, text: `recommendation ${openId} (support-bot) approved: status approved; see fixpoint recommendations show 7f1c2a9e` });
    expect(stub.requests.at(-1)).toMatchObject({ method: 'POST', path: `/api/recommendations/${openId}/approve`, body: {}, auth: `Bearer ${token}` });

    const dismissed = await run('dismiss', openId, '--reason', 'not worth it this quarter');
    expect(dismissed.code).toBe(0);
    expect(stub.requests.at(-1)).toMatchObject({ method: 'POST', path: `/api/recommendations/${openId}/dismiss`, body: { reason: 'not worth it this quarter' } });
    expect(stub.rows.get(openId)?.error).toBe('not worth it this quarter');

    const cancelled = await run('cancel', '2b8d', '--json');
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.text)).toMatchObject({ id: trainingId, status: 'dismissed' });
    expect(stub.requests.at(-1)).toMatchObject({ method: 'POST', path: `/api/recommendations/${trainingId}/cancel` });
  });

  it("prints the API's error message to stderr and exits 1", async () => {
    expect(await run('approve', trainingId)).toEqual({ code: 1, text: 'stderr: fixpoint recommendations: 409 recommendation is training; only an open one can be approved' });
    expect(await run('show', '00000000-0000-4000-8000-000000000000')).toEqual({ code: 1, text: 'stderr: fixpoint recommendations: 404 recommendation not found' });
    expect(await run('show', 'ffff')).toEqual({ code: 1, text: 'stderr: fixpoint recommendations: no recommendation with id ffff' });
  });

  it('explains usage mistakes with exit 2, and --help with 0', async () => {
    expect((await run('approve')).code).toBe(2);
    expect((await run('frobnicate')).text).toContain('stderr: fixpoint recommendations: unknown subcommand frobnicate');
    expect((await run('dismiss', openId, 'because')).text).toContain('quote the reason');
    expect((await run('--bogus')).code).toBe(2);
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.text).toContain('fixpoint recommendations approve <id>');
    expect(stub.requests).toHaveLength(0);
  });

  it('says so when the gateway cannot be reached', async () => {
    const lines: string[] = [];
    const code = await runRecommendationsCommand(['--url', 'http://127.0.0.1:1'], config, (s) => lines.push(s), (s) => lines.push(s));
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain('could not reach the gateway at http://127.0.0.1:1');
  });
});
