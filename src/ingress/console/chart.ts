import { html } from 'hono/html';
import type { Html } from './format.ts';

export interface TrafficPoint {
  at: string;
  calls: number;
  failed_calls: number;
}

/** A series of counts over time (a pattern's failures per hour). */
export interface CountPoint {
  at: string;
  count: number;
}

const label = (at: string, bucket: 'hour' | 'day'): string => (bucket === 'hour' ? `${at.slice(11, 16)}` : at.slice(5, 10));

/**
 * Calls per bucket as bars and the failure rate (failed / calls) as a line, drawn on the server as
 * SVG: no script. Each bucket carries a <title> (shown on hover) with its figures.
 */
export function trafficChart(points: TrafficPoint[], o: { bucket: 'hour' | 'day'; width?: number; height?: number; compact?: boolean }): Html {
  const width = o.width ?? 640;
  const height = o.height ?? 160;
  const pad = o.compact ? { l: 0, r: 0, t: 2, b: 2 } : { l: 36, r: 40, t: 10, b: 22 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const n = Math.max(points.length, 1);
  const maxCalls = Math.max(1, ...points.map((p) => p.calls));
  const slot = w / n;
  const x = (i: number): number => pad.l + i * slot;
  const rate = (p: TrafficPoint): number | null => (p.calls > 0 ? p.failed_calls / p.calls : null);
  const line = points
    .map((p, i) => ({ r: rate(p), i }))
    .filter((q): q is { r: number; i: number } => q.r !== null)
    .map((q) => `${(x(q.i) + slot / 2).toFixed(1)},${(pad.t + h - q.r * h).toFixed(1)}`)
    .join(' ');
  const summary = `${points.reduce((s, p) => s + p.calls, 0)} calls, ${points.reduce((s, p) => s + p.failed_calls, 0)} failed, per ${o.bucket}`;
  return html`<svg class="chart${o.compact ? ' compact' : ''}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${summary}">
<title>${summary}</title>
${points.map((p, i) => {
  const bh = (p.calls / maxCalls) * h;
  const r = rate(p);
  return html`<g><title>${p.at.slice(0, 16).replace('T', ' ')} UTC: ${p.calls} calls, ${p.failed_calls} failed${r === null ? '' : ` (${(r * 100).toFixed(1)} %)`}</title><rect class="bar" x="${(x(i) + 1).toFixed(1)}" y="${(pad.t + h - bh).toFixed(1)}" width="${Math.max(slot - 2, 1).toFixed(1)}" height="${bh.toFixed(1)}"></rect></g>`;
})}
${line ? html`<polyline class="rate" points="${line}"></polyline>` : ''}
${o.compact
  ? ''
  : html`<line class="axis" x1="${pad.l}" y1="${pad.t + h}" x2="${pad.l + w}" y2="${pad.t + h}"></line>
<text class="tick" x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end">${maxCalls}</text>
<text class="tick" x="${pad.l - 4}" y="${pad.t + h}" text-anchor="end">0</text>
<text class="tick rate-tick" x="${pad.l + w + 4}" y="${pad.t + 8}">100 %</text>
<text class="tick rate-tick" x="${pad.l + w + 4}" y="${pad.t + h}">0 %</text>
${points.length ? html`<text class="tick" x="${pad.l}" y="${height - 6}">${label(points[0]!.at, o.bucket)}</text><text class="tick" x="${pad.l + w}" y="${height - 6}" text-anchor="end">${label(points.at(-1)!.at, o.bucket)}</text>` : ''}`}
</svg>${o.compact ? '' : html`<p class="legend"><span class="key key-bar"></span> calls <span class="key key-rate"></span> failure rate (calls with a failure / calls)</p>`}`;
}

/** Counts per bucket as bars (a pattern's failures over time). */
export function countChart(points: CountPoint[], o: { what: string; width?: number; height?: number }): Html {
  const width = o.width ?? 640;
  const height = o.height ?? 120;
  const pad = { l: 36, r: 8, t: 10, b: 22 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const max = Math.max(1, ...points.map((p) => p.count));
  const slot = w / Math.max(points.length, 1);
  const summary = `${points.reduce((s, p) => s + p.count, 0)} ${o.what}`;
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${summary}">
<title>${summary}</title>
${points.map((p, i) => {
  const bh = (p.count / max) * h;
  return html`<g><title>${p.at.slice(0, 16).replace('T', ' ')} UTC: ${p.count} ${o.what}</title><rect class="bar bar-failures" x="${(pad.l + i * slot + 1).toFixed(1)}" y="${(pad.t + h - bh).toFixed(1)}" width="${Math.max(slot - 2, 1).toFixed(1)}" height="${bh.toFixed(1)}"></rect></g>`;
})}
<line class="axis" x1="${pad.l}" y1="${pad.t + h}" x2="${pad.l + w}" y2="${pad.t + h}"></line>
<text class="tick" x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end">${max}</text>
<text class="tick" x="${pad.l - 4}" y="${pad.t + h}" text-anchor="end">0</text>
${points.length ? html`<text class="tick" x="${pad.l}" y="${height - 6}">${points[0]!.at.slice(5, 16).replace('T', ' ')}</text><text class="tick" x="${pad.l + w}" y="${height - 6}" text-anchor="end">${points.at(-1)!.at.slice(5, 16).replace('T', ' ')}</text>` : ''}
</svg>`;
}
