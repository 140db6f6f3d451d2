import { diagnoses, patternStatuses, remedies } from '../../../db/index.ts';
import type { PatternView } from '../api-types.ts';
import { listPage } from '../list-page.ts';
import { patternTable } from './components.ts';

const patternSortValues = ['failures_24h', 'failures', 'last_seen', 'created'] as const;

/** GET /console/patterns: the list with the API's filters and sort (the same names), cursor paging. */
export const patternsPage = listPage<PatternView>({
  path: '/console/patterns',
  title: 'Patterns',
  nav: 'patterns',
  api: '/patterns',
  fields: [
    { name: 'component', label: 'Component' },
    { name: 'status', label: 'Status', options: patternStatuses },
    { name: 'diagnosis', label: 'Diagnosis', options: [...diagnoses, 'undiagnosed'] },
    { name: 'remedy', label: 'Remedy', options: remedies },
    { name: 'kind', label: 'Kind', placeholder: 'judge, format, …' },
    { name: 'systematic', label: 'Systematic', options: ['true', 'false'] },
    { name: 'sort', label: 'Largest first by', options: patternSortValues },
  ],
  table: patternTable,
});
