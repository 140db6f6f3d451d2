import { inArray } from 'drizzle-orm';
import { calls, prompts, type CallSelect, type Db } from '../db/index.ts';
import { hydratePrompts, promptRefsIn } from '../prompts/index.ts';
import type { CallView } from './types.ts';

export function toCallView(row: CallSelect, promptsByHash: ReadonlyMap<string, string>): CallView {
  return {
    id: row.id,
    component: row.component,
    route: row.route,
    status: row.status,
    httpStatus: row.httpStatus,
    error: row.error,
    finishReasons: row.finishReasons,
    outputTokens: row.outputTokens,
    request: hydratePrompts(row.requestBody, promptsByHash),
    response: row.responseBody,
  };
}

/** Recorded calls by id, system prompts restored, with the row's start time. */
export async function loadCalls(db: Db, ids: readonly string[]): Promise<{ view: CallView; startedAt: Date }[]> {
  if (ids.length === 0) return [];
  const rows = await db.select().from(calls).where(inArray(calls.id, [...ids]));
  const refs = new Set<string>();
  for (const r of rows) promptRefsIn(r.requestBody, refs);
  const texts = refs.size ? await db.select().from(prompts).where(inArray(prompts.hash, [...refs])) : [];
  const byHash = new Map(texts.map((p) => [p.hash, p.content]));
  return rows.map((r) => ({ view: toCallView(r, byHash), startedAt: r.startedAt }));
}
