import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { createMetrics } from '../src/telemetry/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const metricNames = (text: string) => new Set([...text.matchAll(/\bfixpoint_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));

describe('dashboards and alert rules', () => {
  it('use only metrics the gateway and worker export', async () => {
    const registry = new Registry();
    createMetrics(registry);
    const exported = new Set([...(await registry.metrics()).matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    const dashboard = readFileSync(path.join(root, 'dashboards/fixpoint-overview.json'), 'utf8');
    const alerts = readFileSync(path.join(root, 'dashboards/alerts.yml'), 'utf8');
    const used = new Set([...metricNames(dashboard), ...metricNames(alerts)]);
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(exported, name).toContain(name);
  });

  it('are well-formed: a Grafana dashboard with panels, and Prometheus rule groups', () => {
    const dashboard = JSON.parse(readFileSync(path.join(root, 'dashboards/fixpoint-overview.json'), 'utf8')) as { panels: { type: string; title?: string; targets?: { expr: string }[] }[] };
    expect(dashboard.panels.length).toBeGreaterThan(5);
    // Rows (e.g. "Fine-tuning") only group the panels below them; every other panel queries something.
    expect(dashboard.panels.every((p) => (p.type === 'row' ? Boolean(p.title) : (p.targets?.length ?? 0) > 0))).toBe(true);
    const rules = parse(readFileSync(path.join(root, 'dashboards/alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    expect(rules.groups[0]?.rules.every((r) => r.alert && r.expr)).toBe(true);
  });
});
