/** Readers for parsed JSON of unknown shape: request and response bodies, stored evidence. */

export type JsonRecord = Record<string, unknown>;

/** A plain object (not null, not an array). */
export const isRecord = (v: unknown): v is JsonRecord => typeof v === 'object' && v !== null && !Array.isArray(v);
export const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
export const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const objOf = (v: unknown): JsonRecord => (isRecord(v) ? v : {});

/** A value as JSON text; '' for what JSON cannot hold (undefined, a cycle, a BigInt). */
export function jsonOrEmpty(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}
