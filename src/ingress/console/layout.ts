import { html } from 'hono/html';
import { queryString, type Query } from './api-client.ts';
import type { Html } from './format.ts';

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export interface PageOptions {
  title: string;
  /** Which item of the navigation is this page's. */
  nav?: 'components' | 'patterns' | 'runs' | 'recommendations' | 'calls';
  flash?: Flash | null;
  /** Show the logout button (a session cookie is in use). */
  session?: boolean;
}

const navItems: [NonNullable<PageOptions['nav']>, string, string][] = [
  ['components', '/console', 'Components'],
  ['patterns', '/console/patterns', 'Patterns'],
  ['runs', '/console/runs', 'Optimization runs'],
  ['recommendations', '/console/recommendations', 'Fine-tuning'],
  ['calls', '/console/calls', 'Calls'],
];

/** The page shell: head, navigation, the flash message of the last action, the content. */
export function page(o: PageOptions, content: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Fixpoint</title>
<link rel="stylesheet" href="/console/console.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/console">Fixpoint</a>
  <nav>${navItems.map(([key, href, label]) => html`<a href="${href}"${key === o.nav ? html` class="current" aria-current="page"` : ''}>${label}</a>`)}</nav>
  ${o.session ? html`<form method="post" action="/console/logout" class="logout"><button type="submit" class="link">Log out</button></form>` : ''}
</header>
<main>
${o.flash ? html`<p class="flash flash-${o.flash.kind}" role="status">${o.flash.text}</p>` : ''}
<h1>${o.title}</h1>
${content}
</main>
</body>
</html>`;
}

/** Links to the first and the next page of a cursor-paged list, keeping the filters. */
export function pager(base: string, filters: Query, cursor: string | undefined, nextCursor: string | null | undefined): Html {
  const first = cursor ? html`<a href="${base}${queryString(filters)}">← First page</a>` : '';
  const next = nextCursor ? html`<a href="${base}${queryString({ ...filters, cursor: nextCursor })}" rel="next">Next page →</a>` : '';
  return first || next ? html`<nav class="pager">${first} ${next}</nav>` : '';
}

export interface FilterField {
  name: string;
  label: string;
  /** A select of these values (with an empty "any"); a text input otherwise. */
  options?: readonly string[];
  type?: 'text' | 'datetime-local';
  placeholder?: string;
}

/** A GET form of filters, each field holding its current value. */
export function filterForm(action: string, fields: FilterField[], values: Query): Html {
  const value = (name: string): string => (values[name] === undefined || values[name] === null ? '' : String(values[name]));
  return html`<form method="get" action="${action}" class="filters">
${fields.map((f) =>
  f.options
    ? html`<label>${f.label} <select name="${f.name}"><option value="">any</option>${f.options.map((o) => html`<option value="${o}"${o === value(f.name) ? ' selected' : ''}>${o}</option>`)}</select></label>`
    : html`<label>${f.label} <input name="${f.name}" type="${f.type ?? 'text'}" value="${value(f.name)}" placeholder="${f.placeholder ?? ''}"></label>`,
)}
<button type="submit">Filter</button> <a href="${action}">Clear</a>
</form>`;
}

/** A button that POSTs to a console action; `fields` travel as hidden inputs (plus what `extra` renders). */
export function actionButton(action: string, label: string, o: { back?: string; fields?: Record<string, string>; extra?: Html; danger?: boolean } = {}): Html {
  return html`<form method="post" action="${action}" class="action">
${o.back ? html`<input type="hidden" name="back" value="${o.back}">` : ''}${Object.entries(o.fields ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}${o.extra ?? ''}<button type="submit"${o.danger ? ' class="danger"' : ''}>${label}</button>
</form>`;
}

/** An empty list's line. */
export function empty(what: string): Html {
  return html`<p class="muted">${what}</p>`;
}
