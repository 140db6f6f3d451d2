import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, ADMIN_TOKEN, CLIENT_KEY, startHarness, type Harness } from './support/gateway.ts';

let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  // A long flush interval keeps records in the write buffer, so feedback can arrive before its call is stored.
  h = await startHarness({ FIXPOINT_RECORD_FLUSH_MS: '3000', FIXPOINT_RECORD_BATCH_SIZE: '1000' });
  client = clientFor(h);
});
afterAll(async () => h?.close());

async function call(content = 'hello'): Promise<string> {
  const { response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }, { headers: { 'x-fixpoint-component': 'support-bot' } })
    .withResponse();
  return response.headers.get('x-fixpoint-call-id')!;
}

const post = (body: unknown, auth: string | null = `Bearer ${CLIENT_KEY}`) =>
  fetch(`${h.gateway.url}/v1/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

type Detail = { feedback: { rating: number; comment: string | null; correction: unknown; source: string }[]; failures: { kind: string; correction: unknown; message: string }[] };
const detail = async (id: string) => {
  await h.gateway.deps.recorder.flush();
  return (await (await h.admin(`/api/calls/${id}`)).json()) as Detail;
};

describe('POST /v1/feedback', () => {
  it('negative feedback with a correction becomes a feedback failure carrying the ground truth, even before the call is stored', async () => {
    const id = await call('what is my plan?');
    expect(await h.gateway.deps.recorder.findPending(id)).not.toBeNull(); // still in the write buffer
    const res = await post({ call_id: id, rating: 'down', comment: 'wrong plan name', correction: 'You are on the Pro plan.' });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ call_id: id, rating: 0, failure_recorded: true });
    const d = await detail(id);
    expect(d.feedback).toMatchObject([{ rating: 0, comment: 'wrong plan name', correction: 'You are on the Pro plan.', source: 'client' }]);
    expect(d.failures).toMatchObject([{ kind: 'feedback', correction: 'You are on the Pro plan.' }]);
    expect(d.failures[0]?.message).toContain('wrong plan name');
  });

  it('positive feedback and a 0–1 score are stored without a failure', async () => {
    const id = await call();
    expect((await post({ call_id: id, rating: 'up' })).status).toBe(201);
    expect((await post({ call_id: id, rating: 0.9, comment: 'great' })).status).toBe(201);
    const d = await detail(id);
    expect(d.feedback.map((f) => f.rating).sort()).toEqual([0.9, 1]);
    expect(d.failures).toEqual([]);
  });

  it('only the same caller or an admin may give feedback', async () => {
    const id = await call();
    const stranger = await post({ call_id: id, rating: 'down' }, 'Bearer sk-someone-else-entirely-000000');
    expect(stranger.status).toBe(403);
    const admin = await post({ call_id: id, rating: 'down', correction: { label: 'billing' } }, `Bearer ${ADMIN_TOKEN}`);
    expect(admin.status).toBe(201);
    const d = await detail(id);
    expect(d.feedback).toMatchObject([{ source: 'admin', correction: { label: 'billing' } }]);
  });

  it('unknown call id: 404; a body that does not fit: 400 naming the field', async () => {
    expect((await post({ call_id: '00000000-0000-7000-8000-00000000abcd', rating: 'up' })).status).toBe(404);
    for (const [body, param] of [
      [{ call_id: 'nope', rating: 'up' }, 'call_id'],
      [{ call_id: '00000000-0000-7000-8000-00000000abcd', rating: 7 }, 'rating'],
      [{ call_id: '00000000-0000-7000-8000-00000000abcd', rating: 'up', extra: 1 }, 'body'],
      [{ rating: 'up' }, 'call_id'],
    ] as const) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const err = (await res.json()) as { error: { param: string | null; message: string } };
      if (param !== 'body') expect(err.error.param).toBe(param);
    }
    expect((await post('{not json')).status).toBe(400);
  });
});
