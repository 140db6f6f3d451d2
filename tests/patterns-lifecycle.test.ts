import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { completionBody } from './support/completions.ts';
import { eventually } from './support/eventually.ts';

/** A pattern's lifecycle through real traffic: emerging → systematic → resolved (quiet while called) → regressed. */
const yaml = `
components:
  intent:
    rules:
      - { id: label, type: labels, labels: [billing, technical, account] }
patterns:
  resolveAfterHours: 0.0005
  refreshSeconds: 0.5
  systematic: { minFailures: 3, minCalls: 4, minSessions: 2, minUsers: 2 } # the volume floor sized to this small test traffic
`;

interface PatternView {
  id: string;
  status: string;
  systematic: boolean;
  remedy: string;
  failure_count: number;
}

/** Sends one `intent` call answered with `output`, each in its own session; reads the component's one pattern. */
function intentTraffic(harness: Harness) {
  const client: OpenAI = clientFor(harness);
  let session = 0;
  return {
    async call(output: string): Promise<void> {
      session++;
      harness.fake.enqueue({ path: '/v1/chat/completions', body: completionBody(output) });
      await client.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'classify' }] },
        { headers: { 'x-fixpoint-component': 'intent', 'x-fixpoint-session': `s${session}`, 'x-fixpoint-user': `u${session % 3}` } },
      );
    },
    async thePattern(): Promise<PatternView> {
      const res = (await (await harness.admin('/api/patterns?component=intent')).json()) as { data: PatternView[] };
      expect(res.data).toHaveLength(1);
      return res.data[0]!;
    },
  };
}

const sweeps = { FIXPOINT_DETECT_SWEEP_MS: '300', FIXPOINT_GROUP_SWEEP_MS: '300' };
let h: Harness;
let call: (output: string) => Promise<void>;
let thePattern: () => Promise<PatternView>;

beforeAll(async () => {
  h = await startHarness(sweeps, { yaml, worker: true });
  ({ call, thePattern } = intentTraffic(h));
});
afterAll(async () => h?.close());

describe('pattern lifecycle', () => {
  it('goes systematic, resolves when it stops while the component is still called, and regresses when it comes back', { timeout: 120_000 }, async () => {
    for (const out of ['BILLING_ISSUE', 'TECH', 'BILLING', 'Account-Access']) await call(out);
    const first = await eventually(async () => {
      const p = await thePattern();
      expect(p).toMatchObject({ status: 'systematic', remedy: 'prompt', failure_count: 4 });
      return p;
    }, 45_000);

    // Good answers keep the component busy; the pattern goes quiet for longer than resolveAfterHours.
    await eventually(async () => {
      await call('billing');
      expect(await thePattern()).toMatchObject({ id: first.id, status: 'resolved', remedy: 'watch' });
    }, 45_000);

    for (const out of ['BILLING_ISSUE', 'TECH', 'BILLING']) await call(out);
    await eventually(async () => expect(await thePattern()).toMatchObject({ id: first.id, status: 'regressed', remedy: 'prompt', failure_count: 7 }), 45_000);

    const detail = (await (await h.admin(`/api/patterns/${first.id}`)).json()) as { timeline: { events: { type: string; from: string | null; to: string | null }[] } };
    const changes = detail.timeline.events.filter((e) => e.type === 'status').map((e) => `${e.from}→${e.to}`);
    expect(changes).toEqual(['emerging→systematic', 'systematic→resolved', 'resolved→regressed']);
  });
});

describe('pattern lifecycle, re-evaluated on every refresh', () => {
  // A high rate floor and a long quiet period: the flag can only go by its evidence, not by resolving.
  const strict = `
components:
  intent:
    rules:
      - { id: label, type: labels, labels: [billing, technical, account] }
patterns:
  resolveAfterHours: 24
  refreshSeconds: 0.5
  systematic: { minFailures: 3, minCalls: 4, minRate: 0.2, minSessions: 2, minUsers: 2 }
`;
  let h2: Harness;
  beforeAll(async () => {
    h2 = await startHarness(sweeps, { yaml: strict, worker: true });
  });
  afterAll(async () => h2?.close());

  it('goes back to emerging when its share no longer means what it did', { timeout: 120_000 }, async () => {
    const { call: send, thePattern: pattern } = intentTraffic(h2);
    for (const out of ['BILLING_ISSUE', 'TECH', 'BILLING', 'Account-Access']) await send(out);
    const flagged = await eventually(async () => {
      const p = await pattern();
      expect(p).toMatchObject({ status: 'systematic' });
      return p;
    }, 45_000);
    // 4 failures in 44 calls: the Wilson lower bound of the share falls under 0.2.
    for (let i = 0; i < 40; i++) await send('billing');
    await eventually(async () => expect(await pattern()).toMatchObject({ id: flagged.id, status: 'emerging', systematic: false }), 45_000);
    const detail = (await (await h2.admin(`/api/patterns/${flagged.id}`)).json()) as { stats: { unmet: string[] }; timeline: { events: { type: string; from: string | null; to: string | null }[] } };
    expect(detail.stats.unmet).toContain('rate');
    expect(detail.timeline.events.filter((e) => e.type === 'status').map((e) => `${e.from}→${e.to}`)).toEqual(['emerging→systematic', 'systematic→emerging']);
  });
});
