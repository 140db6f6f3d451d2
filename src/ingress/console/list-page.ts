import { html } from 'hono/html';
import type { Query } from './api-client.ts';
import type { Page } from './api-types.ts';
import { field, pageHandler, render, type ConsoleContext } from './context.ts';
import type { Html } from './format.ts';
import { filterForm, pager, type FilterField, type PageOptions } from './layout.ts';

/** A console list page: an admin API list behind the page's filter form. */
export interface ListPage<T> {
  /** The page's path, title and navigation item. */
  path: string;
  title: string;
  nav: NonNullable<PageOptions['nav']>;
  /** The admin API list it shows (under /api). */
  api: string;
  /** The filters the form offers, named as in the page's query string. */
  fields: FilterField[];
  /** The API's query for the filters as typed (default: the same names and values). */
  apiQuery?: (filters: Query) => Query;
  table: (rows: T[]) => Html;
}

/** GET handler of a list page: the filter form, the API's page of rows (50) as a table, cursor paging. */
export function listPage<T>(p: ListPage<T>) {
  return pageHandler(async (c: ConsoleContext) => {
    const filters: Query = Object.fromEntries(p.fields.map((f) => [f.name, field(c.req.query(f.name))]));
    const cursor = field(c.req.query('cursor')) || undefined;
    const list = await c.get('view').api.get<Page<T>>(p.api, { ...(p.apiQuery ? p.apiQuery(filters) : filters), cursor, limit: 50 });
    return render(
      c,
      { title: p.title, nav: p.nav },
      html`${filterForm(p.path, p.fields, filters)}
${p.table(list.data)}
${pager(p.path, filters, cursor, list.next_cursor)}`,
    );
  });
}
