import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../testkit/fake-upstream/index.ts';
import { loadConfig, optimizerSchema } from '../config/index.ts';
import type { StoredCandidate } from '../db/index.ts';
import { createProviderRegistry, type ProviderRegistry } from '../providers/index.ts';
import { createLogger } from '../telemetry/index.ts';
import { ReplayVerdicts, type BudgetedReplay } from './budgeted-replay.ts';
import type { OptimizationCase } from './cases.ts';
import { pickBest } from './gate.ts';
import { searchCandidates, type CaseSets } from './search.ts';

/**
 * The search's stop rule: a candidate that passes every case only by growing far past the current
 * prompt does not end the search; the next proposal starts from the best lean candidate, and the
 * shorter of two equal fixes wins. The optimizer model is the fake upstream over HTTP (its answers
 * queued in order); the replay is a rule of the test (a case passes when the prompt states the labels).
 */
const CURRENT = 'You route tickets for {{slot1}}. Say what kind of issue it is.';
const FIX = 'Reply with exactly one of: billing, technical, account.';
const FILLER = 'You are a meticulous, world-class professional who reads every detail of the input and weighs the needs of every stakeholder before answering. ';
const VERBOSE = `${FILLER.repeat(2)}${CURRENT} ${FIX}`;
const CONCISE = `You route tickets for {{slot1}}. ${FIX}`;

let fake: FakeUpstream;
let registry: ProviderRegistry;

beforeAll(async () => {
  fake = await startFakeUpstream();
  registry = createProviderRegistry(loadConfig({ OPENAI_BASE_URL: fake.openaiBaseUrl, OPENAI_API_KEY: 'sk-test-optimizer-0123456789' }), { connectTimeoutMs: 2000, idleTimeoutMs: 5000 });
});
afterAll(async () => {
  await registry?.close();
  await fake?.close();
});

const cases = (n: number, kind: OptimizationCase['kind']): OptimizationCase[] =>
  Array.from({ length: n }, (_, i) => ({
    callId: `${kind}-${i}`,
    sessionKey: `s-${kind}-${i}`,
    request: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You route tickets for Acme. Say what kind of issue it is.' }, { role: 'user', content: `ticket ${kind} ${i}` }] },
    slots: { slot1: 'Acme' },
    evidence: ['Rule label: expected one of [billing, technical, account], got "Billing issue"'],
    correction: null,
    output: 'Billing issue',
    kind,
  }));

/** Pattern cases pass when the prompt states the labels; the others always do. */
function ruleReplay(): BudgetedReplay & { templates: string[]; sizes: number[] } {
  const templates: string[] = [];
  const sizes: number[] = [];
  return {
    templates,
    sizes,
    spent: { evalCalls: 0, tokens: 0, costUsd: 0 },
    reserve: () => {},
    release: () => {},
    async evaluate(tmpl, _mdl, on) {
      templates.push(tmpl);
      sizes.push(on.length);
      const v = new ReplayVerdicts();
      for (const c of on) {
        const ok = c.kind === 'regression' || tmpl.includes(FIX);
        v.set(c.callId, ok);
        v.ownFailure.set(c.callId, !ok);
      }
      return v;
    },
  };
}

const proposal = (template: string) => ({ path: '/v1/chat/completions', body: { id: 'chatcmpl-x', object: 'chat.completion', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify({ template, rationale: 'state the labels' }) } }], usage: { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 } } });

/** A search from CURRENT with the queued proposals: its candidates, its front, the proposals it asked for, the replay's case counts. */
async function search(o: { proposals: string[]; sets: CaseSets; maxIterations?: number }) {
  for (const t of o.proposals) fake.enqueue(proposal(t));
  const before = fake.requests.length;
  const replay = ruleReplay();
  const candidates: StoredCandidate[] = [];
  const { front } = await searchCandidates({
    registry,
    logger: createLogger('silent'),
    runId: crypto.randomUUID(),
    settings: optimizerSchema.parse({ model: 'gpt-4o-mini', maxIterations: o.maxIterations ?? 4 }),
    model: 'gpt-4o-mini',
    current: { template: CURRENT, model: null },
    slots: ['slot1'],
    sets: o.sets,
    extraModels: [],
    replay,
    candidates,
    save: async () => {},
  });
  const asked = fake.requests.slice(before).filter((r) => r.path === '/v1/chat/completions');
  return { candidates, front, asked, sizes: replay.sizes };
}

const patternOnly = (feedback: number, selection: number): CaseSets => ({ feedback: cases(feedback, 'pattern'), selection: cases(selection, 'pattern'), gate: [] });

describe('the candidate search', () => {
  it('keeps looking after a fix that grew past maxGrowth, from the lean parent, and picks the shorter equal fix', async () => {
    const sets = { feedback: [...cases(6, 'pattern'), ...cases(2, 'regression')], selection: [...cases(6, 'pattern'), ...cases(2, 'regression')], gate: [] };
    const { candidates, front, asked } = await search({ proposals: [VERBOSE, CONCISE], sets });
    // Two proposals: the verbose fix passed everything but grew ~6×, so the search asked again…
    expect(asked).toHaveLength(2);
    // …from the current prompt (the lean parent), not from the verbose one.
    expect(JSON.stringify(asked[1]!.body)).not.toContain('world-class');
    expect(candidates.map((c) => [c.id, c.parent])).toEqual([
      ['current', null],
      ['c1', 'current'],
      ['c2', 'current'],
    ]);
    // Both fixes pass every case; the shorter one wins.
    expect(pickBest(front)?.template).toBe(CONCISE);
  });

  it('stops at the first fix that passes everything within the growth bound', async () => {
    const { candidates, asked } = await search({ proposals: [CONCISE], sets: patternOnly(6, 6) });
    expect(asked).toHaveLength(1);
    expect(candidates.map((c) => c.id)).toEqual(['current', 'c1']);
  });

  it("replays a child on its parent's first 16 failing feedback cases, not the whole feedback set", async () => {
    const { candidates, sizes } = await search({ proposals: [`${CURRENT} Be precise.`, CONCISE], sets: patternOnly(40, 6) });
    expect(candidates.map((c) => c.id)).toEqual(['current', 'c1', 'c2']);
    // The baseline on selection; then each child on selection and on 16 of the 40 feedback cases.
    expect(sizes).toEqual([6, 6, 16, 6, 16]);
  });

  it('goes on after one repeated proposal (a wasted sample), and stops after two in a row', async () => {
    const vague = `${CURRENT} Be precise.`;
    const once = await search({ proposals: [vague, vague, CONCISE], sets: patternOnly(6, 6), maxIterations: 6 });
    expect(once.candidates.map((c) => [c.id, c.rejected])).toEqual([
      ['current', null],
      ['c1', null],
      ['c2', 'repeats c1'],
      ['c3', null],
    ]);
    const twice = await search({ proposals: [vague, vague, vague], sets: patternOnly(6, 6), maxIterations: 6 });
    expect(twice.candidates.map((c) => [c.id, c.rejected])).toEqual([
      ['current', null],
      ['c1', null],
      ['c2', 'repeats c1'],
      ['c3', 'repeats c1'],
    ]);
  });
});
