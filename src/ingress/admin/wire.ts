/**
 * The admin API's one style: snake_case keys and ISO 8601 UTC times. Handlers build their answers from
 * rows (camelCase, Date) and stored JSON we wrote (camelCase keys), and pass them through `toWire`,
 * which renames keys and turns times into `2026-12-06T17:17:30.235Z` — Dates from drizzle and PGlite,
 * and the text Postgres sends for raw SQL results (`2026-12-06 17:17:30.235+00`). Payloads the
 * gateway did not write (a call's request and response bodies, its properties, a correction) pass
 * untouched.
 */

/** `failureCount` → `failure_count`; snake_case keys stay as they are. */
export type SnakeCase<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}` : S;

/** The JSON form of T: snake_case keys, times as strings. */
export type Wire<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T as K extends string ? SnakeCase<K> : K]: K extends OpaqueKey ? T[K] : Wire<T[K]> }
      : T;

/** Keys whose values are someone else's data, kept as they came (in either spelling). */
const opaqueKeys = new Set(['requestBody', 'responseBody', 'properties', 'correction', 'request_body', 'response_body']);
type OpaqueKey = 'requestBody' | 'responseBody' | 'properties' | 'correction';

export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A timestamp as Postgres writes it in text (`2026-12-06 17:17:30.235+00`) or as ISO with an offset. */
const PG_TIME = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d(:?\d\d)?)$/;

/** A time as ISO 8601 UTC: a Date, or timestamp text from a raw query. */
export function isoTime(value: Date | string): string {
  return (value instanceof Date ? value : new Date(PG_TIME.test(value) && !value.includes('T') ? value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00') : value)).toISOString();
}

export function toWire<T>(value: T): Wire<T> {
  return convert(value) as Wire<T>;
}

function convert(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return PG_TIME.test(value) ? isoTime(value) : value;
  if (Array.isArray(value)) return value.map(convert);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[snakeCase(k)] = opaqueKeys.has(k) ? v : convert(v);
  return out;
}
