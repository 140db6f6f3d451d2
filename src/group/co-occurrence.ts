import { sql } from 'drizzle-orm';
import { rowsOf, uuidArray, type Db } from '../db/index.ts';

/**
 * One problem, several signals: the rule's violation, the judge's verdict and the user's thumbs-down
 * land on the same calls, and grouping by kind sees three patterns. Two patterns of a component are one
 * problem when their failures fall on largely the same calls — and more than chance would put them
 * there: a pattern on most of a component's calls overlaps with everything.
 */

/** The failures looked at: the last 7 days, as the statistics. */
const windowDays = 7;
/** Fewer shared calls than this say nothing. */
export const minSharedCalls = 3;
/** The shared calls must be at least this share of the smaller pattern's calls… */
export const minOverlap = 0.6;
/** …and the smaller pattern must fail this many times more often on the larger's calls than off them. */
export const minLift = 4;
/** When the larger pattern leaves fewer calls than this outside it, there is no contrast: both must nearly coincide. */
const minContrastCalls = 5;
const coincide = 0.8;

export interface PairCounts {
  /** Calls with a failure of each pattern, and of both. */
  a: number;
  b: number;
  shared: number;
  /** The component's calls in the window. */
  calls: number;
}

/** Whether two patterns' failures fall on the same calls beyond chance. */
export function sameProblem(c: PairCounts): boolean {
  if (c.shared < minSharedCalls) return false;
  const [small, large] = c.a <= c.b ? [c.a, c.b] : [c.b, c.a];
  if (c.shared / small < minOverlap) return false;
  const outside = c.calls - large;
  if (outside < minContrastCalls) return c.shared / large >= coincide;
  const rateOn = c.shared / large;
  const rateOff = (small - c.shared) / outside;
  return rateOn >= minLift * rateOff;
}

/** The order in which signals survive a merge: a named check or rule is the strongest signature, then the judge, then feedback. */
const signalRank = (kind: string): number => (kind === 'feedback' ? 2 : kind === 'judge' ? 1 : 0);

export interface CoPattern {
  id: string;
  kind: string;
  calls: number;
}

/** Which of two patterns survives their merge: the stronger signal, then the one on more calls, then the older id. */
export function survivorOf(x: CoPattern, y: CoPattern): [from: CoPattern, into: CoPattern] {
  const order = signalRank(x.kind) - signalRank(y.kind) || y.calls - x.calls || (x.id < y.id ? -1 : 1);
  return order <= 0 ? [y, x] : [x, y];
}

/**
 * Pairs of the component's live patterns (at least one of them among `touched`) that are one problem,
 * as merges [from, into].
 */
export async function coOccurringMerges(db: Db, component: string, touched: readonly string[]): Promise<[from: string, into: string][]> {
  if (touched.length === 0) return [];
  const since = sql`now() - make_interval(days => ${windowDays})`;
  const pairs = rowsOf<{ a: string; b: string; shared: string | number }>(
    await db.execute(sql`
      select least(x.pattern_id, y.pattern_id) as a, greatest(x.pattern_id, y.pattern_id) as b, count(distinct x.call_id) as shared
      from failures x join failures y on y.call_id = x.call_id and y.pattern_id <> x.pattern_id
      where x.pattern_id = any(${uuidArray(touched)}::uuid[]) and x.call_started_at > ${since} and y.call_started_at > ${since}
      group by 1, 2 having count(distinct x.call_id) >= ${minSharedCalls}`),
  );
  if (pairs.length === 0) return [];
  const ids = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const live = rowsOf<{ id: string; kind: string; calls: string | number }>(
    await db.execute(sql`
      select p.id, p.kind, count(distinct f.call_id) as calls from patterns p join failures f on f.pattern_id = p.id
      where p.id = any(${uuidArray(ids)}::uuid[]) and p.merged_into is null and f.call_started_at > ${since}
      group by p.id, p.kind`),
  );
  const byId = new Map(live.map((p) => [p.id, { id: p.id, kind: p.kind, calls: Number(p.calls) }]));
  const [total] = rowsOf<{ n: string | number }>(await db.execute(sql`select count(*) as n from calls where component = ${component} and started_at > ${since}`));
  const calls = Number(total?.n ?? 0);
  const merges: [string, string][] = [];
  // A pattern is merged away at most once per pass; a survivor may take in several.
  const mergedAway = new Set<string>();
  for (const p of [...pairs].sort((x, y) => Number(y.shared) - Number(x.shared))) {
    const a = byId.get(p.a);
    const b = byId.get(p.b);
    if (!a || !b || mergedAway.has(a.id) || mergedAway.has(b.id)) continue;
    if (!sameProblem({ a: a.calls, b: b.calls, shared: Number(p.shared), calls: Math.max(calls, a.calls, b.calls) })) continue;
    const [from, into] = survivorOf(a, b);
    merges.push([from.id, into.id]);
    mergedAway.add(from.id);
  }
  return merges;
}

/**
 * The patterns other failures of these calls are in (grouped already), by call. A judge verdict or a
 * user's comment on a call that broke a rule is most likely about that: when its text joins no
 * pattern of its own kind, it joins the one pattern its call is already in rather than starting one.
 */
export async function patternsOfCalls(db: Db, callIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (callIds.length === 0) return out;
  const rows = rowsOf<{ call_id: string; pattern_id: string }>(
    await db.execute(sql`select call_id, pattern_id from failures where call_id = any(${uuidArray([...new Set(callIds)])}::uuid[]) and pattern_id is not null`),
  );
  for (const r of rows) out.set(r.call_id, (out.get(r.call_id) ?? new Set()).add(r.pattern_id));
  return out;
}

/**
 * The one live pattern a call's other signals point at: the pattern of the check or rule it broke
 * when there is exactly one such, else its only pattern; undefined when that is ambiguous.
 */
export function onePatternOf(
  byCall: ReadonlyMap<string, ReadonlySet<string>>,
  callId: string,
  resolve: (id: string) => string,
  kindOf: (id: string) => string | undefined,
): string | undefined {
  const ids = [...new Set([...(byCall.get(callId) ?? [])].map(resolve))];
  const named = ids.filter((id) => signalRank(kindOf(id) ?? 'feedback') === 0);
  if (named.length === 1) return named[0];
  return ids.length === 1 ? ids[0] : undefined;
}
