/**
 * Detection marks the calls it checked with one plain insert; a job that raced another over the same
 * calls (some marked already) marks the rest and keeps the earlier marks, and loadCalls with
 * `unevaluated` leaves the marked calls out.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { newUuidV7 } from '../src/core/ids.ts';
import { callEvaluations, calls, type Database } from '../src/db/index.ts';
import { markEvaluated } from '../src/detect/store-failures.ts';
import { loadCalls } from '../src/evaluate/index.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';

let database: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ database, close } = await openMigratedTestDatabase());
}, 60_000);
afterAll(() => close());

async function storeCall(id: string): Promise<void> {
  await database.db.insert(calls).values({
    id, startedAt: new Date(), endedAt: new Date(), latencyMs: 1, route: 'chat.completions', component: 'router', provider: 'openai',
    requestedModel: 'gpt-4o-mini', status: 'success', httpStatus: 200, stream: false, requestBody: { model: 'gpt-4o-mini', messages: [] },
    responseBody: { choices: [] }, properties: {}, attempts: [],
  } as typeof calls.$inferInsert);
}

it('marks calls once: an overlapping mark keeps the earlier counts, and marked calls are not loaded as unevaluated', async () => {
  const ids = [newUuidV7(), newUuidV7(), newUuidV7()];
  for (const id of ids) await storeCall(id);
  await markEvaluated(database.db, [{ callId: ids[0] as string, failureCount: 2 }]);
  expect((await loadCalls(database.db, ids, { unevaluated: true })).map((l) => l.view.id).sort()).toEqual([ids[1], ids[2]].sort());
  expect(await loadCalls(database.db, ids)).toHaveLength(3);

  // A second job over all three (the first already marked by another job): no error, the first mark stays.
  await markEvaluated(database.db, ids.map((callId) => ({ callId, failureCount: 0 })));
  const rows = await database.db.select().from(callEvaluations).where(sql`${callEvaluations.callId} = any(${`{${ids.join(',')}}`}::uuid[])`);
  expect(Object.fromEntries(rows.map((r) => [r.callId, r.failureCount]))).toEqual({ [ids[0] as string]: 2, [ids[1] as string]: 0, [ids[2] as string]: 0 });
  expect(await loadCalls(database.db, ids, { unevaluated: true })).toEqual([]);
});
