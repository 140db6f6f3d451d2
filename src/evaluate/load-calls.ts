import { inArray, sql } from 'drizzle-orm';
import { callEvaluations, calls, prompts, uuidArray, type CallSelect, type Db } from '../db/index.ts';
import { hydratePrompts, promptRefsIn } from '../prompts/index.ts';
import type { CallView } from './types.ts';

/**
 * The columns a CallView is made of, and the start time: what loadCalls reads. Not the whole row: a
 * detection job loads up to 1,000 calls, and every column more is text the database formats and the
 * driver parses per call (timestamps, metadata) for nothing.
 */
const viewColumns = {
  id: calls.id,
  component: calls.component,
  route: calls.route,
  status: calls.status,
  httpStatus: calls.httpStatus,
  error: calls.error,
  finishReasons: calls.finishReasons,
  outputTokens: calls.outputTokens,
  requestBody: calls.requestBody,
  responseBody: calls.responseBody,
  startedAt: calls.startedAt,
};
type ViewRow = Pick<CallSelect, keyof typeof viewColumns>;

export function toCallView(row: ViewRow, promptsByHash: ReadonlyMap<string, string>): CallView {
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

/**
 * Recorded calls by id, system prompts restored, with the row's start time. `unevaluated`: only the
 * calls detection has not marked evaluated yet (its own filter, in the same statement: a separate
 * query for the marks cost the embedded database a statement and a result per detection job).
 */
export async function loadCalls(db: Db, ids: readonly string[], opts: { unevaluated?: boolean } = {}): Promise<{ view: CallView; startedAt: Date }[]> {
  if (ids.length === 0) return [];
  const byId = sql`${calls.id} = any(${uuidArray(ids)}::uuid[])`;
  const rows = await db
    .select(viewColumns)
    .from(calls)
    .where(opts.unevaluated ? sql`${byId} and not exists (select 1 from ${callEvaluations} where ${callEvaluations.callId} = ${calls.id})` : byId);
  const refs = new Set<string>();
  for (const r of rows) promptRefsIn(r.requestBody, refs);
  const texts = refs.size ? await db.select().from(prompts).where(inArray(prompts.hash, [...refs])) : [];
  const byHash = new Map(texts.map((p) => [p.hash, p.content]));
  return rows.map((r) => ({ view: toCallView(r, byHash), startedAt: r.startedAt }));
}
