import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, ADMIN_TOKEN, CLIENT_KEY, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';

/**
 * Replays are scored by the component's LLM judge too, as production is: a judge pattern the prompt
 * cannot fix (the fake judge fails any output marked WRONG) ends "prompt could not fix this".
 */
const yaml = `
components:
  qa:
    judge: { rubric: The answer must be correct., model: gpt-4o-mini, sampleRate: 1 }
patterns:
  systematic: { minFailures: 3, minCalls: 10, minSessions: 2, minUsers: 2 } # the volume floor sized to this small test traffic
optimizer: { model: gpt-4o-mini, auto: false, maxGrowth: 1 }
retrain: { afterFailedPromptRuns: 1 }
`;

let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  h = await startHarness({ FIXPOINT_DETECT_SWEEP_MS: '300', FIXPOINT_GROUP_SWEEP_MS: '300' }, { yaml, worker: true });
  client = clientFor(h);
  for (let i = 0; i < 40; i++) {
    const { response } = await client.chat.completions
      .create(
        { model: 'gpt-4o-mini', messages: [{ role: 'system', content: `Answer questions for user ${i} on day ${i % 7}.` }, { role: 'user', content: `Is the capital of France Lyon? WRONG ${i}` }] },
        { headers: { 'x-fixpoint-component': 'qa', 'x-fixpoint-session': `s${i}`, 'x-fixpoint-user': `u${i % 4}` } },
      )
      .withResponse();
    // People corrected some answers: the ground truth the few-shot lever draws on.
    if (i % 2 === 0) {
      const callId = response.headers.get('x-fixpoint-call-id')!;
      await eventually(async () => {
        const res = await fetch(`${h.gateway.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` }, body: JSON.stringify({ call_id: callId, rating: 'down', correction: 'No: the capital of France is Paris.' }) });
        expect(res.status).toBe(201);
      });
    }
  }
});
afterAll(async () => h?.close());

describe('optimization scored by the judge', () => {
  it('judges every replay, so the current prompt scores as it does in production, and ends not fixed', { timeout: 180_000 }, async () => {
    const patternId = await eventually(async () => {
      const ps = ((await (await h.admin('/api/patterns?component=qa&kind=judge&status=systematic')).json()) as { data: { id: string; failure_count: number }[] }).data;
      expect(ps).toHaveLength(1);
      // (Nearly) every call's verdict grouped: a run started on the first systematic dozen has too few cases to judge a prompt on.
      expect(ps[0]!.failure_count, JSON.stringify(ps)).toBeGreaterThanOrEqual(36);
      return ps[0]!.id;
    }, 90_000);
    const { id } = (await (await fetch(`${h.gateway.url}/api/patterns/${patternId}/optimize`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { id: string };
    const run = await eventually(async () => {
      const r = (await (await h.admin(`/api/optimizations/${id}`)).json()) as { status: string; outcome: string; result: string; candidates: { id: string; few_shot?: { user: string; assistant: string }[]; scores: Record<string, { passed: number; total: number; pattern_passed?: number; pattern_total?: number }> }[] };
      expect(['accepted', 'not_fixed', 'failed']).toContain(r.status);
      return r;
    }, 120_000);
    expect(run.status, run.result).toBe('not_fixed');
    expect(run.result).toMatch(/prompt could not fix this/);
    expect(run.outcome).toBe('could_not_fix');
    const baseline = run.candidates.find((c) => c.id === 'current')!;
    expect(baseline.scores['selection']!.total).toBeGreaterThan(0);
    // Without the judge every replay would pass: no rule or built-in check fails an echo. (Other
    // calls in the set count only failures outside the pattern's own: the judge's is its own.)
    expect(baseline.scores['selection']!.pattern_total).toBeGreaterThan(0);
    expect(baseline.scores['selection']!.pattern_passed).toBe(0);
    // The second lever was tried: the best prompt with examples drawn from people's corrections.
    const withExamples = run.candidates.find((c) => c.id.endsWith('+fewshot'));
    expect(withExamples?.few_shot?.[0]).toMatchObject({ assistant: 'No: the capital of France is Paris.' });
    expect(withExamples?.scores['selection']?.total).toBe(baseline.scores['selection']!.total);

    // A judged "could not fix" escalates: the model lacks something a prompt cannot give.
    await eventually(async () => {
      const p = (await (await h.admin(`/api/patterns/${patternId}`)).json()) as { diagnosis: { kind: string; source: string; reasons: string[] } | null; remedy: string };
      expect(p.diagnosis).toMatchObject({ kind: 'knowledge', source: 'escalation' });
      expect(p.diagnosis!.reasons[0]).toMatch(new RegExp(`prompt optimization could not fix it in 1 judged run \\(latest ${id}: prompt could not fix this`));
      expect(p.remedy).toBe('finetune');
    }, 30_000);
  });
});
