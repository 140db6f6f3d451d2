import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { callColumnNames, type FinalRecord } from './finalize.ts';

export interface RecordStore {
  /** Idempotent: rows already there (same call id, same prompt hash) are left alone. */
  insert(records: readonly FinalRecord[]): Promise<void>;
}

const callColumnList = sql.raw(callColumnNames.map((c) => `"${c}"`).join(', '));

/**
 * Batched inserts as one statement per table: the batch travels as a single JSON parameter that
 * Postgres expands with json_populate_recordset: the records' own JSON joined, instead of per-value
 * query building; a row the database refuses fails the statement, and the recorder splits the batch.
 */
export function createRecordStore(db: Db): RecordStore {
  return {
    async insert(records) {
      if (records.length === 0) return;
      const promptRows = new Map<string, string>();
      for (const r of records) for (const p of r.prompts) promptRows.set(p.hash, p.content);
      if (promptRows.size > 0) {
        const json = JSON.stringify([...promptRows].map(([hash, content]) => ({ hash, content })));
        await db.execute(sql`insert into prompts (hash, content)
          select hash, content from json_populate_recordset(null::prompts, ${json}::json)
          on conflict do nothing`);
      }
      const json = `[${records.map((r) => r.callJson).join(',')}]`;
      await db.execute(sql`insert into calls (${callColumnList})
        select ${callColumnList} from json_populate_recordset(null::calls, ${json}::json)
        on conflict do nothing`);
    },
  };
}

const unavailableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
]);

/**
 * True when an insert failed because the database could not be reached or is going away
 * (as opposed to a row it refused). Looks through wrappers (drizzle puts the driver's error in `cause`).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (unavailableCodes.has(code)) return true;
      // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P admin shutdown / cannot connect now.
      if (/^(08|53|57P)/.test(code)) return true;
    }
    const msg = (e as { message?: unknown }).message;
    if (typeof msg === 'string' && /PGlite is closed|connection (terminated|closed|ended)/i.test(msg)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
