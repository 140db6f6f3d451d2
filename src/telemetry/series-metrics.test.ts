import { Counter, Histogram, Registry, AggregatorRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesCounter, SeriesHistogram } from './series-metrics.ts';

const labelNames = ['route', 'status'] as const;
const buckets = [0.01, 0.1, 1];
const observations: [string, string, number][] = [
  ['chat', 'success', 0.005], ['chat', 'success', 0.01], ['chat', 'success', 0.5], ['chat', 'upstream_error', 2],
  ['messages', 'success', 0.1], ['chat', 'success', 0.05], ['messages', 'success', 30],
];

function both() {
  const ours = new Registry();
  const theirs = new Registry();
  const h = new SeriesHistogram({ name: 'h_seconds', help: 'help text', labelNames, buckets, registers: [ours] });
  const c = new SeriesCounter({ name: 'c_total', help: 'counted', labelNames, registers: [ours] });
  const ph = new Histogram({ name: 'h_seconds', help: 'help text', labelNames, buckets, registers: [theirs] });
  const pc = new Counter({ name: 'c_total', help: 'counted', labelNames, registers: [theirs] });
  for (const [route, status, v] of observations) {
    h.series(route, status).observe(v);
    c.series(route, status).inc();
    ph.labels(route, status).observe(v);
    pc.labels(route, status).inc();
  }
  return { ours, theirs };
}

/** A metric's exposition lines with each line's labels sorted (label order is not significant). */
function lines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/\{([^}]*)\}/, (_, inner: string) => `{${inner.split(',').sort().join(',')}}`))
    .sort();
}

describe('series metrics', () => {
  it('export exactly what prom-client Counter and Histogram export for the same observations', async () => {
    const { ours, theirs } = both();
    expect(lines(await ours.metrics())).toEqual(lines(await theirs.metrics()));
    const project = (json: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      json.map((m) => ({ ...m, values: m.values.map((v) => ({ labels: v.labels, value: v.value, metricName: (v as { metricName?: string }).metricName })) }));
    expect(project(await ours.getMetricsAsJSON())).toEqual(project(await theirs.getMetricsAsJSON()));
  });

  it('merge across registries (the recorder thread) the way prom-client metrics do', async () => {
    const a = both().ours;
    const b = both().ours;
    const merged = await AggregatorRegistry.aggregate([await a.getMetricsAsJSON(), await b.getMetricsAsJSON()]).metrics();
    expect(merged).toMatch(/^c_total\{route="chat",status="success"\} 8$/m);
    expect(merged).toMatch(/^h_seconds_count\{route="messages",status="success"\} 4$/m);
    expect(merged).toMatch(/^h_seconds_bucket\{route="chat",status="success",le="0.01"\} 4$/m);
  });

  it('hand out one series per label set, refuse a wrong number of labels, and reset', async () => {
    const r = new Registry();
    const h = new SeriesHistogram({ name: 'x', help: 'x', labelNames, buckets, registers: [r] });
    expect(h.series('a', 'b')).toBe(h.series('a', 'b'));
    expect(() => h.series('a')).toThrow(/takes 2 label values/);
    expect(() => h.series('a', 'b').observe(Number.NaN)).toThrow(/not a valid number/);
    h.reset();
    expect((await h.get()).values).toEqual([]);
  });
});
