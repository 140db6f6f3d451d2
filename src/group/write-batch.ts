import { sql } from 'drizzle-orm';
import { newUuidV7 } from '../core/ids.ts';
import { patternEvents, patterns, type Db } from '../db/index.ts';
import type { ComponentIndex } from './pattern-cache.ts';
import { fallbackDescription } from './pattern-text.ts';
import type { VectorSpace } from './vector-space.ts';

/** A pattern a batch started: its row is written with the batch. */
export interface PendingPattern {
  id: string;
  kind: string;
  ruleId: string;
  shape: string;
  text: string;
  firstSeen: Date;
  lastSeen: Date;
}

type Seen = Map<string, { first: Date; last: Date }>;

/**
 * Writes what a batch (or the periodic merge pass) did in memory, in the transaction that holds the
 * component's lock: new patterns, failures pointed at their patterns, merges, and the centroids,
 * counts and times of every pattern touched.
 */
export async function writeBatch(
  tx: Db,
  ix: ComponentIndex,
  space: VectorSpace,
  component: string,
  created: Map<string, PendingPattern>,
  seen: Seen,
  assigned: { id: string; pid: string }[],
  merged: [from: string, into: string][],
): Promise<void> {
  const resolve = (id: string): string => ix.clusterer.resolve(id);
  const changed = ix.clusterer.takeChanged();
  const mergedAway = new Set(merged.map(([from]) => from));
  // New patterns first (their rows must exist before anything points at them).
  await insertPatterns(tx, ix, space, component, [...created.values()]);
  // Failures point at the live pattern (a pattern merged in this batch resolves to its survivor).
  if (assigned.length > 0) await tx.execute(sql`
    update failures f set pattern_id = v.pid
    from jsonb_to_recordset(${JSON.stringify(assigned.map((a) => ({ id: a.id, pid: resolve(a.pid) })))}::jsonb) as v(id uuid, pid uuid)
    where f.id = v.id`);
  await recordMerges(tx, ix, merged);
  // Centroids, counts and times of every live pattern touched.
  await updateTouched(tx, ix, changed.filter((id) => !mergedAway.has(id)), seen);
  await carryOverMerged(tx, merged);
}

/** Rows for the patterns a batch started, with a fallback description and a 'created' event each. */
async function insertPatterns(tx: Db, ix: ComponentIndex, space: VectorSpace, component: string, fresh: PendingPattern[]): Promise<void> {
  if (fresh.length === 0) return;
  await tx.insert(patterns).values(
    fresh.map((p) => {
      const st = ix.clusterer.state(p.id) ?? { sum: { idx: [], val: [] }, size: 1, fingerprints: {} };
      const d = fallbackDescription({ component, kind: p.kind, ruleId: p.ruleId, shape: p.shape, failureCount: st.size, topTerms: space.topTerms(p.text, 6) });
      return {
        id: p.id,
        component,
        kind: p.kind,
        ruleId: p.ruleId,
        fingerprints: st.fingerprints,
        shape: p.shape,
        title: d.title,
        summary: d.summary,
        topTerms: d.topTerms,
        space: space.name,
        centroid: st.sum,
        centroidNorm2: norm2(st.sum.val),
        failureCount: st.size,
        firstSeen: p.firstSeen,
        lastSeen: p.lastSeen,
        updatedAt: sql`clock_timestamp()`,
      };
    }),
  );
  await tx.insert(patternEvents).values(fresh.map((p) => ({ id: newUuidV7(), patternId: p.id, type: 'created', toStatus: 'emerging', detail: { kind: p.kind, ruleId: p.ruleId } })));
}

/** Each merge: the failures move to the survivor, the merged pattern points at it, a 'merged' event. */
async function recordMerges(tx: Db, ix: ComponentIndex, merged: [from: string, into: string][]): Promise<void> {
  for (const [from, into] of merged) {
    await tx.execute(sql`update failures set pattern_id = ${into} where pattern_id = ${from}`);
    await tx.execute(sql`update patterns set merged_into = ${into}, updated_at = clock_timestamp() where id = ${from}`);
    await tx.insert(patternEvents).values({ id: newUuidV7(), patternId: into, type: 'merged', detail: { from } });
    ix.held.delete(from);
  }
}

/** Centroids, counts, fingerprints and first/last seen of the live patterns touched, in one statement. */
async function updateTouched(tx: Db, ix: ComponentIndex, live: string[], seen: Seen): Promise<void> {
  const states = live.flatMap((id) => {
    const st = ix.clusterer.state(id);
    if (!st) return [];
    const s = seen.get(id);
    return [{ id, centroid: st.sum, norm2: norm2(st.sum.val), size: st.size, fingerprints: st.fingerprints, first: s?.first.toISOString() ?? null, last: s?.last.toISOString() ?? null }];
  });
  if (states.length === 0) return;
  await tx.execute(sql`
    update patterns p set
      centroid = v.centroid, centroid_norm2 = v.norm2, failure_count = v.size, fingerprints = v.fingerprints,
      first_seen = least(p.first_seen, coalesce(v.first, p.first_seen)),
      last_seen = greatest(p.last_seen, coalesce(v.last, p.last_seen)),
      updated_at = clock_timestamp()
    from jsonb_to_recordset(${JSON.stringify(states)}::jsonb)
      as v(id uuid, centroid jsonb, norm2 double precision, size integer, fingerprints jsonb, first timestamptz, last timestamptz)
    where p.id = v.id`);
}

/**
 * What merged-away patterns knew carries over to their survivors: times, and a written summary or
 * a diagnosis the survivor does not have yet (both are redone when the survivor doubles).
 */
async function carryOverMerged(tx: Db, merged: [from: string, into: string][]): Promise<void> {
  for (const [from, into] of merged) {
    await tx.execute(sql`
      update patterns p set
        first_seen = least(p.first_seen, m.first_seen), last_seen = greatest(p.last_seen, m.last_seen),
        title = case when p.summary_at = 0 and m.summary_at > 0 then m.title else p.title end,
        summary = case when p.summary_at = 0 and m.summary_at > 0 then m.summary else p.summary end,
        summary_source = case when p.summary_at = 0 and m.summary_at > 0 then m.summary_source else p.summary_source end,
        top_terms = case when p.summary_at = 0 and m.summary_at > 0 then m.top_terms else p.top_terms end,
        summary_at = case when p.summary_at = 0 and m.summary_at > 0 then m.summary_at else p.summary_at end,
        diagnosis = coalesce(p.diagnosis, m.diagnosis),
        diagnosis_confidence = case when p.diagnosis is null then m.diagnosis_confidence else p.diagnosis_confidence end,
        diagnosis_reasons = case when p.diagnosis is null then m.diagnosis_reasons else p.diagnosis_reasons end,
        diagnosis_source = case when p.diagnosis is null then m.diagnosis_source else p.diagnosis_source end,
        diagnosed_at = case when p.diagnosis is null then m.diagnosed_at else p.diagnosed_at end
      from patterns m where m.id = ${from} and p.id = ${into}`);
  }
}

function norm2(val: number[]): number {
  let s = 0;
  for (const w of val) s += w * w;
  return s;
}
