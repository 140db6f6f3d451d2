import { z } from 'zod';
import { AppError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';

/** Validates a query string with zod; a 400 naming the first bad field otherwise. */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.infer<S> {
  const result = schema.safeParse(query);
  if (!result.success) {
    const issue = result.error.issues[0];
    const param = issue?.path.map(String).join('.') || undefined;
    throw new AppError('invalid_request', `${param ?? 'query'}: ${issue?.message ?? 'invalid'}`, param ? { param } : {});
  }
  return result.data;
}

/** The paging fields of every list: `limit` (1–500, default 50) and `cursor` (the last id of the previous page). */
export function pagingFields(what: string) {
  return {
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().refine(isUuid, `must be a ${what} id from next_cursor`).optional(),
  };
}

/** One page of a list fetched with `limit + 1` rows, newest first: the page and the cursor of the next one. */
export function pageOf<T extends { id: string }>(rows: readonly T[], limit: number): { data: T[]; next_cursor: string | null } {
  const data = rows.slice(0, limit);
  return { data, next_cursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
}
