import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecommendationRow } from '../db/index.ts';
import { createJobSystem, type JobSystem } from '../jobs/index.ts';
import { deliverWebhook, recommendationMessage, signWebhook, verifySignature, WebhookDeliveryError, webhookEventOf } from './webhook.ts';

const secret = 'whsec-0123456789abcdef';

function recommendation(over: Partial<RecommendationRow> = {}): RecommendationRow {
  return {
    id: '7f1c2a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b',
    component: 'support-bot',
    status: 'open',
    patterns: [
      { id: 'p1', title: 'Quotes the old <refund> policy', kind: 'wrong_answer', diagnosis: 'knowledge', remedy: 'finetune', reasons: ['finetune_remedy'], failures24h: 120, failureRate: 0.042 },
      { id: 'p2', title: 'Invents SKU numbers', kind: 'hallucination', diagnosis: 'knowledge', remedy: 'finetune', reasons: ['prompt_could_not_fix'], failures24h: 30, failureRate: 0.011 },
    ],
    examples: { trusted: 64, bySource: { correction: 40, later_prompt: 20, teacher: 4 }, missing: 0 },
    baseModel: 'gpt-4o-mini',
    backend: 'openai',
    arithmetic: {
      failuresPerDay: 150,
      costPerFailureUsd: 0.05,
      failureCostPerDayUsd: 7.5,
      estimatedTrainingTokens: 400_000,
      estimatedTrainingCostUsd: 3.2,
      servingCostPerDayUsd: 0,
      paybackDays: 0.43,
    },
    approvedBy: null,
    datasetId: null,
    trainingJobId: null,
    tunedModel: null,
    evaluation: null,
    versionId: null,
    error: null,
    createdAt: new Date('2026-12-01T10:00:00Z'),
    updatedAt: new Date('2026-12-01T11:00:00Z'),
    ...over,
  };
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 answering each request with the next of `statuses` (the last repeats); `hangMs` delays every answer. */
async function receiver(statuses: number[], hangMs = 0): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses[Math.min(got.length - 1, statuses.length - 1)] ?? 200;
      setTimeout(() => res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no'), hangMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/token-in-path`, got, server };
}

let servers: Server[] = [];
let systems: JobSystem[] = [];
afterEach(async () => {
  await Promise.all(systems.map((s) => s.close(1000)));
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  servers = [];
  systems = [];
});

const event = { type: 'recommendation.status', from: 'needs_examples' as const, to: 'open' as const, at: new Date('2026-12-01T11:00:00Z') };

describe('recommendationMessage', () => {
  it('tells the change, the patterns, the examples and the arithmetic in one paragraph, with the link', () => {
    const body = recommendationMessage(recommendation(), event);
    expect(body.text).not.toContain('\n');
    expect(body.text).toContain('support-bot');
    expect(body.text).toContain('needs_examples → open');
    expect(body.text).toContain('"Quotes the old &lt;refund&gt; policy" (knowledge, 4.2% of calls, 120 failures in 24 h)');
    expect(body.text).toContain('Trusted examples: 64 (40 corrections, 20 later prompts, 4 teacher)');
    expect(body.text).toContain('150 failures/day × $0.05 = $7.50/day, against an estimated $3.20 to train (400,000 tokens) plus $0.00/day to serve: pays back in 0.4 days');
    expect(body.text).toContain('Details: /api/recommendations/7f1c2a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b');
    expect(body.recommendation).toMatchObject({ id: '7f1c2a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b', component: 'support-bot', createdAt: '2026-12-01T10:00:00.000Z' });
    expect(body.event).toEqual({ type: 'recommendation.status', from: 'needs_examples', to: 'open', at: '2026-12-01T11:00:00.000Z' });
  });

  it('says what is missing, when it never pays back, and why it ended; links absolutely with a base URL', () => {
    const rec = recommendation({
      status: 'needs_examples',
      examples: { trusted: 10, bySource: { correction: 10, later_prompt: 0, teacher: 0 }, missing: 40 },
      arithmetic: { ...recommendation().arithmetic, paybackDays: null },
    });
    const text = recommendationMessage(rec, webhookEventOf({ type: 'created', fromStatus: null, toStatus: 'needs_examples', at: new Date() }), { baseUrl: 'https://fixpoint.example/' }).text;
    expect(text).toContain('new, needs_examples');
    expect(text).toContain('40 more needed');
    expect(text).toContain('does not pay back');
    expect(text).toContain('Details: https://fixpoint.example/api/recommendations/');
    const failed = recommendationMessage(recommendation({ status: 'failed', error: 'training_file invalid' }), { type: 'recommendation.status', from: 'training', to: 'failed', at: new Date() });
    expect(failed.text).toContain('training → failed');
    expect(failed.text).toContain('Reason: training_file invalid.');
  });
});

describe('deliverWebhook', () => {
  it('posts signed JSON a receiver can verify', async () => {
    const r = await receiver([200]);
    const body = recommendationMessage(recommendation(), event);
    const res = await deliverWebhook({ url: r.url, secret, timeoutMs: 2000 }, body);
    expect(res).toEqual({ status: 200, outcome: 'delivered' });
    const got = r.got[0];
    expect(got).toBeDefined();
    if (!got) return;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-fixpoint-event']).toBe('recommendation.status');
    const ts = got.headers['x-fixpoint-timestamp'] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    const sig = got.headers['x-fixpoint-signature'] as string;
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(secret, ts, got.body, sig, { toleranceSeconds: 300 })).toBe(true);
    expect(verifySignature(secret, ts, got.body.replace('support-bot', 'other-bot'), sig)).toBe(false);
    expect(verifySignature('another-secret-0123', ts, got.body, sig)).toBe(false);
    expect(verifySignature(secret, String(Number(ts) + 1), got.body, sig)).toBe(false);
    expect(verifySignature(secret, ts, got.body, undefined)).toBe(false);
    expect(verifySignature(secret, ts, got.body, 'sha256=00')).toBe(false);
    expect(verifySignature(secret, 1000, got.body, signWebhook(secret, 1000, got.body), { toleranceSeconds: 300 })).toBe(false);
    const parsed = JSON.parse(got.body) as { text: string; recommendation: { id: string }; event: { to: string } };
    expect(parsed.text).toContain('Fine-tuning recommendation for support-bot');
    expect(parsed.recommendation.id).toBe(recommendation().id);
    expect(parsed.event.to).toBe('open');
  });

  it('sends no signature without a secret', async () => {
    const r = await receiver([204]);
    await deliverWebhook({ url: r.url, timeoutMs: 2000 }, recommendationMessage(recommendation(), event));
    expect(r.got[0]?.headers['x-fixpoint-signature']).toBeUndefined();
  });

  it('a 500 then a 200: the job system retries the delivery', async () => {
    const r = await receiver([500, 200]);
    const jobs = createJobSystem({ logger: pino({ level: 'silent' }) });
    systems.push(jobs);
    const outcomes: string[] = [];
    jobs.handle('retrain.notify', async (_payload, ctx) => {
      try {
        await deliverWebhook({ url: r.url, secret, timeoutMs: 2000 }, recommendationMessage(recommendation(), event), fetch, { signal: ctx.signal });
        outcomes.push('delivered');
      } catch (err) {
        outcomes.push(`${(err as WebhookDeliveryError).outcome} ${(err as Error).message}`);
        throw err;
      }
    });
    await jobs.start();
    await jobs.enqueue('retrain.notify', { recommendationId: randomUUID(), eventId: randomUUID() }, { attempts: 3, backoffMs: 10 });
    const until = Date.now() + 10_000;
    while (!outcomes.includes('delivered') && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]).toMatch(/^server_error webhook to 127\.0\.0\.1:\d+ answered 500: no$/);
    expect(outcomes[1]).toBe('delivered');
    expect(r.got).toHaveLength(2);
  });

  it('throws with the status but neither the secret nor the URL path; 4xx other than 408/429 is not retryable', async () => {
    for (const [status, retryable] of [[400, false], [404, false], [408, true], [429, true], [503, true]] as const) {
      const r = await receiver([status]);
      const err = await deliverWebhook({ url: r.url, secret, timeoutMs: 2000 }, recommendationMessage(recommendation(), event)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WebhookDeliveryError);
      expect(err).toMatchObject({ status, retryable });
      const message = (err as Error).message;
      expect(message).toContain(String(status));
      expect(message).not.toContain(secret);
      expect(message).not.toContain('token-in-path');
    }
  });

  it('times out a receiver that does not answer', async () => {
    const r = await receiver([200], 5000);
    const err = await deliverWebhook({ url: r.url, secret, timeoutMs: 100 }, recommendationMessage(recommendation(), event)).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'WebhookDeliveryError', outcome: 'timeout', status: 0, retryable: true });
    expect((err as Error).message).toContain('no answer within 100 ms');
  });

  it('reports a refused connection as a retryable network error', async () => {
    const r = await receiver([200]);
    const url = r.url;
    await new Promise((resolve) => r.server.close(resolve));
    servers = servers.filter((s) => s !== r.server);
    const err = await deliverWebhook({ url, secret, timeoutMs: 2000 }, recommendationMessage(recommendation(), event)).catch((e: unknown) => e);
    expect(err).toMatchObject({ outcome: 'network_error', status: 0, retryable: true });
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect((err as Error).message).not.toContain(secret);
  });
});
