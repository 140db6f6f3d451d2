/** drizzle's execute() resolves to the rows (postgres.js) or to `{ rows }` (PGlite): the rows either way. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/**
 * Ids as one Postgres array literal, for `= any(${uuidArray(ids)}::uuid[])`: one parameter whatever
 * the count, for postgres.js and PGlite alike (an `in (...)` list is a parameter per id for the
 * driver to bind and the database to parse and plan: 1,000 for a detection job's batch).
 */
export function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}
