import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, ADMIN_TOKEN, startHarness, type Harness } from './support/gateway.ts';
import { completionBody } from './support/completions.ts';
import { eventually } from './support/eventually.ts';

/** Failures made through the gateway become patterns: grouped, counted, judged systematic, diagnosed. */
const yaml = `
components:
  intent:
    rules:
      - { id: label, type: labels, labels: [billing, technical, account] }
patterns:
  systematic: { minFailures: 3, minCalls: 10, minSessions: 3, minUsers: 2 } # the volume floor sized to this small test traffic
`;

interface PatternView {
  id: string;
  component: string;
  kind: string;
  rule_id: string;
  title: string;
  summary: string;
  status: string;
  systematic: boolean;
  failure_count: number;
  stats: { windows: { h24: number }; share24h: number; sessions: number; users: number; unmet: string[] } | null;
  diagnosis: { kind: string; confidence: number; reasons: string[]; source: string } | null;
  remedy: string;
}

const run = promisify(execFile);
let h: Harness;
let client: OpenAI;

async function call(component: string, output: string, session: string, user: string): Promise<string> {
  h.fake.enqueue({ path: '/v1/chat/completions', body: completionBody(output) });
  const { response } = await client.chat.completions
    .create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'classify: my invoice is wrong' }] },
      { headers: { 'x-fixpoint-component': component, 'x-fixpoint-session': session, 'x-fixpoint-user': user } },
    )
    .withResponse();
  return response.headers.get('x-fixpoint-call-id')!;
}

async function list(query = ''): Promise<PatternView[]> {
  const res = await h.admin(`/api/patterns${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: PatternView[] }).data;
}

beforeAll(async () => {
  h = await startHarness({ FIXPOINT_DETECT_SWEEP_MS: '300', FIXPOINT_GROUP_SWEEP_MS: '300' }, { yaml, worker: true });
  client = clientFor(h);
});
afterAll(async () => h?.close());

describe('patterns', () => {
  it('groups recurring label failures into one systematic, behavioral pattern with a prompt remedy', { timeout: 120_000 }, async () => {
    const bad = ['BILLING_ISSUE', 'Billing Problem', 'BILLING', 'Technical Support', 'TECH', 'Account-Access'];
    const ids: string[] = [];
    for (let i = 0; i < bad.length; i++) ids.push(await call('intent', bad[i]!, `s${i}`, `u${i % 3}`));
    for (let i = 0; i < 6; i++) await call('intent', 'billing', `s${i}`, `u${i % 3}`);

    const [p] = await eventually(async () => {
      const ps = await list('?component=intent');
      expect(ps).toHaveLength(1);
      expect(ps[0]).toMatchObject({ failure_count: bad.length, status: 'systematic', remedy: 'prompt' });
      expect(ps[0]!.diagnosis).toMatchObject({ kind: 'behavioral', source: 'construction' });
      // Statistics are refreshed a few seconds after grouping touched the pattern.
      expect(ps[0]!.stats).toMatchObject({ windows: { h24: 6 }, sessions: 6, users: 3, unmet: [] });
      expect(ps[0]!.stats!.share24h).toBeCloseTo(6 / 12, 5);
      return ps;
    }, 45_000);
    expect(p).toMatchObject({ component: 'intent', kind: 'rule', rule_id: 'label', systematic: true });
    expect(p!.title).toContain('label');

    const detail = (await (await h.admin(`/api/patterns/${p!.id}`)).json()) as PatternView & {
      examples: { call_id: string; message: string }[];
      timeline: { hourly: { failures: number }[]; daily: { failures: number }[]; events: { type: string; to: string | null }[] };
    };
    expect(detail.examples).toHaveLength(6);
    expect(new Set(detail.examples.map((e) => e.call_id))).toEqual(new Set(ids));
    expect(detail.timeline.daily.reduce((s, d) => s + d.failures, 0)).toBe(6);
    expect(detail.timeline.events.map((e) => e.type)).toEqual(expect.arrayContaining(['created', 'status', 'diagnosed']));
    expect(detail.timeline.events.find((e) => e.type === 'status')?.to).toBe('systematic');

    // The failures point at their pattern.
    const call0 = (await (await h.admin(`/api/calls/${ids[0]}`)).json()) as { failures: { pattern_id: string }[] };
    expect(call0.failures[0]?.pattern_id).toBe(p!.id);

    // Filters.
    expect(await list('?component=intent&status=systematic&diagnosis=behavioral')).toHaveLength(1);
    expect(await list('?component=intent&status=resolved')).toHaveLength(0);
    expect(await list('?component=intent&diagnosis=knowledge')).toHaveLength(0);
    expect(await list('?component=nobody')).toHaveLength(0);

    // Metrics from the worker's registry: per component and per pattern.
    await eventually(async () => {
      const metrics = await h.jobMetrics();
      expect(metrics).toMatch(/fixpoint_patterns_systematic\{component="intent",diagnosis="behavioral",remedy="prompt"\} 1/);
      expect(metrics).toContain(`fixpoint_pattern_failures_24h{component="intent",pattern="${p!.id}",status="systematic",diagnosis="behavioral"} 6`);
      expect(metrics).toMatch(/fixpoint_failures_grouped_total\{component="intent"\} 6/);
    }, 10_000);

    // The same as a table for a terminal, and one pattern in detail.
    const cli = ['--import', 'tsx', 'src/main/cli.ts', 'patterns', '--url', h.gateway.url];
    const { FIXPOINT_CONFIG: _unused, ...inherited } = process.env;
    const env = { ...inherited, FIXPOINT_ADMIN_TOKEN: ADMIN_TOKEN };
    const table = await run('node', [...cli, '--component', 'intent', '--status', 'systematic'], { env });
    const [header, row] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+COMPONENT\s+STATUS\s+DIAGNOSIS\s+REMEDY\s+FAILURES\s+24H\s+SHARE\s+TITLE/);
    expect(row).toContain(p!.id);
    expect(row).toMatch(/intent\s+systematic\s+behavioral 0\.95\s+prompt\s+6\s+6\s+50\.0%/);
    const one = await run('node', [...cli, p!.id], { env });
    expect(one.stdout).toContain(`id ${p!.id}`);
    expect(one.stdout).toContain('6 in 24 h');
    expect(one.stdout).toContain('diagnosis: behavioral');
    const refused = await run('node', [...cli, '--status', 'sideways'], { env }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect((refused as { stderr: string }).stderr).toContain('status');
  });

  it('answers bad filters with 400 naming the field, and unknown ids with 404', async () => {
    const bad = await h.admin('/api/patterns?status=sideways');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('status');
    expect((await h.admin('/api/patterns/not-a-uuid')).status).toBe(400);
    expect((await h.admin('/api/patterns/0190a0a0-0000-7000-8000-000000000000')).status).toBe(404);
  });
});
