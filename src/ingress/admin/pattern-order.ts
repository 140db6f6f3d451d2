import { desc, sql, type SQL } from 'drizzle-orm';
import { AppError } from '../../core/errors.ts';
import { isUuid } from '../../core/ids.ts';
import { patterns } from '../../db/index.ts';

/**
 * The orders of GET /api/patterns, all largest (or latest) first, ties broken by id:
 *
 * - `failures_24h` (default): failures in the last 24 hours, as of the pattern's statistics
 *   (`stats.windows.h24`, refreshed at least every `patterns.refreshSeconds`; none yet counts 0);
 * - `failures`: failures in all;
 * - `last_seen`: the latest failure;
 * - `created`: when the pattern was created.
 */
export const patternSorts = ['failures_24h', 'failures', 'last_seen', 'created'] as const;
export type PatternSort = (typeof patternSorts)[number];

interface SortKey {
  /** The value ordered by. */
  expr: SQL;
  /** The same value as text for the cursor, exact (timestamps to the microsecond, in UTC). */
  text: SQL;
  /** What a cursor's value must look like, and the type it is cast back to. */
  shape: RegExp;
  cast: SQL;
}

const INTEGER = /^-?\d{1,18}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function integerKey(expr: SQL): SortKey {
  return { expr, text: sql`(${expr})::text`, shape: INTEGER, cast: sql.raw('bigint') };
}

function timestampKey(expr: SQL): SortKey {
  return { expr, text: sql`to_char((${expr}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, shape: TIMESTAMP, cast: sql.raw('timestamptz') };
}

const keys: Record<PatternSort, SortKey> = {
  failures_24h: integerKey(sql`coalesce((${patterns.stats}->'windows'->>'h24')::integer, 0)`),
  failures: integerKey(sql`${patterns.failureCount}`),
  last_seen: timestampKey(sql`${patterns.lastSeen}`),
  created: timestampKey(sql`${patterns.createdAt}`),
};

/** An opaque cursor: the sort, the last row's sort value and its id (base64url JSON). */
export function encodePatternCursor(sort: PatternSort, value: string, id: string): string {
  return Buffer.from(JSON.stringify([sort, value, id])).toString('base64url');
}

function badCursor(why: string): AppError {
  return new AppError('invalid_request', `cursor: ${why}`, { param: 'cursor' });
}

function decodePatternCursor(cursor: string, sort: PatternSort): { value: string; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('must be a next_cursor of this list');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string')) throw badCursor('must be a next_cursor of this list');
  const [from, value, id] = parsed as [string, string, string];
  if (from !== sort) throw badCursor(`comes from a list sorted by ${from}, not ${sort}; page with the sort it came from`);
  if (!keys[sort].shape.test(value) || !isUuid(id)) throw badCursor('must be a next_cursor of this list');
  return { value, id };
}

/** The ORDER BY, the cursor's text of each row, and the keyset condition for the page after `cursor`. */
export function patternOrder(sort: PatternSort, cursor: string | undefined): { orderBy: SQL[]; cursorText: SQL<string>; after: SQL | null } {
  const key = keys[sort];
  let after: SQL | null = null;
  if (cursor !== undefined) {
    const c = decodePatternCursor(cursor, sort);
    // (value, id) below the last row's, in the descending order of both: rows that tie on the value
    // are split by id, so no row is skipped or repeated across pages.
    after = sql`(${key.expr}, ${patterns.id}) < (cast(${c.value} as ${key.cast}), cast(${c.id} as uuid))`;
  }
  return { orderBy: [desc(key.expr), desc(patterns.id)], cursorText: sql<string>`${key.text}`, after };
}
