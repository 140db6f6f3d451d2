import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import { failures, rowsOf, type Database } from '../src/db/index.ts';
import { createLocalSpace, defaultThresholds, groupComponentFailures, PatternCache, refreshPatterns } from '../src/group/index.ts';
import { adjustedRandIndex, completeness, type Corpus, generateCorpus, purity } from '../testkit/grouping-corpus/index.ts';
import { createJobSystem, type JobSystem } from '../src/jobs/index.ts';
import { createMetrics } from '../src/telemetry/index.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';

/**
 * Grouping quality and systematic detection on a labelled corpus, through the real grouping job and
 * the real statistics on a real database: the labels never reach the grouping code.
 */
let closeDatabase: (() => Promise<void>) | undefined;
let database: Database;
let jobs: JobSystem;

beforeAll(async () => {
  ({ database, close: closeDatabase } = await openMigratedTestDatabase());
  jobs = createJobSystem({ redisUrl: undefined, prefix: 'corpus', logger: pino({ level: 'silent' }) });
}, 60_000);
afterAll(async () => {
  await jobs?.close(100);
  await closeDatabase?.();
});

/** Stores the corpus as calls (with sessions and users) and failures, spread over its windows (hours ago). */
async function store(corpus: Corpus): Promise<Map<string, string>> {
  const db = database.db;
  const labelOf = new Map<string, string>();
  const rows = corpus.items.map((it, i) => {
    const callId = crypto.randomUUID();
    const id = crypto.randomUUID();
    labelOf.set(id, it.label);
    const minutes = it.window * 60 + 5 + (i % 50);
    const freeText = it.kind === 'judge' || it.kind === 'feedback';
    return { id, callId, it, minutes, evidence: freeText ? it.evidence : { ...it.evidence, detail: it.text } };
  });
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await db.execute(sql`
      insert into calls (id, started_at, ended_at, latency_ms, route, component, status, http_status, session_id, user_id)
      select v.id, now() - make_interval(mins => v.minutes), now() - make_interval(mins => v.minutes), 100, 'chat', v.component, 'success', 200, v.session, v.usr
      from jsonb_to_recordset(${JSON.stringify(chunk.map((r) => ({ id: r.callId, minutes: r.minutes, component: r.it.component, session: r.it.sessionId, usr: r.it.userId })))}::jsonb)
        as v(id uuid, minutes int, component text, session text, usr text)`);
    await db.insert(failures).values(
      chunk.map((r) => ({
        id: r.id,
        callId: r.callId,
        component: r.it.component,
        kind: r.it.kind,
        ruleId: r.it.ruleId,
        message: r.it.message,
        evidence: r.evidence,
        callStartedAt: sql`now() - make_interval(mins => ${r.minutes})` as unknown as Date,
      })),
    );
  }
  // The calls that did not fail: the rest of each component's traffic, over the same hours.
  for (const [component, c] of Object.entries(corpus.calls)) {
    const failed = corpus.items.filter((it) => it.component === component).length;
    await db.execute(sql`
      insert into calls (id, started_at, ended_at, latency_ms, route, component, status, http_status, session_id, user_id)
      select gen_random_uuid(), now() - make_interval(mins => (g % 240) + 5), now(), 100, 'chat', ${component}, 'success', 200, 's' || (g % 400), 'u' || (g % 120)
      from generate_series(1, ${c.total - failed}) g`);
  }
  return labelOf;
}

describe('grouping a labelled corpus through the database', () => {
  it('reaches adjusted Rand index ≥ 0.9 with the local fallback, and flags every true pattern as systematic and none of the noise', async () => {
    const corpus = generateCorpus({ seed: 11, size: 2500 });
    const labelOf = await store(corpus);
    const space = await createLocalSpace(database.db);
    const cache = new PatternCache(space, defaultThresholds.local.assign);
    for (const component of Object.keys(corpus.calls)) {
      const r = await groupComponentFailures(database.db, { space, cache, mergeThreshold: defaultThresholds.local.merge, maxBatches: 100 }, component);
      expect(r.locked).toBe(true);
    }
    const assigned = rowsOf<{ id: string; pattern_id: string | null }>(await database.db.execute(sql`select id, pattern_id from failures`));
    expect(assigned.every((a) => a.pattern_id !== null)).toBe(true);
    const labels = assigned.map((a) => labelOf.get(a.id) as string);
    const predicted = assigned.map((a) => a.pattern_id as string);
    const ari = adjustedRandIndex(labels, predicted);
    console.log(`corpus seed 11 through the database: ARI ${ari.toFixed(3)}, purity ${purity(labels, predicted).toFixed(3)}, completeness ${completeness(labels, predicted).toFixed(3)}`);
    expect(ari).toBeGreaterThanOrEqual(0.9);

    const config = loadConfig({});
    const deps = { db: database.db, jobs, settings: config.file.patterns, summariesConfigured: false, metrics: createMetrics(new Registry()), logger: pino({ level: 'silent' }) };
    while ((await refreshPatterns(deps)) > 0) {
      // until every pattern has statistics
    }
    const verdicts = rowsOf<{ id: string; systematic: boolean }>(await database.db.execute(sql`select id, systematic from patterns where merged_into is null`));
    const majority = new Map<string, string>();
    const byPattern = new Map<string, Map<string, number>>();
    assigned.forEach((a, i) => {
      const m = byPattern.get(a.pattern_id as string) ?? new Map<string, number>();
      m.set(labels[i] as string, (m.get(labels[i] as string) ?? 0) + 1);
      byPattern.set(a.pattern_id as string, m);
    });
    for (const [pid, m] of byPattern) majority.set(pid, [...m].sort((x, y) => y[1] - x[1])[0]?.[0] as string);
    const systematicLabels = new Set(verdicts.filter((v) => v.systematic).map((v) => majority.get(v.id)));
    const truePatterns = corpus.patterns.map((p) => p.label);
    console.log(`systematic patterns: ${verdicts.filter((v) => v.systematic).length} of ${verdicts.length}; true patterns ${truePatterns.length}`);
    for (const label of truePatterns) expect(systematicLabels, label).toContain(label);
    expect([...systematicLabels].filter((l) => l?.startsWith('noise:'))).toEqual([]);
  }, 120_000);
});

describe('grouping by several workers at once', () => {
  it('never splits a component between two workers: one holds the lock, the other finds nothing to do or waits its turn', async () => {
    const db = database.db;
    const component = 'concurrent';
    const n = 1200;
    await db.insert(failures).values(
      Array.from({ length: n }, (_, i) => ({
        id: crypto.randomUUID(),
        callId: crypto.randomUUID(),
        component,
        kind: 'rule',
        ruleId: 'label',
        message: `expected one of [billing, technical, account], got "${['BILLING_ISSUE', 'TECH', 'Account-Access'][i % 3]}"`,
        evidence: { expected: ['billing', 'technical', 'account'], got: ['BILLING_ISSUE', 'TECH', 'Account-Access'][i % 3] },
        callStartedAt: new Date(),
      })),
    );
    // Two workers: each its own cache and vector space, as two processes would have.
    const workers = await Promise.all(
      [0, 1].map(async () => {
        const space = await createLocalSpace(db);
        return { space, cache: new PatternCache(space, defaultThresholds.local.assign), mergeThreshold: defaultThresholds.local.merge, maxBatches: 100 };
      }),
    );
    const results = await Promise.all(workers.map((w) => groupComponentFailures(db, w, component)));
    // Whoever was turned away by the lock goes again (the sweep would enqueue it again).
    for (const [i, r] of results.entries()) if (!r.locked) await groupComponentFailures(db, workers[i]!, component);
    const grouped = results.reduce((s, r) => s + r.grouped, 0);
    expect(grouped).toBeLessThanOrEqual(n);
    const rows = rowsOf<{ pattern_id: string | null; n: string | number }>(
      await db.execute(sql`select pattern_id, count(*) as n from failures where component = ${component} group by 1`),
    );
    expect(rows.every((r) => r.pattern_id !== null)).toBe(true);
    // The same rule broken the same way is one pattern, not one per worker.
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.n)).toBe(n);
    const live = rowsOf<{ n: string | number }>(await db.execute(sql`select count(*) as n from patterns where component = ${component} and merged_into is null`));
    expect(Number(live[0]!.n)).toBe(1);
  }, 60_000);
});

describe('the periodic merge pass', () => {
  it('merges patterns that drifted together, moves their failures, and leaves the old id pointing at the survivor', async () => {
    const db = database.db;
    const component = 'drift';
    const texts = ['refund window quoted as ninety days', 'refund window wrong, said ninety days instead of thirty', 'thirty day refund window misquoted as ninety'];
    await db.insert(failures).values(
      texts.map((t) => ({ id: crypto.randomUUID(), callId: crypto.randomUUID(), component, kind: 'judge', ruleId: 'judge:r1', message: 'judge failed the call', evidence: { rationale: t }, callStartedAt: new Date() })),
    );
    const space = await createLocalSpace(db);
    const cache = new PatternCache(space, 0.99);
    // Strict thresholds first: each failure its own pattern, nothing merged.
    const first = await groupComponentFailures(db, { space, cache, mergeThreshold: 0.99 }, component);
    expect(first).toMatchObject({ grouped: 3, created: 3, merged: 0 });
    // Later, a looser merge threshold and the pass due: the three become one.
    const pass = await groupComponentFailures(db, { space, cache, mergeThreshold: 0.1, mergeAllEveryMs: 0 }, component);
    expect(pass).toMatchObject({ grouped: 0, merged: 2 });
    const rows = rowsOf<{ id: string; merged_into: string | null; failure_count: number }>(
      await db.execute(sql`select id, merged_into, failure_count from patterns where component = ${component}`),
    );
    const live = rows.filter((r) => r.merged_into === null);
    expect(live).toHaveLength(1);
    expect(live[0]!.failure_count).toBe(3);
    expect(rows.filter((r) => r.merged_into !== null).every((r) => r.merged_into === live[0]!.id)).toBe(true);
    const owners = rowsOf<{ pattern_id: string }>(await db.execute(sql`select distinct pattern_id from failures where component = ${component}`));
    expect(owners.map((o) => o.pattern_id)).toEqual([live[0]!.id]);
  });
});
