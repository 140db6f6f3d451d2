import { z } from 'zod';
import { isUuid } from '../../core/ids.ts';
import { invalidRequest } from '../json-body.ts';

/** Validates a query string with a strict zod object; a 400 naming the first bad or unknown parameter otherwise. */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.infer<S> {
  const result = schema.safeParse(query);
  if (!result.success) throw invalidRequest(result.error, 'query');
  return result.data;
}

/** The query of a route that takes none: any parameter is unknown. */
export const noQuery = z.strictObject({});

/** The paging fields of every list: `limit` (1–500, default 50) and `cursor` (the last id of the previous page). */
export function pagingFields(what: string) {
  return {
    limit: z.coerce.number().int().min(1).max(500).default(50).describe('page size, 1–500'),
    cursor: z.string().refine(isUuid, `must be a ${what} id from next_cursor`).optional().describe('next_cursor of the previous page'),
  };
}

/** One page of a list fetched with `limit + 1` rows, newest first: the page and the cursor of the next one. */
export function pageOf<T extends { id: string }>(rows: readonly T[], limit: number): { data: T[]; next_cursor: string | null } {
  const data = rows.slice(0, limit);
  return { data, next_cursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
}
