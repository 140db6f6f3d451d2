import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, ADMIN_TOKEN, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';

/**
 * The optimizer end to end: a component whose outputs break a label rule; a run proposes prompts (the
 * fake optimizer reads the failing cases' evidence), replays held-out cases, accepts the fix on the
 * gate set, and puts it on a canary; live traffic through the official client then passes.
 */
const yaml = (budget: number, auto = false) => `
components:
  router:
    rules:
      - { id: label, type: labels, labels: [billing, technical, account] }
    optimizer: { models: [gpt-4o] }
patterns:
  systematic: { minFailures: 3, minCalls: 10, minSessions: 2, minUsers: 2 } # the volume floor sized to this small test traffic
optimizer:
  model: gpt-4o-mini
  canaryShare: 1
  maxEvalCalls: ${budget}
  maxGrowth: 1
  auto: ${auto}
`;

const system = (i: number) => `You route tickets for Acme. The customer is Customer ${i}. Today is 2027-01-${String((i % 28) + 1).padStart(2, '0')}. Answer with one label.`;

async function traffic(h: Harness, client: OpenAI, from: number, count: number): Promise<(string | null)[]> {
  const versions: (string | null)[] = [];
  for (let i = from; i < from + count; i++) {
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: system(i) }, { role: 'user', content: 'my invoice is wrong' }] }, { headers: { 'x-fixpoint-component': 'router', 'x-fixpoint-session': `s${i}`, 'x-fixpoint-user': `u${i % 5}` } })
      .withResponse();
    versions.push(response.headers.get('x-fixpoint-prompt-version'));
  }
  await h.gateway.deps.recorder.flush();
  return versions;
}

/** A gateway and worker for the router component, with 70 failing calls already sent. */
async function routerWithTraffic(yamlText: string, env: Record<string, string> = {}): Promise<{ h: Harness; client: OpenAI }> {
  const h = await startHarness({ FIXPOINT_DETECT_SWEEP_MS: '300', FIXPOINT_GROUP_SWEEP_MS: '300', ...env }, { yaml: yamlText, worker: true });
  const client = clientFor(h);
  await traffic(h, client, 0, 70);
  return { h, client };
}

async function systematicPattern(h: Harness): Promise<string> {
  return eventually(async () => {
    const ps = ((await (await h.admin('/api/patterns?component=router&status=systematic')).json()) as { data: { id: string; failure_count: number }[] }).data;
    expect(ps).toHaveLength(1);
    expect(ps[0]!.failure_count).toBeGreaterThanOrEqual(60);
    return ps[0]!.id;
  }, 60_000);
}

const post = (h: Harness, path: string) => fetch(`${h.gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

interface Run {
  status: string;
  result: string;
  candidates: { id: string; template: string; rejected: string | null; scores: Record<string, { passed: number; total: number }> }[];
  gate: { pattern_fail_rate: { current: number; candidate: number }; p_value: number } | null;
  winner_version_id: string | null;
  eval_calls: number;
  sets: Record<string, number>;
}

describe('prompt optimization', () => {
  let h: Harness;
  let client: OpenAI;
  beforeAll(async () => {
    ({ h, client } = await routerWithTraffic(yaml(300)));
  });
  afterAll(async () => h?.close());

  it('finds a prompt that fixes the pattern on held-out cases, and puts it on a canary that live traffic then passes', { timeout: 180_000 }, async () => {
    const patternId = await systematicPattern(h);
    const started = await post(h, `/api/patterns/${patternId}/optimize`);
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const run = await eventually(async () => {
      const r = (await (await h.admin(`/api/optimizations/${id}`)).json()) as Run;
      expect(['accepted', 'not_fixed', 'failed']).toContain(r.status);
      return r;
    }, 120_000);
    expect(run.status, run.result).toBe('accepted');
    expect(run.sets['gate']).toBeGreaterThan(0);
    // Each proposal is tried with the component's own model and with the other models it allows.
    const onOtherModel = run.candidates.find((c) => c.id.endsWith('@gpt-4o'));
    expect(onOtherModel?.scores['selection']?.total).toBe(run.sets['selection']);
    const winner = run.candidates.find((c) => c.template.includes('Reply with exactly one of: billing, technical, account.'));
    expect(winner?.scores['gate']).toMatchObject({ passed: run.sets['gate'] });
    expect(run.gate?.pattern_fail_rate).toEqual({ current: 1, candidate: 0 });
    expect(run.gate!.p_value).toBeLessThan(0.05);
    expect(run.eval_calls).toBeLessThanOrEqual(300);
    await eventually(async () => expect(await h.jobMetrics()).toMatch(/fixpoint_optimization_runs_total\{component="router",outcome="accepted"\} 1/), 5000);

    const prompts = (await (await h.admin('/api/components/router/prompts')).json()) as { canary_version_id: string; versions: { id: string; version: number; origin: { source: string; run_id?: string; pattern_id?: string } }[] };
    expect(prompts.canary_version_id).toBe(run.winner_version_id);
    expect(prompts.versions.find((v) => v.id === run.winner_version_id)?.origin).toMatchObject({ source: 'optimizer', run_id: id, pattern_id: patternId });

    // Live traffic on the canary (share 1) now answers with a label: no new failures.
    const versions = await traffic(h, client, 1000, 5);
    expect(versions.every((v) => v === '1')).toBe(true);
    const last = ((await (await h.admin('/api/calls?component=router&limit=5')).json()) as { data: { id: string }[] }).data;
    await eventually(async () => {
      for (const c of last) {
        const d = (await (await h.admin(`/api/calls/${c.id}`)).json()) as { evaluation: unknown; failures: unknown[] };
        expect(d.evaluation).not.toBeNull();
        expect(d.failures).toEqual([]);
      }
    }, 20_000);
  });

  it('answers a bad or unknown pattern id with 400 / 404', async () => {
    expect((await post(h, '/api/patterns/nope/optimize')).status).toBe(400);
    expect((await post(h, '/api/patterns/0190a0a0-0000-7000-8000-000000000000/optimize')).status).toBe(404);
    expect((await h.admin('/api/optimizations/0190a0a0-0000-7000-8000-000000000000')).status).toBe(404);
  });
});

describe('prompt optimization on a tiny budget', () => {
  let h: Harness;
  beforeAll(async () => {
    ({ h } = await routerWithTraffic(yaml(5)));
  });
  afterAll(async () => h?.close());

  it('ends cleanly when its budget runs out: "prompt could not fix this", no version written', { timeout: 180_000 }, async () => {
    const patternId = await systematicPattern(h);
    const { id } = (await (await post(h, `/api/patterns/${patternId}/optimize`)).json()) as { id: string };
    const run = await eventually(async () => {
      const r = (await (await h.admin(`/api/optimizations/${id}`)).json()) as Run;
      expect(['accepted', 'not_fixed', 'failed']).toContain(r.status);
      return r;
    }, 120_000);
    expect(run).toMatchObject({ status: 'not_fixed', winner_version_id: null });
    expect(run.result).toMatch(/prompt could not fix this within budget/);
    expect(run.eval_calls).toBeLessThanOrEqual(5);
    const prompts = (await (await h.admin('/api/components/router/prompts')).json()) as { versions: unknown[] };
    expect(prompts.versions).toHaveLength(1);

    // The same from a terminal: `fixpoint optimize <pattern> --wait` follows the run; exit 3: not fixed.
    const { FIXPOINT_CONFIG: _unused, ...inherited } = process.env;
    const cli = await promisify(execFile)('node', ['--import', 'tsx', 'src/main/cli.ts', 'optimize', patternId, '--wait', '--url', h.gateway.url], { env: { ...inherited, FIXPOINT_ADMIN_TOKEN: ADMIN_TOKEN } }).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect(cli).toMatchObject({ code: 3 });
    expect((cli as { stdout: string }).stdout).toMatch(/: not_fixed — prompt could not fix this within budget/);
  });

  it('lists runs newest first with cursor paging, and names a bad filter', async () => {
    const patternId = await systematicPattern(h);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(((await (await post(h, `/api/patterns/${patternId}/optimize`)).json()) as { id: string }).id);
    type Listed = { data: { id: string }[]; next_cursor: string | null };
    const first = (await (await h.admin(`/api/optimizations?pattern=${patternId}&trigger=manual&limit=2`)).json()) as Listed;
    expect(first.data).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
    const rest = (await (await h.admin(`/api/optimizations?pattern=${patternId}&trigger=manual&limit=2&cursor=${first.next_cursor}`)).json()) as Listed;
    const seen = [...first.data, ...rest.data].map((r) => r.id);
    expect(seen.slice(0, 2)).toEqual([...seen].sort().reverse().slice(0, 2));
    for (const id of ids) expect(seen).toContain(id);
    const bad = await h.admin('/api/optimizations?status=won');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string; param: string } }).error).toMatchObject({ param: 'status' });
    expect((await h.admin('/api/optimizations?cursor=nope')).status).toBe(400);
  });
});

describe('prompt optimization by policy', () => {
  let h: Harness;
  beforeAll(async () => {
    ({ h } = await routerWithTraffic(yaml(300, true), { FIXPOINT_OPTIMIZE_SWEEP_MS: '300' }));
  });
  afterAll(async () => h?.close());

  it('starts a run by itself once a behavioral pattern is systematic, and only one', { timeout: 180_000 }, async () => {
    await systematicPattern(h);
    const prompts = await eventually(async () => {
      const p = (await (await h.admin('/api/components/router/prompts')).json()) as { canary_version_id: string | null; versions: { origin: { source: string; run_id?: string } }[] };
      expect(p.canary_version_id).not.toBeNull();
      return p;
    }, 120_000);
    const fromOptimizer = prompts.versions.filter((v) => v.origin.source === 'optimizer');
    expect(fromOptimizer).toHaveLength(1);
    const run = (await (await h.admin(`/api/optimizations/${fromOptimizer[0]!.origin.run_id}`)).json()) as { trigger: string; status: string };
    expect(run).toMatchObject({ trigger: 'policy', status: 'accepted' });

    // What the policy started is listed: by component, trigger, status and pattern.
    type Listed = { data: { id: string; pattern_id: string; trigger: string; status: string; candidates?: unknown }[]; next_cursor: string | null };
    const listed = (await (await h.admin('/api/optimizations?component=router&trigger=policy')).json()) as Listed;
    expect(listed.data.map((r) => r.id)).toEqual([fromOptimizer[0]!.origin.run_id]);
    expect(listed.data[0]).toMatchObject({ trigger: 'policy', status: 'accepted' });
    expect(listed.data[0]!.candidates).toBeUndefined();
    const byPattern = (await (await h.admin(`/api/optimizations?pattern=${listed.data[0]!.pattern_id}&status=accepted`)).json()) as Listed;
    expect(byPattern.data.map((r) => r.id)).toEqual([fromOptimizer[0]!.origin.run_id]);
    expect(((await (await h.admin('/api/optimizations?outcome=fixed')).json()) as Listed).data.map((r) => r.id)).toEqual([fromOptimizer[0]!.origin.run_id]);
    expect(((await (await h.admin('/api/optimizations?outcome=could_not_fix')).json()) as Listed).data).toEqual([]);
    expect(((await (await h.admin('/api/optimizations?trigger=manual')).json()) as Listed).data).toEqual([]);
    expect(((await (await h.admin('/api/optimizations?component=nobody')).json()) as Listed).data).toEqual([]);
  });
});
