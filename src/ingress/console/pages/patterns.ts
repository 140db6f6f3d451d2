import { html } from 'hono/html';
import { diagnoses, patternStatuses, remedies } from '../../../db/index.ts';
import type { Query } from '../api-client.ts';
import type { Page, PatternView } from '../api-types.ts';
import { pageHandler, field, render, type ConsoleContext } from '../context.ts';
import { filterForm, pager } from '../layout.ts';
import { patternTable } from './components.ts';

/** The filters of GET /api/patterns, as the console offers them (the same names). */
const patternSortValues = ['failures_24h', 'failures', 'last_seen', 'created'] as const;
const filterNames = ['component', 'status', 'diagnosis', 'remedy', 'kind', 'systematic', 'sort'] as const;

/** GET /console/patterns: the list with the API's filters and sort, cursor paging. */
export const patternsPage = pageHandler(async (c: ConsoleContext) => {
  const filters: Query = {};
  for (const name of filterNames) filters[name] = field(c.req.query(name));
  const cursor = field(c.req.query('cursor')) || undefined;
  const list = await c.get('view').api.get<Page<PatternView>>('/patterns', { ...filters, cursor, limit: 50 });
  return render(
    c,
    { title: 'Patterns', nav: 'patterns' },
    html`${filterForm(
      '/console/patterns',
      [
        { name: 'component', label: 'Component' },
        { name: 'status', label: 'Status', options: patternStatuses },
        { name: 'diagnosis', label: 'Diagnosis', options: [...diagnoses, 'undiagnosed'] },
        { name: 'remedy', label: 'Remedy', options: remedies },
        { name: 'kind', label: 'Kind', placeholder: 'judge, format, …' },
        { name: 'systematic', label: 'Systematic', options: ['true', 'false'] },
        { name: 'sort', label: 'Largest first by', options: patternSortValues },
      ],
      filters,
    )}
${patternTable(list.data)}
${pager('/console/patterns', filters, cursor, list.next_cursor)}`,
  );
});
