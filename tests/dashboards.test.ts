import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { createMetrics } from '../src/telemetry/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const baseName = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
const metricNames = (text: string) => new Set([...text.matchAll(/\bfixpoint_[a-z0-9_]+/g)].map((m) => baseName(m[0])));

interface Target {
  expr: string;
  refId: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  type: string;
  title?: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  fieldConfig?: { defaults?: { unit?: string }; overrides?: { matcher: { id: string; options: string }; properties: { id: string; value: unknown }[] }[] };
}
interface Variable {
  name: string;
  type: string;
  datasource?: { uid: string };
  query: { query: string } | string;
}
interface Dashboard {
  __inputs?: { name: string; type: string; pluginId: string }[];
  __requires?: { type: string; id: string }[];
  templating: { list: Variable[] };
  panels: Panel[];
}
interface Rule {
  alert: string;
  expr: string;
  annotations?: Record<string, string>;
}

const dashboardText = read('dashboards/fixpoint-overview.json');
const dashboard = JSON.parse(dashboardText) as Dashboard;
const alertsText = read('dashboards/alerts.yml');
const rules = (parse(alertsText) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');

/** Every exported metric and its label names, from the one createMetrics(). */
function exportedLabels(): Map<string, readonly string[]> {
  const registry = new Registry();
  createMetrics(registry);
  return new Map(registry.getMetricsAsArray().map((m) => [m.name, (m as unknown as { labelNames?: readonly string[] }).labelNames ?? []]));
}

/** The Markdown heading anchors of a docs page, as GitHub makes them. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    anchors.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}

describe('dashboards and alert rules', () => {
  it('use only metrics the gateway and worker export', () => {
    const exported = exportedLabels();
    const used = new Set([...metricNames(dashboardText), ...metricNames(alertsText)]);
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect([...exported.keys()], name).toContain(name);
  });

  it('are well-formed: a Grafana dashboard with panels, and Prometheus rule groups', () => {
    expect(dashboard.panels.length).toBeGreaterThan(5);
    // Rows (e.g. "Fine-tuning") only group the panels below them; every other panel queries something.
    expect(dashboard.panels.every((p) => (p.type === 'row' ? Boolean(p.title) : (p.targets?.length ?? 0) > 0))).toBe(true);
    expect(rules.length).toBeGreaterThan(5);
    expect(rules.every((r) => r.alert && r.expr)).toBe(true);
  });
});

describe('the dashboard imports into any Grafana', () => {
  it('asks for the Prometheus data source on import (__inputs) and every panel, query and variable uses it', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    expect(dashboard.__requires).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'datasource', id: 'prometheus' }), expect.objectContaining({ type: 'grafana' })]));
    for (const p of queryPanels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      for (const t of p.targets ?? []) expect(t.datasource?.uid, `${p.title} ${t.refId}`).toBe('${DS_PROMETHEUS}');
    }
    for (const v of dashboard.templating.list) expect(v.datasource?.uid, v.name).toBe('${DS_PROMETHEUS}');
    // No data source named any other way (a hard-coded uid would not exist in the importer's Grafana).
    const uids = new Set([...dashboardText.matchAll(/"uid":\s*"([^"]*)"/g)].map((m) => m[1]));
    uids.delete('fixpoint-overview');
    expect([...uids]).toEqual(['${DS_PROMETHEUS}']);
  });

  it('has instance and component variables from label_values queries', () => {
    const byName = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    for (const name of ['instance', 'component']) {
      const v = byName.get(name);
      expect(v?.type, name).toBe('query');
      const query = typeof v!.query === 'string' ? v!.query : v!.query.query;
      expect(query).toMatch(new RegExp(`^label_values\\(fixpoint_[a-z_]+(\\{[^}]*\\})?, ${name}\\)$`));
    }
  });

  it('filters every metric by $instance, and by $component where the metric has that label', () => {
    const labels = exportedLabels();
    let filtered = 0;
    for (const p of queryPanels) {
      for (const t of p.targets ?? []) {
        for (const m of t.expr.matchAll(/\b(fixpoint_[a-z0-9_]+)(\{[^}]*\})?/g)) {
          const where = `${p.title}: ${m[0]}`;
          const matchers = m[2] ?? '';
          expect(matchers, where).toContain('instance=~"$instance"');
          const hasComponent = labels.get(baseName(m[1]!))?.includes('component') ?? false;
          if (hasComponent) {
            expect(matchers, where).toContain('component=~"$component"');
            filtered++;
          } else expect(matchers, where).not.toContain('$component');
        }
      }
    }
    expect(filtered).toBeGreaterThan(10);
  });

  it('gives every panel a unit that fits what its queries return, one kind of unit per panel', () => {
    /** What a query returns, in Grafana units: a ratio, seconds, dollars, bytes, per second, or a count. */
    const unitKindOf = (expr: string): string => {
      if (/_usd_total/.test(expr)) return 'currency';
      if (/_bytes\b/.test(expr)) return 'bytes';
      if (/histogram_quantile/.test(expr)) return 'seconds';
      if (/\)\s*\/\s*sum/.test(expr) || /_share_/.test(expr)) return 'ratio';
      if (/\brate\(/.test(expr)) return 'per-second';
      return 'count'; // gauges, and increase() over a window: counts, not rates
    };
    const kindOfUnit = (unit: string): string => {
      if (unit === 'percentunit') return 'ratio';
      if (unit === 's') return 'seconds';
      if (unit === 'currencyUSD') return 'currency';
      if (unit === 'bytes') return 'bytes';
      if (unit === 'reqps' || unit === 'ops' || unit.endsWith('/s')) return 'per-second';
      if (unit === 'short' || unit === 'none') return 'count';
      return `unknown unit ${unit}`;
    };
    for (const p of queryPanels) {
      const unit = p.fieldConfig?.defaults?.unit;
      expect(unit, `${p.title} has no unit`).toBeTruthy();
      for (const t of p.targets ?? []) {
        const override = p.fieldConfig?.overrides?.find((o) => o.matcher.options === `Value #${t.refId}`)?.properties.find((x) => x.id === 'unit')?.value as string | undefined;
        expect(kindOfUnit(override ?? unit!), `${p.title} ${t.refId}: ${t.expr}`).toBe(unitKindOf(t.expr));
      }
    }
  });

  it('shows feedback as counts over the selected range, not as a rate', () => {
    const feedback = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)).filter((e) => e.includes('fixpoint_feedback_total'));
    expect(feedback.length).toBeGreaterThan(0);
    for (const e of feedback) expect(e).toMatch(/increase\(fixpoint_feedback_total\{[^}]*\}\[\$__range\]\)/);
  });
});

describe('alert rules', () => {
  it('each has a runbook_url at its own section of the docs, and the section exists', () => {
    for (const r of rules) {
      const url = r.annotations?.['runbook_url'];
      expect(url, r.alert).toMatch(/^docs\/[a-z0-9-]+\.md#[a-z0-9-]+$/);
      const [file, anchor] = url!.split('#') as [string, string];
      expect(existsSync(path.join(root, file)), url).toBe(true);
      expect([...anchorsOf(read(file))], `${r.alert}: no heading for #${anchor} in ${file}`).toContain(anchor);
      expect(anchor, 'one section per alert, named after it').toBe(r.alert.toLowerCase());
    }
  });
});
