import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { sendFeedback } from './support/feedback.ts';
import { completionBody } from './support/completions.ts';
import { eventually } from './support/eventually.ts';

/**
 * One problem seen through several signals is one pattern. A classifier answers with labels outside
 * its contract; on those calls the declared rule fails, the judge fails them too, and users give a
 * thumbs-down in words of their own. A second, unrelated problem (slow answers users complain about,
 * on calls that pass every check) stays a pattern of its own.
 */
const yaml = `
components:
  intent:
    rules:
      - { id: label, type: labels, labels: [billing, technical, account] }
    judge:
      rubric: The answer must be one of the three labels and must not contain the word WRONG.
      rubricVersion: v1
      sampleRate: 1
      model: gpt-4o-mini
patterns:
  systematic: { minFailures: 3, minCalls: 10, minSessions: 2, minUsers: 2 } # the volume floor sized to this small test traffic
`;

const badOutputs = ['BILLING_ISSUE WRONG', 'This is a billing question. WRONG', 'Billing WRONG', 'TECH-SUPPORT WRONG', 'account_access WRONG', 'It is technical. WRONG'];
// Paraphrases, as users write them — but about one thing, so they share some words (the local
// vectors group by words; an embeddings model is what groups paraphrases with none in common).
const labelComplaints = [
  'That is not one of our labels',
  'wrong label again, should be billing',
  'it answered with a whole sentence instead of the label',
  'the label came back in a weird format',
  'not a valid label: we only use billing, technical or account',
  'Label is invalid.',
];
const slowComplaints = ['the answer was too slow', 'so slow, I waited ages for an answer', 'slow answer again today', 'way too slow'];

interface PatternView {
  id: string;
  kind: string;
  failure_count: number;
  status: string;
  stats: { windows: { d7: number } } | null;
}

let h: Harness;
let client: OpenAI;
let n = 0;

async function call(output: string): Promise<string> {
  n++;
  h.fake.enqueue({ path: '/v1/chat/completions', body: completionBody(output) });
  const { response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `classify ticket ${n}` }] }, { headers: { 'x-fixpoint-component': 'intent', 'x-fixpoint-session': `s${n}`, 'x-fixpoint-user': `u${n % 4}` } })
    .withResponse();
  return response.headers.get('x-fixpoint-call-id')!;
}

async function thumbsDown(callId: string, comment: string): Promise<void> {
  await sendFeedback(h, { call_id: callId, rating: 'down', comment });
}

beforeAll(async () => {
  h = await startHarness({ FIXPOINT_DETECT_SWEEP_MS: '300', FIXPOINT_GROUP_SWEEP_MS: '300' }, { yaml, worker: true });
  client = clientFor(h);
});
afterAll(async () => h?.close());

describe('one root cause, one pattern', () => {
  it('merges the rule, judge and feedback patterns of one problem by the calls they share, and keeps an unrelated one apart', { timeout: 120_000 }, async () => {
    const bad: string[] = [];
    for (let i = 0; i < 12; i++) bad.push(await call(badOutputs[i % badOutputs.length]!));
    const good: string[] = [];
    for (let i = 0; i < 24; i++) good.push(await call(['billing', 'technical', 'account'][i % 3]!));
    for (let i = 0; i < bad.length; i++) await thumbsDown(bad[i]!, labelComplaints[i % labelComplaints.length]!);
    for (let i = 0; i < 8; i++) await thumbsDown(good[i * 3]!, slowComplaints[i % slowComplaints.length]!);

    const patterns = await eventually(async () => {
      const res = (await (await h.admin('/api/patterns?component=intent')).json()) as { data: PatternView[] };
      // 12 calls × (rule + judge + feedback) in one pattern; 8 feedback failures in the other.
      expect(res.data.map((p) => p.failure_count).sort((a, b) => a - b)).toEqual([8, 36]);
      return res.data;
    }, 60_000);
    const problem = patterns.find((p) => p.failure_count === 36)!;
    expect(problem.kind).toBe('rule');
    const slow = patterns.find((p) => p.failure_count === 8)!;
    expect(slow.kind).toBe('feedback');

    // Every signal is evidence of the one pattern; its share is counted in calls, not failures.
    const failures = (await (await h.admin('/api/failures?component=intent&limit=100')).json()) as { data: { call_id: string; kind: string; pattern_id: string }[] };
    const ofProblem = failures.data.filter((f) => f.pattern_id === problem.id);
    expect(new Set(ofProblem.map((f) => f.kind))).toEqual(new Set(['rule', 'judge', 'feedback']));
    expect(new Set(ofProblem.map((f) => f.call_id))).toEqual(new Set(bad));
    await eventually(async () => {
      const detail = (await (await h.admin(`/api/patterns/${problem.id}`)).json()) as PatternView;
      expect(detail.stats?.windows.d7).toBe(12);
    }, 30_000);
  });
});
