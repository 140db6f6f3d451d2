import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failures, rowsOf, type Database } from '../src/db/index.ts';
import { createLocalSpace, defaultThresholds, groupComponentFailures, PatternCache } from '../src/group/index.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';

/**
 * Signals grouped before the check they belong with: judge verdicts grouped first (their own pattern),
 * the rule's violations on the same calls later. The batch that groups the violations finds the two
 * patterns on the same calls and merges them; an unrelated judge problem on other calls stays apart.
 */
let closeDatabase: (() => Promise<void>) | undefined;
let database: Database;
const component = 'co-occurrence';

beforeAll(async () => {
  ({ database, close: closeDatabase } = await openMigratedTestDatabase());
}, 60_000);
afterAll(async () => {
  await closeDatabase?.();
});

const callIds = Array.from({ length: 200 }, () => crypto.randomUUID());

async function storeCalls(): Promise<void> {
  await database.db.execute(sql`
    insert into calls (id, started_at, ended_at, latency_ms, route, component, status, http_status, session_id, user_id)
    select v.id, now() - interval '1 hour', now() - interval '1 hour', 100, 'chat.completions', ${component}, 'success', 200, v.id::text, v.id::text
    from jsonb_to_recordset(${JSON.stringify(callIds.map((id) => ({ id })))}::jsonb) as v(id uuid)`);
}

async function storeFailures(rows: { call: number; kind: string; ruleId: string; message: string; evidence: Record<string, unknown> }[]): Promise<void> {
  await database.db.insert(failures).values(
    rows.map((r) => ({ id: crypto.randomUUID(), callId: callIds[r.call]!, component, kind: r.kind, ruleId: r.ruleId, message: r.message, evidence: r.evidence, callStartedAt: new Date(Date.now() - 3_600_000) })),
  );
}

const labelRationales = ['The answer is not one of the allowed labels.', 'It replied with a sentence rather than a single allowed label.', 'Label outside the allowed set.'];
const factRationales = ['The refund window it quoted is wrong: the policy says thirty days.', 'Wrong refund period, the policy gives thirty days.', 'It invented a ninety day refund window.'];

describe('patterns on the same calls', () => {
  it('are merged into one, keeping every signal; a problem on other calls is not', { timeout: 60_000 }, async () => {
    await storeCalls();
    const space = await createLocalSpace(database.db);
    const deps = { space, cache: new PatternCache(space, defaultThresholds.local.assign), mergeThreshold: defaultThresholds.local.merge };
    const judge = (call: number, rationale: string) => ({ call, kind: 'judge', ruleId: 'judge:v1', message: 'judge failed the call (score 0.10)', evidence: { score: 0.1, rationale } });
    await storeFailures([...Array.from({ length: 30 }, (_, i) => judge(i, labelRationales[i % 3]!)), ...Array.from({ length: 20 }, (_, i) => judge(100 + i, factRationales[i % 3]!))]);
    await groupComponentFailures(database.db, deps, component);
    const before = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from patterns where merged_into is null`))[0]!.n;
    expect(before).toBeGreaterThanOrEqual(2);

    const got = ['BILLING_ISSUE', 'This is a billing question.', 'Billing'];
    await storeFailures(Array.from({ length: 30 }, (_, i) => ({ call: i, kind: 'rule', ruleId: 'label', message: `expected one of [billing, technical, account], got "${got[i % 3]}"`, evidence: { got: got[i % 3], expected: ['billing', 'technical', 'account'] } })));
    const r = await groupComponentFailures(database.db, deps, component);
    expect(r.merged).toBeGreaterThanOrEqual(1);

    const live = rowsOf<{ id: string; kind: string; kinds: string[]; calls: number }>(
      await database.db.execute(sql`
        select p.id, p.kind, array_agg(distinct f.kind order by f.kind) as kinds, count(distinct f.call_id)::int as calls
        from patterns p join failures f on f.pattern_id = p.id where p.merged_into is null group by p.id, p.kind`),
    );
    const label = live.find((p) => p.kinds.includes('rule'))!;
    expect(label).toMatchObject({ kind: 'rule', kinds: ['judge', 'rule'], calls: 30 });
    // The refund-window problem on calls 100–119 is a pattern (or patterns) of its own: nothing of it joined the label one.
    const others = live.filter((p) => p.id !== label.id);
    expect(others.every((p) => p.kinds.join() === 'judge')).toBe(true);
    expect(others.reduce((n, p) => n + p.calls, 0)).toBe(20);
    const events = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from pattern_events where pattern_id = ${label.id} and type = 'merged'`))[0]!.n;
    expect(events).toBeGreaterThanOrEqual(1);
  });
});
