/**
 * The dashboard's queries and the alert rules against a live Prometheus (Debian's `prometheus`,
 * installed by .ci/run) scraping a live gateway: the rules load and evaluate, every panel query
 * (with Grafana's variables filled in) is valid PromQL, the variables' label_values find the
 * scraped instance and the component that made calls, and the filtered queries return its data.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.ts';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;

interface Dashboard {
  templating: { list: { name: string; query: { query: string } }[] };
  panels: { type: string; title?: string; targets?: { expr: string; refId: string }[] }[];
}
const dashboard = JSON.parse(readFileSync(path.join(root, 'dashboards/fixpoint-overview.json'), 'utf8')) as Dashboard;

/** Grafana's variables as a user with "All" selected and a 6 h range would have them. */
const fillVariables = (expr: string) =>
  expr.replaceAll('$instance', '.*').replaceAll('$component', '.*').replaceAll('$__range', '6h').replaceAll('$__rate_interval', '1m');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!hasPrometheus)('dashboards and alert rules on a live Prometheus', () => {
  let h: Harness;
  let prometheus: ChildProcess;
  let dir: string;
  let api: string;
  let target: string;

  const query = async (promql: string) => {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
    return (await res.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string> }[] } };
  };

  beforeAll(async () => {
    h = await startHarness();
    const openai = clientFor(h);
    for (const component of ['billing-bot', 'search-agent']) {
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-fixpoint-component': component } });
    }
    target = new URL(h.gateway.url).host;
    dir = mkdtempSync(path.join(tmpdir(), 'fixpoint-prometheus-'));
    const config = [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(path.join(root, 'dashboards/alerts.yml'))}]`,
      'scrape_configs:',
      `  - job_name: fixpoint`,
      `    static_configs: [{ targets: [${JSON.stringify(target)}] }]`,
    ].join('\n');
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    prometheus.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await eventually(async () => {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      expect((await fetch(`${api}/-/ready`)).ok).toBe(true);
    }, 30_000, 200);
    // Two scrapes at least, so rates have two samples.
    await eventually(async () => {
      const r = await query(`count_over_time(up{job="fixpoint"}[1m])`);
      expect(Number((r.data?.result[0] as unknown as { value: [number, string] } | undefined)?.value[1] ?? 0)).toBeGreaterThanOrEqual(3);
    }, 30_000, 200);
  }, 60_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    if (prometheus && prometheus.exitCode === null) await new Promise((resolve) => prometheus.once('exit', resolve));
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads every alert rule and evaluates it without error', async () => {
    const rules = await eventually(async () => {
      const res = (await (await fetch(`${api}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
      const all = res.data.groups.flatMap((g) => g.rules);
      expect(all.every((r) => r.health !== 'unknown')).toBe(true);
      return all;
    }, 20_000, 200);
    expect(rules.length).toBeGreaterThan(10);
    for (const r of rules) expect({ rule: r.name, health: r.health, error: r.lastError ?? '' }).toEqual({ rule: r.name, health: 'ok', error: '' });
  });

  it('accepts every panel query, with the variables filled in as Grafana does', async () => {
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${p.title} ${t.refId}`, expr: fillVariables(t.expr) })));
    expect(exprs.length).toBeGreaterThan(20);
    for (const { where, expr } of exprs) {
      const r = await query(expr);
      expect({ where, status: r.status, error: r.error ?? '' }).toEqual({ where, status: 'success', error: '' });
    }
  });

  it("finds the scraped instance and the components through the variables' label_values", async () => {
    const values = async (variable: string) => {
      const q = dashboard.templating.list.find((v) => v.name === variable)!.query.query;
      const m = /^label_values\((.+), (\w+)\)$/.exec(fillVariables(q))!;
      const res = (await (await fetch(`${api}/api/v1/label/${m[2]}/values?match[]=${encodeURIComponent(m[1]!)}`)).json()) as { data: string[] };
      return res.data;
    };
    expect(await values('instance')).toContain(target);
    expect(await values('component')).toEqual(expect.arrayContaining(['billing-bot', 'search-agent']));
  });

  it('returns the calls through the filtered panel queries', async () => {
    const requests = dashboard.panels.find((p) => p.title === 'Requests by route and status')!.targets![0]!.expr;
    const selected = requests.replaceAll('$instance', target.replaceAll('.', '\\\\.')).replaceAll('$component', 'billing-bot');
    await eventually(async () => {
      const r = await query(selected);
      expect(r.data?.result.map((s) => s.metric['route'])).toEqual(['chat.completions']);
    }, 20_000, 200);
    const other = await query(requests.replaceAll('$instance', '.*').replaceAll('$component', 'no-such-component'));
    expect(other.data?.result).toEqual([]);
  });
});
