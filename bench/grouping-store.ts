/**
 * The stores the grouping benchmark measures against: one dedicated database per store size (all
 * named fixpoint_bench_grouping_*, dropped at the start of each run and kept afterwards for
 * inspection), seeded by grouping a labelled corpus through the real code, then grown in bulk with
 * SQL to the given number of failures, all already grouped.
 *
 * Growing keeps the store realistic: 90 % of the added failures are copies of seeded failures in the
 * real (recurring) patterns, 10 % are one-offs, each with its own older pattern whose centroid is the
 * real vector of a one-off text (so ~100k patterns at 1M failures), with a `created` event. The local
 * vectorizer's document frequencies are kept consistent with what the store holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { adminClient, recreateDatabase } from './databases.ts';
import { failures, groupingState, openDatabase, rowsOf, type Database, type Db } from '../src/db/index.ts';
import { componentsWithUngrouped, createLocalSpace, createVectorizer, defaultThresholds, failureFingerprint, failureText, groupComponentFailures, PatternCache, type DocumentFrequencies } from '../src/group/index.ts';
import { type CorpusItem, generateCorpus } from '../testkit/grouping-corpus/index.ts';
import { fallbackDescription } from '../src/group/pattern-text.ts';

/** Every database of the grouping bench starts with this; nothing else is ever dropped. */
export const GROUPING_DATABASE_PREFIX = 'fixpoint_bench_grouping_';
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
/** Share of added failures that are one-offs with their own pattern. */
const NOISE_SHARE = 0.1;
/** Patterns with at least this many seeded failures are the recurring ones copies point at. */
const RECURRING_MIN = 5;
const dfKey = 'local-document-frequencies';

/**
 * A database of the grouping bench on the server of DATABASE_URL (or the local default), named
 * fixpoint_bench_grouping_<name>, so dropping it can never touch another database.
 */
export function groupingDatabaseUrl(env: NodeJS.ProcessEnv, name: string): string {
  const url = new URL(env.DATABASE_URL ?? DEFAULT_SERVER);
  url.pathname = `/${GROUPING_DATABASE_PREFIX}${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  return url.toString();
}

/** Drops every database of the grouping bench (an earlier run's, whatever its sizes) on the server of `url`. */
export async function dropGroupingDatabases(url: string): Promise<void> {
  const admin = adminClient(url);
  try {
    const rows = await admin<{ datname: string }[]>`select datname from pg_database where starts_with(datname, ${GROUPING_DATABASE_PREFIX})`;
    for (const r of rows) await admin.unsafe(`drop database if exists "${r.datname.replace(/"/g, '""')}" with (force)`);
  } finally {
    await admin.end({ timeout: 2 });
  }
}

/** Why the server of `url` cannot be reached, or null when it answers. */
export async function postgresUnreachable(url: string): Promise<string | null> {
  const probe = adminClient(url);
  try {
    await probe`select 1`;
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await probe.end({ timeout: 2 });
  }
}

/** The corpus item as a failure row's evidence: free text in `detail` unless the kind carries its own. */
export function evidenceOf(it: CorpusItem): Record<string, unknown> {
  return it.kind === 'judge' || it.kind === 'feedback' ? it.evidence : { ...it.evidence, detail: it.text };
}

/** Inserts corpus items as ungrouped failures (no calls rows: grouping does not read them). */
export async function insertUngrouped(db: Db, items: CorpusItem[], minutesAgo: (i: number) => number): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) {
    const chunk = items.slice(i, i + 1000);
    await db.insert(failures).values(
      chunk.map((it, j) => ({
        id: crypto.randomUUID(),
        callId: crypto.randomUUID(),
        component: it.component,
        kind: it.kind,
        ruleId: it.ruleId,
        message: it.message,
        evidence: evidenceOf(it),
        callStartedAt: new Date(Date.now() - minutesAgo(i + j) * 60_000),
      })),
    );
  }
}

/** Groups every ungrouped failure through the real job code, component by component (as the sweep enqueues them). */
export async function groupEverything(db: Db, deps: Parameters<typeof groupComponentFailures>[1]): Promise<{ grouped: number; created: number; merged: number }> {
  const total = { grouped: 0, created: 0, merged: 0 };
  for (;;) {
    const comps = await componentsWithUngrouped(db);
    if (comps.length === 0) return total;
    for (const c of comps) {
      const r = await groupComponentFailures(db, deps, c);
      total.grouped += r.grouped;
      total.created += r.created;
      total.merged += r.merged;
    }
  }
}

export interface GroupingStore {
  url: string;
  database: Database;
  /** Failures in the store now. */
  count(): Promise<number>;
  /** Adds grouped failures (and one-off patterns) until the store holds `target` failures. */
  growTo(target: number): Promise<{ added: number; patterns: number; seconds: number }>;
  /** VACUUM ANALYZE and a checkpoint, so every size is measured on a settled store. */
  settle(): Promise<void>;
  /** Table and index sizes, for the report. */
  sizes(): Promise<{ failures: number; patterns: number; livePatterns: number; failuresMb: number; patternsMb: number }>;
  close(): Promise<void>;
}

/** (Re)creates the database of `url`, migrates it and seeds it with `seedSize` grouped corpus failures. */
export async function createGroupingStore(url: string, seedSize: number): Promise<GroupingStore> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!name.startsWith(GROUPING_DATABASE_PREFIX)) throw new Error(`${name} is not a grouping bench database`);
  await recreateDatabase(url);
  const dataDir = mkdtempSync(join(tmpdir(), 'fixpoint-bench-grouping-'));
  const database = openDatabase({ databaseUrl: url, dataDir });
  await database.migrate();
  const db = database.db;

  // Seed: a labelled corpus over the last week, grouped by the real job code (real centroids and merges).
  const seed = generateCorpus({ seed: 7, size: seedSize });
  await insertUngrouped(db, seed.items, () => 60 + Math.floor(Math.random() * 7 * 24 * 60));
  const space = await createLocalSpace(db);
  await groupEverything(db, { space, cache: new PatternCache(space, defaultThresholds.local.assign), mergeThreshold: defaultThresholds.local.merge, maxBatches: 100 });
  await space.save(0);

  // Copies point at the recurring patterns: templates are the seeded failures in them.
  await db.execute(sql`
    create table bench_failure_templates as
    select (row_number() over (order by f.id) - 1)::int as n, f.component, f.kind, f.rule_id, f.message, f.evidence, f.pattern_id
    from failures f join patterns p on p.id = f.pattern_id
    where p.merged_into is null and p.failure_count >= ${RECURRING_MIN}`);
  await db.execute(sql`create unique index on bench_failure_templates (n)`);
  const templates = rowsOf<{ kind: string; message: string; evidence: Record<string, unknown> }>(await db.execute(sql`select kind, message, evidence from bench_failure_templates order by n`));
  if (templates.length === 0) throw new Error('seeding produced no recurring pattern');

  // Document frequencies as the store holds them, kept in step while growing.
  const [stateRow] = await db.select({ data: groupingState.data }).from(groupingState).where(sql`${groupingState.key} = ${dfKey}`);
  const saved = stateRow?.data as DocumentFrequencies | undefined;
  if (!saved) throw new Error('seeding saved no document frequencies');
  let df: DocumentFrequencies = saved;
  const templateBuckets = (() => {
    const vz = createVectorizer({ bits: df.bits });
    return templates.map((t) => Array.from(vz.vector(failureText({ kind: t.kind, message: t.message, evidence: t.evidence ?? {} })).idx));
  })();
  let noiseSeed = 1000;

  const count = async (): Promise<number> => Number(rowsOf<{ n: string | number }>(await db.execute(sql`select count(*) as n from failures`))[0]?.n ?? 0);

  return {
    url,
    database,
    count,
    async growTo(target) {
      const t0 = performance.now();
      const have = await count();
      const add = target - have;
      if (add <= 0) return { added: 0, patterns: 0, seconds: 0 };
      const noise = Math.round(add * NOISE_SHARE);
      const copies = add - noise;

      // Copies of recurring failures, over the last 30 days.
      await db.execute(sql`
        insert into failures (id, call_id, component, kind, rule_id, message, evidence, call_started_at, created_at, pattern_id)
        select gen_random_uuid(), gen_random_uuid(), t.component, t.kind, t.rule_id, t.message, t.evidence, s.at, s.at + interval '2 seconds', t.pattern_id
        from (select g, now() - interval '1 hour' - random() * interval '30 days' as at from generate_series(1, ${copies}) g) s
        join bench_failure_templates t on t.n = s.g % ${templates.length}`);
      const counts = new Uint32Array(1 << df.bits);
      df.buckets.forEach((b, i) => (counts[b] = df.counts[i] ?? 0));
      for (let n = 0; n < templates.length; n++) {
        // g = 1 … copies takes template g % T: ⌊copies / T⌋ each, one more for 1 … copies mod T.
        const times = Math.floor(copies / templates.length) + (n >= 1 && n <= copies % templates.length ? 1 : 0);
        for (const b of templateBuckets[n] ?? []) counts[b] = (counts[b] ?? 0) + times;
      }
      let docs = df.docs + copies;

      // One-offs: a real one-off text each, its vector as the centroid of its own older pattern.
      const vz = createVectorizer({ bits: df.bits });
      vz.absorbFrequencies(toFrequencies(df.bits, docs, counts));
      for (let done = 0; done < noise; ) {
        const n = Math.min(2000, noise - done);
        const items = generateCorpus({ seed: noiseSeed++, size: n, noiseShare: 1 }).items;
        const rows = items.map((it) => {
          const evidence = evidenceOf(it);
          const text = failureText({ kind: it.kind, message: it.message, evidence });
          vz.observe(text);
          const v = vz.vector(text);
          const fp = failureFingerprint({ component: it.component, kind: it.kind, ruleId: it.ruleId, message: it.message, evidence });
          const d = fallbackDescription({ component: it.component, kind: it.kind, ruleId: it.ruleId, shape: fp.shape, failureCount: 1, topTerms: vz.topTerms(text, 6) });
          let n2 = 0;
          const val = Array.from(v.val, (x) => {
            n2 += x * x;
            return x;
          });
          return {
            id: crypto.randomUUID(),
            component: it.component,
            kind: it.kind,
            rule_id: it.ruleId,
            message: it.message,
            evidence,
            fingerprints: { [fp.key]: 1 },
            shape: fp.shape,
            title: d.title,
            summary: d.summary,
            top_terms: d.topTerms,
            centroid: { idx: Array.from(v.idx), val },
            norm2: n2,
            // Older than the recurring failures: 31 days to a year ago.
            minutes: 31 * 24 * 60 + Math.floor(Math.random() * 334 * 24 * 60),
          };
        });
        await db.execute(sql`
          with v as (
            select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
              id uuid, component text, kind text, rule_id text, message text, evidence jsonb, fingerprints jsonb, shape text,
              title text, summary text, top_terms text[], centroid jsonb, norm2 double precision, minutes int)
          ), t as (
            select v.*, now() - make_interval(mins => v.minutes) as at from v
          ), p as (
            insert into patterns (id, component, kind, rule_id, fingerprints, shape, title, summary, top_terms, space, centroid, centroid_norm2,
                                  failure_count, first_seen, last_seen, stats_at, created_at, updated_at)
            select id, component, kind, rule_id, fingerprints, shape, title, summary, top_terms, 'local', centroid, norm2, 1, at, at, at + interval '5 minutes', at, at + interval '5 minutes' from t
          ), e as (
            insert into pattern_events (id, pattern_id, at, type, to_status, detail)
            select gen_random_uuid(), id, at, 'created', 'emerging', jsonb_build_object('kind', kind, 'ruleId', rule_id) from t
          )
          insert into failures (id, call_id, component, kind, rule_id, message, evidence, call_started_at, created_at, pattern_id)
          select gen_random_uuid(), gen_random_uuid(), component, kind, rule_id, message, evidence, at, at + interval '2 seconds', id from t`);
        done += n;
      }
      docs += noise;

      // Counts and last-seen of the recurring patterns follow their failures; the frequencies are saved.
      await db.execute(sql`
        update patterns p set failure_count = c.n, last_seen = greatest(p.last_seen, c.last)
        from (select pattern_id, count(*)::int as n, max(call_started_at) as last from failures
              where pattern_id in (select distinct pattern_id from bench_failure_templates) group by pattern_id) c
        where p.id = c.pattern_id`);
      df = vz.frequencies();
      const data = df;
      await db.insert(groupingState).values({ key: dfKey, data }).onConflictDoUpdate({ target: groupingState.key, set: { data, updatedAt: sql`now()` } });
      return { added: add, patterns: noise, seconds: (performance.now() - t0) / 1000 };
    },
    async settle() {
      await db.execute(sql`vacuum analyze failures, patterns, pattern_events`);
      await db.execute(sql`checkpoint`).catch(() => undefined);
    },
    async sizes() {
      const [r] = rowsOf<{ f: string; p: string; live: string; fmb: string; pmb: string }>(
        await db.execute(sql`
          select (select count(*) from failures) as f, (select count(*) from patterns) as p,
                 (select count(*) from patterns where merged_into is null) as live,
                 pg_total_relation_size('failures') / 1048576.0 as fmb, pg_total_relation_size('patterns') / 1048576.0 as pmb`),
      );
      return { failures: Number(r?.f), patterns: Number(r?.p), livePatterns: Number(r?.live), failuresMb: Number(r?.fmb), patternsMb: Number(r?.pmb) };
    },
    async close() {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function toFrequencies(bits: number, docs: number, counts: Uint32Array): DocumentFrequencies {
  const buckets: number[] = [];
  const out: number[] = [];
  counts.forEach((n, b) => {
    if (n > 0) {
      buckets.push(b);
      out.push(n);
    }
  });
  return { bits, docs, buckets, counts: out };
}
