import { eq, sql } from 'drizzle-orm';
import type { PatternSettings } from '../config/index.ts';
import { newUuidV7 } from '../core/ids.ts';
import { patternEvents, patterns, rowsOf, type Db, type PatternRow } from '../db/index.ts';
import type { JobSystem } from '../jobs/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import { nextStatus, type PatternStatus } from './lifecycle.ts';
import { callsSince, componentTraffic, patternStats, type ComponentTraffic } from './pattern-stats.ts';
import { evidenceHolds } from './stats.ts';

/** Patterns refreshed per sweep. */
const refreshBatch = 500;
/** Failures before a judge or feedback pattern is worth a diagnosis or a written summary. */
const minExamples = 3;

export interface RefreshDeps {
  db: Db;
  jobs: JobSystem;
  settings: PatternSettings;
  summariesConfigured: boolean;
  metrics: Metrics;
  logger: Logger;
  /** Defaults to counting afresh each time. */
  traffic?: (db: Db, component: string) => Promise<ComponentTraffic>;
}

/** A pattern touched by grouping has its statistics recomputed at most this often. */
const touchedEverySeconds = 5;
/** A busy component's call counts are reused this long (they feed hourly and daily windows)… */
const trafficTtlMs = 30_000;
/** …when it has more calls than this in 7 days; smaller ones are cheap to count afresh. */
const busyComponentCalls = 50_000;

/**
 * Patterns whose statistics are due: new ones; and live ones (seen in 7 days, or still systematic)
 * whose statistics are older than the refresh period, or older than a few seconds and than the last
 * grouping that touched them.
 */
async function duePatterns(db: Db, refreshSeconds: number): Promise<PatternRow[]> {
  return db
    .select()
    .from(patterns)
    .where(
      sql`${patterns.mergedInto} is null and (${patterns.statsAt} is null or (
        (${patterns.lastSeen} > now() - interval '7 days' or ${patterns.status} in ('systematic', 'regressed'))
        and (${patterns.statsAt} < now() - make_interval(secs => ${refreshSeconds})
          or (${patterns.updatedAt} > ${patterns.statsAt} and ${patterns.statsAt} < now() - make_interval(secs => ${touchedEverySeconds})))))`,
    )
    .orderBy(sql`${patterns.statsAt} nulls first`)
    .limit(refreshBatch);
}

/** Call counts per component; a busy component's are reused for `trafficTtlMs`, so it is not counted on every sweep. */
export function createTrafficCache(): (db: Db, component: string) => Promise<ComponentTraffic> {
  const held = new Map<string, { at: number; traffic: ComponentTraffic }>();
  return async (db, component) => {
    const hit = held.get(component);
    if (hit && Date.now() - hit.at < trafficTtlMs) return hit.traffic;
    const traffic = await componentTraffic(db, component);
    if (traffic.d7 > busyComponentCalls) held.set(component, { at: Date.now(), traffic });
    if (held.size > 1000) held.delete(held.keys().next().value as string);
    return traffic;
  };
}

function needsDiagnosis(p: PatternRow, statusChanged: boolean): boolean {
  const byConstruction = p.kind !== 'judge' && p.kind !== 'feedback';
  if (p.diagnosis === null) return byConstruction || p.failureCount >= minExamples;
  if (statusChanged) return true;
  return !byConstruction && p.failureCount >= minExamples && p.failureCount >= 2 * p.diagnosedAt;
}

function needsDescription(p: PatternRow, summariesConfigured: boolean): boolean {
  if (p.failureCount < minExamples) return false;
  if (p.summaryAt === 0) return summariesConfigured || p.kind === 'judge' || p.kind === 'feedback';
  return p.failureCount >= 2 * p.summaryAt;
}

/**
 * Recomputes due patterns' statistics, moves their lifecycle, and asks for a diagnosis or a summary
 * where one is due. Returns how many were refreshed.
 */
export async function refreshPatterns(deps: RefreshDeps): Promise<number> {
  const due = await duePatterns(deps.db, deps.settings.refreshSeconds);
  const traffic = deps.traffic ?? createTrafficCache();
  for (const p of due) {
    const t = await traffic(deps.db, p.component);
    const stats = await patternStats(deps.db, p.id, t, deps.settings.systematic);
    const { systematic, ...stored } = stats;
    const status = p.status as PatternStatus;
    let quietWithTraffic = false;
    if (status === 'systematic' || status === 'regressed') {
      const quietSince = new Date(Date.now() - deps.settings.resolveAfterHours * 3_600_000);
      quietWithTraffic = p.lastSeen < quietSince && (await callsSince(deps.db, p.component, p.lastSeen)) > 0;
    }
    const next = nextStatus({ status, systematic, evidenceHolds: evidenceHolds(stats.unmet), quietWithTraffic, recentFailures: stats.windows.h24 });
    // Grouping may have touched the pattern while these statistics were computed: then they are
    // dated to the version they describe, so the pattern stays due and is counted again.
    const readVersion = p.updatedAt.toISOString();
    const statsAt = sql`case when ${patterns.updatedAt} < ${readVersion}::timestamptz + interval '1 millisecond' then clock_timestamp() else ${readVersion}::timestamptz end`;
    await deps.db.update(patterns).set({ stats: stored, statsAt, systematic, status: next }).where(eq(patterns.id, p.id));
    if (next !== status) {
      await deps.db.insert(patternEvents).values({ id: newUuidV7(), patternId: p.id, type: 'status', fromStatus: status, toStatus: next, detail: { rateLowerBound: stats.rateLowerBound, h24: stats.windows.h24, unmet: stats.unmet } });
      deps.logger.info({ patternId: p.id, component: p.component, from: status, to: next }, 'pattern status changed');
    }
    if (needsDiagnosis(p, next !== status)) await enqueueQuietly(deps, 'diagnose.pattern', p.id, `diagnose:${p.id}`);
    if (needsDescription(p, deps.summariesConfigured)) await enqueueQuietly(deps, 'group.describe', p.id, `describe:${p.id}`);
  }
  return due.length;
}

async function enqueueQuietly(deps: RefreshDeps, name: 'diagnose.pattern' | 'group.describe', patternId: string, jobId: string): Promise<void> {
  try {
    await deps.jobs.enqueue(name, { patternId }, { jobId });
  } catch (err) {
    // The next refresh asks again (the condition still holds).
    deps.logger.warn({ patternId, job: name, err: (err as Error).message }, 'could not enqueue; the next refresh retries');
  }
}

/** Sets the pattern gauges from the table: counts by status and diagnosis, and the 50 largest patterns. */
export async function updatePatternGauges(db: Db, metrics: Metrics): Promise<void> {
  const live = sql`merged_into is null and (last_seen > now() - interval '7 days' or status in ('systematic', 'regressed'))`;
  const counts = rowsOf<{ component: string; status: string; diagnosis: string | null; remedy: string; n: string | number }>(
    await db.execute(sql`select component, status, diagnosis, remedy, count(*) as n from patterns where ${live} group by 1, 2, 3, 4`),
  );
  const top = rowsOf<{ id: string; component: string; title: string; status: string; diagnosis: string | null; h24: string | number | null; share: string | number | null }>(
    await db.execute(sql`
      select id, component, title, status, diagnosis, (stats->'windows'->>'h24')::int as h24, (stats->>'share24h')::float8 as share
      from patterns where ${live} and stats is not null
      order by (stats->'windows'->>'h24')::int desc nulls last limit 50`),
  );
  metrics.patterns.reset();
  metrics.systematicPatterns.reset();
  metrics.patternFailures.reset();
  metrics.patternShare.reset();
  const component = (c: string): string => metrics.label.component(c);
  for (const r of counts) {
    metrics.patterns.labels(component(r.component), r.status, r.diagnosis ?? 'undiagnosed').inc(Number(r.n));
    if (r.status === 'systematic' || r.status === 'regressed') metrics.systematicPatterns.labels(component(r.component), r.diagnosis ?? 'undiagnosed', r.remedy).inc(Number(r.n));
  }
  for (const r of top) {
    const labels = [component(r.component), r.id, r.status, r.diagnosis ?? 'undiagnosed'] as const;
    metrics.patternFailures.labels(...labels).set(Number(r.h24 ?? 0));
    metrics.patternShare.labels(...labels).set(Number(r.share ?? 0));
  }
}
