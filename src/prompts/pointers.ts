import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { AppError } from '../core/errors.ts';
import { newUuidV7 } from '../core/ids.ts';
import { componentPrompts, promptAudit, promptVersions, type Db, type PromptVersionRow } from '../db/index.ts';

/**
 * `canary` with `unlessRunning`: only when no other version is on canary — decided in the same
 * transaction that would move the pointer, so an undecided canary is never replaced unjudged.
 */
export type PointerMove = { action: 'canary'; share?: number; unlessRunning?: boolean } | { action: 'activate' } | { action: 'rollback'; reason?: string };

export interface MoveResult {
  component: string;
  version: PromptVersionRow;
  activeVersionId: string | null;
  canaryVersionId: string | null;
  canaryShare: number;
}

async function setStatus(tx: Db, id: string, status: string): Promise<void> {
  await tx.update(promptVersions).set({ status }).where(eq(promptVersions.id, id));
}

/** The version that was active before `current`, from the audit trail (null: the agent's own prompt). */
async function previousActive(tx: Db, component: string, current: string): Promise<string | null> {
  const rows = await tx
    .select({ versionId: promptAudit.versionId })
    .from(promptAudit)
    .where(sql`${promptAudit.component} = ${component} and ${promptAudit.action} = 'promoted'`)
    .orderBy(sql`${promptAudit.at} desc`)
    .limit(20);
  for (const r of rows) {
    if (!r.versionId || r.versionId === current) continue;
    const [v] = await tx.select({ status: promptVersions.status }).from(promptVersions).where(eq(promptVersions.id, r.versionId));
    if (v && v.status !== 'rolled_back') return r.versionId;
  }
  return null;
}

/** The components with a version on canary now (of those given; all when none are): what serves them is about to change. */
export async function componentsOnCanary(db: Db, only?: string): Promise<Set<string>> {
  const onCanary = isNotNull(componentPrompts.canaryVersionId);
  const rows = await db
    .select({ component: componentPrompts.component })
    .from(componentPrompts)
    .where(only === undefined ? onCanary : and(onCanary, eq(componentPrompts.component, only)));
  return new Set(rows.map((r) => r.component));
}

/**
 * Moves a component's `active` or `canary` pointer, in one transaction with the versions' statuses
 * and the audit trail. Versions themselves never change: promotion and rollback are pointer moves.
 */
export async function movePromptPointer(db: Db, versionId: string, move: PointerMove, actor: string): Promise<MoveResult> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const [v] = await tx.select().from(promptVersions).where(eq(promptVersions.id, versionId));
    if (!v) throw new AppError('not_found', `no prompt version ${versionId}`, { param: 'id' });
    await tx.insert(componentPrompts).values({ component: v.component }).onConflictDoNothing();
    await tx.execute(sql`select 1 from component_prompts where component = ${v.component} for update`);
    const [p] = await tx.select().from(componentPrompts).where(eq(componentPrompts.component, v.component));
    let active = p?.activeVersionId ?? null;
    let canary = p?.canaryVersionId ?? null;
    let share = p?.canaryShare ?? 0.1;
    const audit = (action: string, detail: Record<string, unknown> = {}) =>
      tx.insert(promptAudit).values({ id: newUuidV7(), component: v.component, versionId, action, actor, detail });

    if (move.action !== 'rollback' && v.version === 0) {
      throw new AppError('invalid_request', "version 0 is the agent's own prompt: roll back the active version to return to it", { param: 'id' });
    }
    switch (move.action) {
      case 'canary': {
        if (v.status === 'rolled_back' || v.status === 'active') throw new AppError('invalid_request', `version ${v.version} is ${v.status}; only a candidate can become the canary`, { param: 'id' });
        if (move.unlessRunning && canary && canary !== v.id) break;
        if (canary && canary !== v.id) await setStatus(tx, canary, 'retired');
        canary = v.id;
        share = move.share ?? share;
        await setStatus(tx, v.id, 'canary');
        await audit('canary', { share });
        break;
      }
      case 'activate': {
        if (v.status === 'rolled_back') throw new AppError('invalid_request', `version ${v.version} was rolled back; create it again to retry it`, { param: 'id' });
        if (active && active !== v.id) await setStatus(tx, active, 'retired');
        if (canary === v.id) canary = null;
        active = v.id;
        await setStatus(tx, v.id, 'active');
        await audit('promoted');
        break;
      }
      case 'rollback': {
        if (canary === v.id) {
          canary = null;
        } else if (active === v.id) {
          active = await previousActive(tx, v.component, v.id);
          if (active) await setStatus(tx, active, 'active');
        } else {
          throw new AppError('invalid_request', `version ${v.version} is neither active nor the canary`, { param: 'id' });
        }
        await setStatus(tx, v.id, 'rolled_back');
        await audit('rolled_back', { ...(move.reason ? { reason: move.reason } : {}), nowActive: active });
        break;
      }
    }
    await tx
      .update(componentPrompts)
      .set({ activeVersionId: active, canaryVersionId: canary, canaryShare: share, updatedAt: sql`clock_timestamp()` })
      .where(eq(componentPrompts.component, v.component));
    const [after] = await tx.select().from(promptVersions).where(eq(promptVersions.id, versionId));
    return { component: v.component, version: after!, activeVersionId: active, canaryVersionId: canary, canaryShare: share };
  });
}
