/**
 * Makes captured values acceptable to Postgres `text` and `jsonb` (and `->>` on `json`), which reject the NUL character
 * (U+0000) and lone UTF-16 surrogates (they cannot be encoded as UTF-8). Both are replaced by
 * U+FFFD. Well-formed surrogate pairs (emoji and other astral characters) are kept.
 */

/** NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSAFE_SOURCE = '\\u0000|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const UNSAFE = new RegExp(UNSAFE_SOURCE);
const UNSAFE_ALL = new RegExp(UNSAFE_SOURCE, 'g');
const REPLACEMENT = '\uFFFD';

function sanitizeString(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, REPLACEMENT) : s;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sanitizeValue(value: unknown): unknown {
  if (typeof value === 'string') return sanitizeString(value);
  if (Array.isArray(value)) return value.map(sanitizeValue);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const clean = sanitizeValue(value[key]);
    const cleanKey = sanitizeString(key);
    // A plain assignment to "__proto__" would set the prototype instead of an own property.
    if (cleanKey === '__proto__') {
      Object.defineProperty(out, cleanKey, { value: clean, enumerable: true, writable: true, configurable: true });
    } else {
      out[cleanKey] = clean;
    }
  }
  return out;
}

/**
 * A deep copy of `value` in which every string, object keys included, has NUL characters and lone
 * surrogates replaced by U+FFFD. Arrays and plain objects are copied; numbers, booleans, null and
 * other non-plain values pass through unchanged. The input is never mutated.
 */
export function sanitizeForPostgres<T>(value: T): T {
  return sanitizeValue(value) as T;
}

/** True when `value` (deeply, keys included) holds a string that sanitizeForPostgres would change. */
export function needsSanitizing(value: unknown): boolean {
  if (typeof value === 'string') return UNSAFE.test(value);
  if (Array.isArray(value)) return value.some(needsSanitizing);
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) {
    if (UNSAFE.test(key) || needsSanitizing(value[key])) return true;
  }
  return false;
}
