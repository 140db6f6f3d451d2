import { sql } from 'drizzle-orm';
import type { PatternSettings } from '../config/index.ts';
import { rowsOf, type Db, type StoredPatternStats } from '../db/index.ts';
import { isSystematic } from './stats.ts';

export interface ComponentTraffic {
  h1: number;
  h24: number;
  d7: number;
  /** Hours of the last 24 in which the component had calls. */
  hoursWithTraffic: number;
}

/** Calls of a component per window (one scan of its index over the last 7 days). */
export async function componentTraffic(db: Db, component: string): Promise<ComponentTraffic> {
  const [r] = rowsOf<{ h1: string | number; h24: string | number; d7: string | number; hours: string | number }>(
    await db.execute(sql`
      select
        count(*) filter (where started_at > now() - interval '1 hour') as h1,
        count(*) filter (where started_at > now() - interval '24 hours') as h24,
        count(*) as d7,
        count(distinct date_trunc('hour', started_at)) filter (where started_at > now() - interval '24 hours') as hours
      from calls where component = ${component} and started_at > now() - interval '7 days'`),
  );
  return { h1: Number(r?.h1 ?? 0), h24: Number(r?.h24 ?? 0), d7: Number(r?.d7 ?? 0), hoursWithTraffic: Number(r?.hours ?? 0) };
}

/** Calls of a component since a moment (is it quiet because it was fixed, or because nobody calls it?). */
export async function callsSince(db: Db, component: string, since: Date): Promise<number> {
  const [r] = rowsOf<{ n: string | number }>(await db.execute(sql`select count(*) as n from calls where component = ${component} and started_at > ${since.toISOString()}::timestamptz`));
  return Number(r?.n ?? 0);
}

/**
 * A pattern's counts per window, its spread over sessions and users, and whether it is systematic.
 * Counted in calls, not failures: a pattern holding several signals of one problem (the rule, the
 * judge, the user's feedback) has several failures on one call, and its share is of calls.
 */
export async function patternStats(db: Db, patternId: string, traffic: ComponentTraffic, settings: PatternSettings['systematic']): Promise<StoredPatternStats & { systematic: boolean }> {
  const [r] = rowsOf<Record<'h1' | 'h24' | 'd7' | 'hours' | 'sessions' | 'users', string | number>>(
    await db.execute(sql`
      select
        count(distinct f.call_id) filter (where f.call_started_at > now() - interval '1 hour') as h1,
        count(distinct f.call_id) filter (where f.call_started_at > now() - interval '24 hours') as h24,
        count(distinct f.call_id) as d7,
        count(distinct date_trunc('hour', f.call_started_at)) filter (where f.call_started_at > now() - interval '24 hours') as hours,
        count(distinct c.session_id) as sessions,
        count(distinct c.user_id) as users
      from failures f left join calls c on c.id = f.call_id
      where f.pattern_id = ${patternId} and f.call_started_at > now() - interval '7 days'`),
  );
  const n = (k: keyof NonNullable<typeof r>): number => Number(r?.[k] ?? 0);
  const windows = traffic.hoursWithTraffic;
  const hoursSeen = n('hours');
  const verdict = isSystematic(
    {
      failures: n('d7'),
      calls: Math.max(traffic.d7, n('d7')),
      windows: Array.from({ length: Math.max(windows, hoursSeen) }, (_, i) => ({ count: i < hoursSeen ? 1 : 0, calls: 1 })),
      // Calls that carry neither sessions nor users cannot show spread: it is not held against them.
      distinctSessions: n('sessions') === 0 && n('users') === 0 ? Number.POSITIVE_INFINITY : n('sessions'),
      distinctUsers: n('users'),
    },
    settings,
  );
  return {
    windows: { h1: n('h1'), h24: n('h24'), d7: n('d7') },
    componentCalls: { h1: traffic.h1, h24: traffic.h24, d7: traffic.d7 },
    share24h: traffic.h24 > 0 ? n('h24') / traffic.h24 : 0,
    rateLowerBound: verdict.rateLowerBound,
    hoursSeen,
    hoursWithTraffic: windows,
    sessions: n('sessions'),
    users: n('users'),
    unmet: verdict.unmet,
    systematic: verdict.systematic,
  };
}
