import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, ADMIN_TOKEN, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';

/**
 * The canary monitor on live traffic: the fake follows "Reply with exactly one of: …" wording
 * (testkit/fake-upstream/compliance.ts), so a version that says so fixes a label rule the agent's own
 * prompt breaks; the monitor promotes it by itself, then rolls back a worse one by itself.
 */
const yaml = `
components:
  router:
    rules:
      - { id: label, type: labels, labels: [billing, technical, account] }
hotswap:
  canary: { minCalls: 10 }
`;

let h: Harness;
let client: OpenAI;
let n = 0;

const system = (name: string, date: string) => `You route tickets for Acme. The customer is ${name}. Today is ${date}. Answer with one label.`;

async function send(): Promise<string | null> {
  n++;
  const { response } = await client.chat.completions
    .create(
      { model: 'gpt-4o-mini', messages: [{ role: 'system', content: system(`Customer ${n}`, `2027-01-${String((n % 28) + 1).padStart(2, '0')}`) }, { role: 'user', content: 'my invoice is wrong' }] },
      { headers: { 'x-fixpoint-component': 'router', 'x-fixpoint-session': `session-${n}` } },
    )
    .withResponse();
  return response.headers.get('x-fixpoint-prompt-version');
}

async function post(path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${h.gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

type View = { active_version_id: string | null; canary_version_id: string | null; versions: { id: string; version: number; status: string }[]; audit: { action: string; actor: string; detail: { reason?: string } }[] };
const view = async (): Promise<View> => (await (await h.admin('/api/components/router/prompts')).json()) as View;

beforeAll(async () => {
  h = await startHarness({ FIXPOINT_DETECT_SWEEP_MS: '300', FIXPOINT_CANARY_CHECK_MS: '300' }, { yaml, worker: true });
  client = clientFor(h);
  for (let i = 0; i < 3; i++) await send();
  await h.gateway.deps.recorder.flush();
});
afterAll(async () => h?.close());

describe('canary monitor', () => {
  it('promotes a canary that fixes the failure rate, then rolls back a worse one, by itself', { timeout: 120_000 }, async () => {
    const v1 = (await (await post('/api/components/router/prompts', { template: 'Route tickets for Acme. Customer: {{slot1}}. Date: {{slot2}}. Reply with exactly one of: billing, technical, account.' })).json()) as { id: string };
    expect((await post(`/api/prompts/${v1.id}/canary`, { share: 0.5 })).status).toBe(200);
    await eventually(async () => {
      for (let i = 0; i < 10; i++) await send();
      const v = await view();
      expect(v.active_version_id).toBe(v1.id);
      expect(v.canary_version_id).toBeNull();
    }, 60_000);
    const promoted = (await view()).audit.find((a) => a.action === 'promoted');
    expect(promoted?.actor).toBe('canary-monitor');
    for (let i = 0; i < 5; i++) expect(await send()).toBe('1');

    const v2 = (await (await post('/api/components/router/prompts', { template: 'Acme router. Customer {{slot1}} on {{slot2}}. Pick a fitting category.' })).json()) as { id: string };
    expect((await post(`/api/prompts/${v2.id}/canary`, { share: 0.5 })).status).toBe(200);
    await eventually(async () => {
      for (let i = 0; i < 10; i++) await send();
      const v = await view();
      expect(v.versions.find((x) => x.id === v2.id)?.status).toBe('rolled_back');
    }, 60_000);
    const v = await view();
    expect(v.active_version_id).toBe(v1.id);
    const rolled = v.audit.filter((a) => a.action === 'rolled_back').at(-1);
    expect(rolled?.actor).toBe('canary-monitor');
    expect(rolled?.detail.reason).toMatch(/failure rate worse/);
    const metrics = await h.jobMetrics();
    expect(metrics).toMatch(/fixpoint_canary_decisions_total\{component="router",decision="promote"\} 1/);
    expect(metrics).toMatch(/fixpoint_canary_decisions_total\{component="router",decision="rollback"\} 1/);
  });
});
