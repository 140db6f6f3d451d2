import { z } from 'zod';

/**
 * Building blocks of the admin API's response schemas (the OpenAPI document is generated from them,
 * and the handlers' answers are typed by them): ISO 8601 UTC times, snake_case keys.
 */

/** `2026-12-06T17:17:30.235Z`. */
export const time = z.iso.datetime();
export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

/** A snake_case key: lower case, digits and underscores. */
const snakeKey = z.string().regex(/^[a-z0-9_]+$/);

/** Stored JSON the gateway wrote (evidence, event details, a gate's numbers): an object with snake_case keys. */
export const storedObject = z.record(snakeKey, z.unknown());

/** Someone else's data (a request or response body, a correction): any JSON, as it came. */
export const userData = z.unknown();

/** A page of a list: the items and the cursor of the next page (null on the last). */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}
