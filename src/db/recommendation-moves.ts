import { and, eq, inArray, sql } from 'drizzle-orm';
import { newUuidV7 } from '../core/ids.ts';
import type { Db } from './client.ts';
import { finetuneRecommendations, recommendationEvents, type RecommendationRow, type RecommendationStatus } from './schema/index.ts';

export interface RecommendationMove {
  /** Only from these statuses: a recommendation that moved on meanwhile is left alone (null returned). */
  from: readonly RecommendationStatus[];
  to: RecommendationStatus;
  /** admin | policy | retrain */
  actor: string;
  detail?: Record<string, unknown>;
  /** Other columns set in the same update. */
  patch?: Partial<Omit<typeof finetuneRecommendations.$inferInsert, 'id' | 'status' | 'component'>>;
}

/**
 * A recommendation's status move and its event, in one transaction: the table operation the retrain
 * stage and the admin API (approve, dismiss) share, so every change is an event and two movers never
 * both win. Returns the moved row and the event's id, or null when it was not in a `from` status.
 */
export async function moveRecommendation(db: Db, id: string, m: RecommendationMove): Promise<{ row: RecommendationRow; eventId: string } | null> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: finetuneRecommendations.status })
      .from(finetuneRecommendations)
      .where(and(eq(finetuneRecommendations.id, id), inArray(finetuneRecommendations.status, [...m.from])))
      .for('update');
    if (!before) return null;
    const [row] = await tx
      .update(finetuneRecommendations)
      .set({ ...m.patch, status: m.to, updatedAt: sql`now()` })
      .where(eq(finetuneRecommendations.id, id))
      .returning();
    const eventId = newUuidV7();
    await tx.insert(recommendationEvents).values({ id: eventId, recommendationId: id, type: 'status', fromStatus: before.status, toStatus: m.to, actor: m.actor, detail: m.detail ?? {} });
    return row ? { row, eventId } : null;
  });
}
