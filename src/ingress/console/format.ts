import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** A fragment of a page: escaped HTML (every interpolation in `html` is escaped unless it is escaped HTML already); '' for nothing. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString> | '';

/** Parses an API time: ISO 8601, or Postgres text (`2026-12-06 17:17:30.235+00`). */
export function parseTime(value: unknown): Date | null {
  if (typeof value !== 'string' && !(value instanceof Date)) return null;
  const text = typeof value === 'string' ? value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00') : value;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `2026-12-06 17:17:30 UTC` in a <time> element ('–' for none). */
export function time(value: unknown): Html {
  const d = parseTime(value);
  if (!d) return html`<span class="muted">–</span>`;
  const iso = d.toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC</time>`;
}

export function percent(x: unknown, digits = 1): string {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : '–';
}

export function num(x: unknown, digits = 0): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function usd(x: unknown): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  return `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;
}

/** A status word as a coloured badge (the class names are the words, styled in style.ts). */
export function badge(word: unknown): Html {
  if (typeof word !== 'string' || word === '') return html`<span class="muted">–</span>`;
  return html`<span class="badge badge-${word.replace(/[^a-z_]/g, '')}">${word.replace(/_/g, ' ')}</span>`;
}

/** Any JSON value, pretty-printed in a <pre> (escaped). */
export function jsonBlock(value: unknown): Html {
  return html`<pre class="json">${JSON.stringify(value, null, 2) ?? 'null'}</pre>`;
}

/** A short id for tables: the first 8 characters, the whole id as its title. */
export function shortId(id: unknown): Html {
  const s = typeof id === 'string' ? id : '';
  return html`<code title="${s}">${s.slice(0, 8)}</code>`;
}

/** Path segment, encoded. */
export const seg = (s: string): string => encodeURIComponent(s);
