import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, ADMIN_TOKEN, startHarness, type Harness } from './support/gateway.ts';

/** Prompt versions of a component (issue 5's first part): version 0 is the template its agent sends. */
let h: Harness;
let client: OpenAI;

const post = (path: string, body: unknown) =>
  fetch(`${h.gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

interface Version {
  id: string;
  version: number;
  template: string;
  slots: string[];
  status: string;
  model: string | null;
  origin: { source: string };
}

beforeAll(async () => {
  h = await startHarness();
  client = clientFor(h);
  for (const [name, date] of [['Alice Smith', '2026-11-02'], ['Bob', '2026-11-03'], ['Carol de la Cruz', '2026-12-24'], ['Bob', '2026-11-03']]) {
    await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'system', content: `You route tickets for Acme. The customer is ${name}. Today is ${date}. Answer with one label.` }, { role: 'user', content: 'my invoice is wrong' }] },
      { headers: { 'x-fixpoint-component': 'router' } },
    );
  }
  await h.gateway.deps.recorder.flush();
});
afterAll(async () => h?.close());

describe('prompt versions', () => {
  it('infers version 0 from the prompts the component sent: fixed text and slots', async () => {
    const res = await h.admin('/api/components/router/prompts');
    expect(res.status).toBe(200);
    const view = (await res.json()) as { versions: Version[]; active_version_id: string | null; audit: { action: string }[] };
    expect(view.versions).toHaveLength(1);
    expect(view.versions[0]).toMatchObject({
      version: 0,
      status: 'observed',
      template: 'You route tickets for Acme. The customer is {{slot1}}. Today is {{slot2}}. Answer with one label.',
      slots: ['slot1', 'slot2'],
      origin: { source: 'observed' },
    });
    expect(view.active_version_id).toBeNull();
    expect(view.audit.map((a) => a.action)).toEqual(['observed']);
  });

  it('adds a candidate version that keeps the slots, and refuses one that drops or invents a slot, naming the field', async () => {
    const dropped = await post('/api/components/router/prompts', { template: 'You route tickets for {{slot1}}. Reply with billing, technical or account.' });
    expect(dropped.status).toBe(400);
    const err = ((await dropped.json()) as { error: { param: string; message: string } }).error;
    expect(err.param).toBe('template');
    expect(err.message).toContain('missing {{slot2}}');
    const invented = await post('/api/components/router/prompts', { template: '{{slot1}} {{slot2}} {{tone}}' });
    expect(((await invented.json()) as { error: { message: string } }).error.message).toContain('unknown {{tone}}');

    const ok = await post('/api/components/router/prompts', {
      template: 'Route tickets for Acme. Customer: {{slot1}}. Date: {{slot2}}. Reply with exactly one of: billing, technical, account.',
      model: 'gpt-4o',
      few_shot: [{ user: 'card declined', assistant: 'billing' }],
      note: 'labels spelled out',
    });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toMatchObject({ version: 1, status: 'candidate', model: 'gpt-4o', slots: ['slot1', 'slot2'], origin: { source: 'manual', note: 'labels spelled out' } });

    const view = (await (await h.admin('/api/components/router/prompts')).json()) as { versions: Version[]; audit: { action: string }[] };
    expect(view.versions.map((v) => v.version)).toEqual([0, 1]);
    expect(view.audit.map((a) => a.action)).toEqual(['observed', 'created']);
  });

  it('answers bad bodies with 400 naming the field, and components without calls with 404', async () => {
    const bad = await post('/api/components/router/prompts', { template: 'x', few_shot: [{ user: 'hi' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('few_shot.0.assistant');
    const notJson = await fetch(`${h.gateway.url}/api/components/router/prompts`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    const none = await post('/api/components/nobody/prompts', { template: 'Hello.' });
    expect(none.status).toBe(404);
  });
});
