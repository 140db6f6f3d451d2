import { sql } from 'drizzle-orm';
import { newUuidV7 } from '../core/ids.ts';
import { callEvaluations, failures, isUniqueViolation, uuidArray, type Db } from '../db/index.ts';
import type { FailureDraft } from '../evaluate/index.ts';

export interface FailureRow extends FailureDraft {
  callId: string;
  component: string;
  callStartedAt: Date;
  correction?: unknown;
}

/** Idempotent: a (call, kind, rule) already stored is left alone — or, with `replace`, updated (feedback: latest wins). */
export async function storeFailures(db: Db, rows: readonly FailureRow[], opts: { replace?: boolean } = {}): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((r) => ({
    id: newUuidV7(),
    callId: r.callId,
    component: r.component,
    kind: r.kind,
    ruleId: r.ruleId,
    message: r.message.slice(0, 2000),
    evidence: r.evidence,
    correction: r.correction ?? null,
    callStartedAt: r.callStartedAt,
  }));
  const insert = db.insert(failures).values(values);
  if (opts.replace) {
    await insert.onConflictDoUpdate({
      target: [failures.callId, failures.kind, failures.ruleId],
      set: { message: sql`excluded.message`, evidence: sql`excluded.evidence`, correction: sql`excluded.correction`, createdAt: sql`now()` },
    });
  } else {
    await insert.onConflictDoNothing();
  }
}

export async function markEvaluated(db: Db, results: readonly { callId: string; failureCount: number }[]): Promise<void> {
  if (results.length === 0) return;
  // Two array parameters, not two per call: a detection job marks up to 1,000 calls at once.
  const ids = uuidArray(results.map((r) => r.callId));
  const counts = `{${results.map((r) => r.failureCount).join(',')}}`;
  const insert = sql`insert into ${callEvaluations} (call_id, failure_count) select * from unnest(${ids}::uuid[], ${counts}::int[])`;
  // Plain first: the job loaded only calls not marked yet, and `on conflict` makes Postgres probe and
  // confirm each row (the recorder's inserts measured it at 11–15 % per row). A job that raced another
  // over the same calls marks them again with it.
  try {
    await db.execute(insert);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    await db.execute(sql`${insert} on conflict do nothing`);
  }
}
