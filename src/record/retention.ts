import { and, lt, notExists, eq, sql } from 'drizzle-orm';
import { calls, prompts, type Db } from '../db/index.ts';

/**
 * Deletes calls that started before the cutoff, in bounded batches so a large sweep never holds
 * long locks, then the stored system prompts no remaining call references.
 * Returns how many calls and prompts were deleted.
 */
export async function sweepRetention(db: Db, olderThanDays: number, batch = 5000): Promise<{ calls: number; prompts: number }> {
  const cutoff = new Date(Date.now() - olderThanDays * 86_400_000);
  let deletedCalls = 0;
  for (;;) {
    const victims = db.select({ id: calls.id }).from(calls).where(lt(calls.startedAt, cutoff)).limit(batch);
    const gone = await db.delete(calls).where(sql`${calls.id} in (${victims})`).returning({ id: calls.id });
    deletedCalls += gone.length;
    if (gone.length < batch) break;
  }
  const orphaned = await db
    .delete(prompts)
    .where(and(lt(prompts.createdAt, cutoff), notExists(db.select({ one: sql`1` }).from(calls).where(eq(calls.systemPromptHash, prompts.hash)))))
    .returning({ hash: prompts.hash });
  return { calls: deletedCalls, prompts: orphaned.length };
}
