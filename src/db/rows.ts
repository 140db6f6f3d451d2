/** drizzle's execute() resolves to the rows (postgres.js) or to `{ rows }` (PGlite): the rows either way. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
