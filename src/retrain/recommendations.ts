import { and, eq, inArray, sql } from 'drizzle-orm';
import type { RetrainSettings } from '../config/index.ts';
import { newUuidV7 } from '../core/ids.ts';
import {
  finetuneRecommendations, isUniqueViolation, moveRecommendation, recommendationEvents, rowsOf,
  type Db, type ExampleCounts, type RecommendationRow, type RecommendedPattern,
} from '../db/index.ts';
import { recommendationArithmetic } from './arithmetic.ts';
import { findCandidates } from './candidates.ts';
import { componentsOnCanary } from '../prompts/index.ts';

/** Counts a component's failure cases with a trusted target (the dataset builder's own count). */
export type CountExamples = (db: Db, q: { component: string; patternIds: string[]; teacher: boolean }) => Promise<ExampleCounts & { teacherEligible?: number }>;

export interface RecommendationDeps {
  db: Db;
  settings: RetrainSettings;
  countExamples: CountExamples;
  /** Tell the webhook about a change (a job; a no-op without a webhook). */
  notify: (recommendationId: string, eventId: string) => Promise<void>;
}

const waiting = ['open', 'needs_examples'] as const;

/** The model the component's calls were served by most in the last 7 days, and their mean tokens per call. */
async function componentTraffic(db: Db, component: string): Promise<{ model: string | null; avgTokens: number }> {
  const [row] = rowsOf<{ model: string | null; avg_tokens: number | string | null }>(
    await db.execute(sql`
      select mode() within group (order by coalesce(served_model, requested_model)) as model, avg(total_tokens)::float8 as avg_tokens
      from calls where component = ${component} and started_at > now() - interval '7 days'`),
  );
  return { model: row?.model ?? null, avgTokens: Number(row?.avg_tokens ?? 0) };
}

/** What the recommendation says now: its patterns, examples, base model, arithmetic and the status they call for. */
async function assess(deps: RecommendationDeps, component: string, patterns: RecommendedPattern[]) {
  const s = deps.settings;
  const examples = await deps.countExamples(deps.db, { component, patternIds: patterns.map((p) => p.id), teacher: s.teacher !== undefined });
  const traffic = await componentTraffic(deps.db, component);
  // With a teacher, cases without a target yet may still get one (verified when the dataset is built).
  const reachable = examples.trusted + (s.teacher ? (examples.teacherEligible ?? 0) : 0);
  const missing = Math.max(0, s.minExamples - reachable);
  const counts: ExampleCounts = { trusted: examples.trusted, bySource: examples.bySource, missing };
  return {
    status: missing > 0 ? ('needs_examples' as const) : ('open' as const),
    patch: { patterns, examples: counts, baseModel: s.baseModel ?? traffic.model ?? 'unknown', backend: s.backend, arithmetic: recommendationArithmetic(patterns, reachable, traffic.avgTokens, s) },
  };
}

/**
 * One sweep's view of the candidates: a new recommendation per component that has some (open, or
 * needs_examples with the count missing), the waiting ones brought up to date (moving between open
 * and needs_examples as examples arrive), and waiting ones whose patterns no longer qualify dismissed.
 * Recommendations past approval are the training's to move. Returns those created or moved.
 */
export async function refreshRecommendations(deps: RecommendationDeps): Promise<RecommendationRow[]> {
  const { db } = deps;
  const candidates = await findCandidates(db, deps.settings);
  const live = await db.select().from(finetuneRecommendations).where(inArray(finetuneRecommendations.status, [...waiting, 'approved', 'training', 'evaluating', 'canary']));
  const liveBy = new Map(live.map((r) => [r.component, r]));
  const changed: RecommendationRow[] = [];
  for (const { component, patterns } of candidates) {
    const current = liveBy.get(component);
    if (current && !(waiting as readonly string[]).includes(current.status)) continue;
    const next = await assess(deps, component, patterns);
    if (!current) {
      const created = await create(deps, component, next.status, next.patch);
      if (created) changed.push(created);
      continue;
    }
    if (current.status !== next.status) {
      const moved = await moveRecommendation(db, current.id, { from: waiting, to: next.status, actor: 'retrain', detail: { examples: next.patch.examples }, patch: next.patch });
      if (moved) {
        changed.push(moved.row);
        await deps.notify(moved.row.id, moved.eventId);
      }
    } else {
      await db.update(finetuneRecommendations).set({ ...next.patch, updatedAt: sql`now()` }).where(and(eq(finetuneRecommendations.id, current.id), inArray(finetuneRecommendations.status, [...waiting])));
    }
  }
  const stillCandidates = new Set(candidates.map((c) => c.component));
  for (const r of live) {
    if (stillCandidates.has(r.component) || !(waiting as readonly string[]).includes(r.status)) continue;
    const moved = await moveRecommendation(db, r.id, { from: waiting, to: 'dismissed', actor: 'retrain', detail: { reason: 'no candidate pattern left' }, patch: { error: 'no candidate pattern left: its patterns were resolved, merged or no longer qualify' } });
    if (moved) {
      changed.push(moved.row);
      await deps.notify(moved.row.id, moved.eventId);
    }
  }
  return changed;
}

async function create(deps: RecommendationDeps, component: string, status: 'open' | 'needs_examples', patch: Awaited<ReturnType<typeof assess>>['patch']): Promise<RecommendationRow | null> {
  const id = newUuidV7();
  const eventId = newUuidV7();
  try {
    const row = await deps.db.transaction(async (tx) => {
      const [r] = await tx.insert(finetuneRecommendations).values({ id, component, status, ...patch }).returning();
      await tx.insert(recommendationEvents).values({ id: eventId, recommendationId: id, type: 'status', fromStatus: null, toStatus: status, actor: 'retrain', detail: { reasons: [...new Set(patch.patterns.flatMap((p) => p.reasons))] } });
      return r;
    });
    if (row) await deps.notify(id, eventId);
    return row ?? null;
  } catch (err) {
    // Another sweep created the component's recommendation first.
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

/**
 * retrain.auto: approve open recommendations by policy while the estimated training spend approved
 * by policy in the last 24 hours stays within the daily cap. Returns the ids approved.
 */
export async function approveByPolicy(db: Db, s: RetrainSettings): Promise<{ row: RecommendationRow; eventId: string }[]> {
  if (!s.auto) return [];
  const [spent] = rowsOf<{ usd: number | string | null }>(
    await db.execute(sql`
      select coalesce(sum((r.arithmetic->>'estimatedTrainingCostUsd')::float8), 0) as usd
      from finetune_recommendations r
      where r.approved_by = 'policy' and exists (
        select 1 from recommendation_events e where e.recommendation_id = r.id and e.to_status = 'approved' and e.at > now() - interval '24 hours')`),
  );
  let used = Number(spent?.usd ?? 0);
  const open = await db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.status, 'open')).orderBy(finetuneRecommendations.createdAt);
  const out: { row: RecommendationRow; eventId: string }[] = [];
  // Approved by policy once the component's prompt canary is decided: training starts on what will serve.
  const waiting = await componentsOnCanary(db);
  for (const r of open) {
    if (waiting.has(r.component)) continue;
    const cost = r.arithmetic.estimatedTrainingCostUsd;
    if (used + cost > s.autoSpendCapUsdPerDay) continue;
    const moved = await moveRecommendation(db, r.id, { from: ['open'], to: 'approved', actor: 'policy', detail: { estimatedTrainingCostUsd: cost, spentTodayUsd: used, capUsd: s.autoSpendCapUsdPerDay }, patch: { approvedBy: 'policy' } });
    if (moved) {
      used += cost;
      out.push(moved);
    }
  }
  return out;
}
