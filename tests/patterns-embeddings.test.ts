import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { completionBody } from './support/completions.ts';
import { eventually } from './support/eventually.ts';

/** With an embeddings model configured, failure texts are embedded through the providers (the fake's /v1/embeddings). */
const yaml = `
components:
  intent:
    rules:
      - { id: label, type: labels, labels: [billing, technical, account] }
patterns:
  embeddings: { model: text-embedding-3-small }
`;

interface PatternView {
  id: string;
  space: string;
  failure_count: number;
}

let h: Harness;
let client: OpenAI;

async function call(output: string): Promise<void> {
  h.fake.enqueue({ path: '/v1/chat/completions', body: completionBody(output) });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'classify' }] }, { headers: { 'x-fixpoint-component': 'intent' } });
}

beforeAll(async () => {
  h = await startHarness({ FIXPOINT_DETECT_SWEEP_MS: '300', FIXPOINT_GROUP_SWEEP_MS: '300' }, { yaml, worker: true });
  client = clientFor(h);
});
afterAll(async () => h?.close());

describe('patterns with an embeddings model', () => {
  it('embeds failure texts through the configured provider and groups by their vectors', { timeout: 120_000 }, async () => {
    // The fake's embedding of a text is a fixed pseudo-random vector: equal texts meet, different ones do not.
    for (let i = 0; i < 3; i++) await call('BILLING_ISSUE');
    for (let i = 0; i < 2; i++) await call('Technical Support');
    const ps = await eventually(async () => {
      const res = (await (await h.admin('/api/patterns?component=intent')).json()) as { data: PatternView[] };
      expect(res.data.map((p) => p.failure_count).sort()).toEqual([2, 3]);
      return res.data;
    }, 45_000);
    for (const p of ps) expect(p.space).toBe('embeddings:text-embedding-3-small');
    const embeddingCalls = h.fake.requests.filter((r) => r.path === '/v1/embeddings');
    expect(embeddingCalls.length).toBeGreaterThan(0);
    expect(embeddingCalls[0]!.body).toMatchObject({ model: 'text-embedding-3-small', encoding_format: 'float' });
  });
});
