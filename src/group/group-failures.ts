import { sql } from 'drizzle-orm';
import { failures, rowsOf, type Db } from '../db/index.ts';
import { coOccurringMerges, onePatternOf, patternsOfCalls } from './co-occurrence.ts';
import { failureText } from './failure-text.ts';
import { failureFingerprint } from './fingerprint.ts';
import type { ComponentIndex, PatternCache } from './pattern-cache.ts';
import { isFreeText, scopeOf } from './scope.ts';
import type { VectorSpace } from './vector-space.ts';
import { writeBatch, type PendingPattern } from './write-batch.ts';

/** Failures read and grouped per transaction. */
export const groupBatchSize = 500;
/** How often a component's recent patterns are all compared for merging (batches compare only those they touched). */
export const mergeAllEveryMs = 10 * 60_000;
/**
 * User feedback can arrive before its call was checked (the checks run in the background): it waits
 * up to this long after the call for them, so that it can join the pattern of a check the call broke.
 * (Judge verdicts come after the checks by construction.)
 */
const awaitChecksSeconds = 300;
/** Patterns seen within this long take part in the periodic merge pass. */
const mergeAllRecentMs = 24 * 3_600_000;

export interface GroupResult {
  grouped: number;
  created: number;
  merged: number;
  /** false when another worker held the component's lock. */
  locked: boolean;
}

interface Ungrouped {
  id: string;
  call_id: string;
  kind: string;
  rule_id: string;
  message: string;
  evidence: Record<string, unknown>;
  call_started_at: string | Date;
}

const asDate = (v: string | Date): Date => (v instanceof Date ? v : new Date(v));

/**
 * Groups a component's ungrouped failures: each joins the nearest pattern of its kind above the
 * threshold or starts one; then patterns that drifted together are merged. One transaction per batch,
 * under an advisory lock per component, so two workers never split one component's patterns.
 */
export interface GroupingDeps {
  space: VectorSpace;
  cache: PatternCache;
  mergeThreshold: number;
  /** Batches per call (20 by default: 10,000 failures). */
  maxBatches?: number;
  /** How often the merge pass over all recent patterns runs (10 minutes by default). */
  mergeAllEveryMs?: number;
  signal?: AbortSignal;
}

export async function groupComponentFailures(db: Db, deps: GroupingDeps, component: string): Promise<GroupResult> {
  const total: GroupResult = { grouped: 0, created: 0, merged: 0, locked: true };
  const maxBatches = deps.maxBatches ?? 20;
  try {
    for (let b = 0; b < maxBatches; b++) {
      deps.signal?.throwIfAborted();
      const r = await db.transaction((tx) => groupBatch(tx as unknown as Db, deps, component));
      total.grouped += r.grouped;
      total.created += r.created;
      total.merged += r.merged;
      if (!r.locked) return { ...total, locked: false };
      if (r.grouped < groupBatchSize) break;
    }
    total.merged += await db.transaction((tx) => mergeAllIfDue(tx as unknown as Db, deps, component));
  } catch (err) {
    // Memory may hold what the rolled-back transaction wrote: read the component afresh next time.
    deps.cache.drop(component);
    throw err;
  }
  await deps.space.save();
  return total;
}

/** The periodic pass: patterns that drifted together since they were last compared are merged. */
async function mergeAllIfDue(tx: Db, deps: GroupingDeps, component: string): Promise<number> {
  const lock = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext(${`fixpoint:group:${component}`})) as ok`));
  if (!lock[0]?.ok) return 0;
  const ix = await deps.cache.sync(tx, component);
  if (Date.now() - ix.mergedAllAt < (deps.mergeAllEveryMs ?? mergeAllEveryMs)) return 0;
  ix.mergedAllAt = Date.now();
  const since = Date.now() - mergeAllRecentMs;
  ix.clusterer.touch([...ix.held].filter(([, h]) => h.lastSeen >= since).map(([id]) => id));
  const { merged } = ix.clusterer.merge(deps.mergeThreshold);
  if (merged.length > 0) await writeBatch(tx, ix, deps.space, component, new Map(), new Map(), [], merged);
  else ix.clusterer.takeChanged();
  const recent = [...ix.held].filter(([, h]) => h.lastSeen >= since).map(([id]) => id);
  return merged.length + (await uniteCoOccurring(tx, ix, deps.space, component, recent));
}

/** Patterns whose failures fall on the same calls are one problem: merged, every signal kept as evidence. */
async function uniteCoOccurring(tx: Db, ix: ComponentIndex, space: VectorSpace, component: string, touched: readonly string[]): Promise<number> {
  const merges = (await coOccurringMerges(tx, component, touched)).filter(([from, into]) => ix.clusterer.unite(from, into));
  if (merges.length > 0) await writeBatch(tx, ix, space, component, new Map(), new Map(), [], merges);
  return merges.length;
}

/**
 * The next batch of the component's ungrouped failures, locked for this transaction, named checks
 * first (a judge verdict or a comment on the same call can then join their pattern). Feedback on a
 * call whose checks have not run yet waits for them (up to awaitChecksSeconds after the call).
 */
async function readUngrouped(tx: Db, component: string): Promise<Ungrouped[]> {
  const rows = rowsOf<Ungrouped>(
    await tx.execute(sql`
      select id, call_id, kind, rule_id, message, evidence, call_started_at from failures
      where component = ${component} and pattern_id is null
        and (kind <> 'feedback' or call_started_at < now() - make_interval(secs => ${awaitChecksSeconds})
          or exists (select 1 from call_evaluations e where e.call_id = failures.call_id))
      order by created_at, id
      limit ${groupBatchSize}
      for update skip locked`),
  );
  return rows.sort((x, y) => Number(isFreeText(x.kind)) - Number(isFreeText(y.kind)));
}

async function groupBatch(tx: Db, deps: GroupingDeps, component: string): Promise<GroupResult> {
  const lock = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext(${`fixpoint:group:${component}`})) as ok`));
  if (!lock[0]?.ok) return { grouped: 0, created: 0, merged: 0, locked: false };
  const ix = await deps.cache.sync(tx, component);
  const rows = await readUngrouped(tx, component);
  if (rows.length === 0) return { grouped: 0, created: 0, merged: 0, locked: true };

  const texts = rows.map((r) => failureText({ kind: r.kind, message: r.message, evidence: r.evidence ?? {} }));
  const vectors = await deps.space.vectors(texts, deps.signal);
  const assigned: { id: string; pid: string }[] = [];
  const created = new Map<string, PendingPattern>();
  const seen = new Map<string, { first: Date; last: Date }>();
  const freeTextCalls = new Set(rows.filter((r) => isFreeText(r.kind)).map((r) => r.call_id));
  const byCall = await patternsOfCalls(tx, [...freeTextCalls]);
  const resolve = (id: string): string => ix.clusterer.resolve(id);
  rows.forEach((r, i) => {
    const fp = failureFingerprint({ component, kind: r.kind, ruleId: r.rule_id, message: r.message, evidence: r.evidence ?? {} });
    const fallback = isFreeText(r.kind) ? onePatternOf(byCall, r.call_id, resolve, (id) => ix.held.get(id)?.kind) : undefined;
    const a = ix.clusterer.assign(r.id, vectors[i] as never, fp.key, scopeOf(r.kind, r.rule_id), fallback);
    if (freeTextCalls.has(r.call_id)) byCall.set(r.call_id, (byCall.get(r.call_id) ?? new Set()).add(a.clusterId));
    const at = asDate(r.call_started_at);
    if (a.created) created.set(a.clusterId, { id: a.clusterId, kind: r.kind, ruleId: r.rule_id, shape: fp.shape, text: texts[i] as string, firstSeen: at, lastSeen: at });
    const s = seen.get(a.clusterId);
    if (!s) seen.set(a.clusterId, { first: at, last: at });
    else {
      if (at < s.first) s.first = at;
      if (at > s.last) s.last = at;
    }
    assigned.push({ id: r.id, pid: a.clusterId });
    const held = ix.held.get(a.clusterId);
    ix.held.set(a.clusterId, { kind: held?.kind ?? r.kind, lastSeen: Math.max(at.getTime(), held?.lastSeen ?? 0) });
  });
  const { merged } = ix.clusterer.merge(deps.mergeThreshold);
  await writeBatch(tx, ix, deps.space, component, created, seen, assigned, merged);
  const united = await uniteCoOccurring(tx, ix, deps.space, component, [...new Set(assigned.map((a) => resolve(a.pid)))]);
  deps.cache.evict(ix);
  return { grouped: rows.length, created: created.size, merged: merged.length + united, locked: true };
}

/** Components with failures waiting to be grouped (served by a small partial index). */
export async function componentsWithUngrouped(db: Db, limit = 500): Promise<string[]> {
  const rows = rowsOf<{ component: string }>(await db.execute(sql`select distinct component from ${failures} where pattern_id is null limit ${limit}`));
  return rows.map((r) => r.component);
}
