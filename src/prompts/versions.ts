import { asc, desc, eq, sql } from 'drizzle-orm';
import { AppError } from '../core/errors.ts';
import { newUuidV7 } from '../core/ids.ts';
import { componentPrompts, promptAudit, promptVersions, rowsOf, type Db, type PromptVersionRow } from '../db/index.ts';
import { inferTemplate, placeholdersOf, templateText } from './template.ts';

/** Prompts of the component's recent calls read to infer its template (the most frequent first). */
const observedSample = 50;

export interface NewVersion {
  template: string;
  model?: string | null;
  fewShot?: { user: string; assistant: string }[];
  note?: string;
  source?: 'manual' | 'optimizer' | 'retrain';
  runId?: string;
  /** The fine-tuning recommendation whose tuned model the version carries. */
  recommendationId?: string;
  patternId?: string;
}

export interface ComponentPromptsView {
  component: string;
  activeVersionId: string | null;
  canaryVersionId: string | null;
  canaryShare: number;
  versions: PromptVersionRow[];
}

/** The system prompts the component's calls sent in the last 7 days, most frequent first. */
async function observedPrompts(db: Db, component: string): Promise<string[]> {
  const rows = rowsOf<{ content: string }>(
    await db.execute(sql`
      select p.content, count(*) as n from calls c join prompts p on p.hash = c.system_prompt_hash
      where c.component = ${component} and c.started_at > now() - interval '7 days'
      group by p.content order by n desc limit ${observedSample}`),
  );
  return rows.map((r) => r.content);
}

/**
 * Version 0 of a component: the template of what its agent sends, inferred from its calls. Written
 * once, when the component's prompts are first asked for and it has calls with a system prompt.
 */
export async function ensureObservedVersion(db: Db, component: string): Promise<PromptVersionRow | null> {
  const [existing] = await db.select().from(promptVersions).where(sql`${promptVersions.component} = ${component} and ${promptVersions.version} = 0`);
  if (existing) return existing;
  const prompts = await observedPrompts(db, component);
  if (prompts.length === 0) return null;
  const t = inferTemplate(prompts);
  const id = newUuidV7();
  await db.transaction(async (tx) => {
    await tx
      .insert(promptVersions)
      .values({ id, component, version: 0, template: templateText(t), slots: t.slots, origin: { source: 'observed', note: `inferred from ${prompts.length} distinct prompts` }, status: 'observed' })
      .onConflictDoNothing();
    await tx.insert(componentPrompts).values({ component }).onConflictDoNothing();
    await tx.insert(promptAudit).values({ id: newUuidV7(), component, versionId: id, action: 'observed', actor: 'gateway', detail: { slots: t.slots, prompts: prompts.length } });
  });
  const [row] = await db.select().from(promptVersions).where(sql`${promptVersions.component} = ${component} and ${promptVersions.version} = 0`);
  return row ?? null;
}

export async function listPromptVersions(db: Db, component: string): Promise<ComponentPromptsView> {
  await ensureObservedVersion(db, component);
  const [pointers] = await db.select().from(componentPrompts).where(eq(componentPrompts.component, component));
  const versions = await db.select().from(promptVersions).where(eq(promptVersions.component, component)).orderBy(asc(promptVersions.version));
  return {
    component,
    activeVersionId: pointers?.activeVersionId ?? null,
    canaryVersionId: pointers?.canaryVersionId ?? null,
    canaryShare: pointers?.canaryShare ?? 0.1,
    versions,
  };
}

/**
 * A new candidate version. Its template must use exactly the observed template's slots: a version
 * that drops a slot would lose what the request carried, one that adds a slot has nothing to fill it.
 */
export async function createPromptVersion(db: Db, component: string, v: NewVersion, actor: string): Promise<PromptVersionRow> {
  const observed = await ensureObservedVersion(db, component);
  if (!observed) throw new AppError('not_found', `component ${component} has no calls with a system prompt in the last 7 days to take its template from`, { param: 'component' });
  const used = placeholdersOf(v.template);
  const missing = observed.slots.filter((s) => !used.includes(s));
  const unknown = used.filter((s) => !observed.slots.includes(s));
  if (missing.length > 0 || unknown.length > 0) {
    const parts = [missing.length ? `missing ${missing.map((s) => `{{${s}}}`).join(', ')}` : '', unknown.length ? `unknown ${unknown.map((s) => `{{${s}}}`).join(', ')}` : ''].filter(Boolean);
    throw new AppError('invalid_request', `template: must use exactly the slots of the observed template (${observed.slots.map((s) => `{{${s}}}`).join(', ') || 'none'}): ${parts.join('; ')}`, { param: 'template' });
  }
  return db.transaction(async (tx) => {
    // Serializes version numbers per component.
    await tx.execute(sql`select 1 from component_prompts where component = ${component} for update`);
    const [last] = await tx.select({ version: promptVersions.version }).from(promptVersions).where(eq(promptVersions.component, component)).orderBy(desc(promptVersions.version)).limit(1);
    const id = newUuidV7();
    const origin = { source: v.source ?? 'manual', ...(v.runId ? { runId: v.runId } : {}), ...(v.patternId ? { patternId: v.patternId } : {}), ...(v.recommendationId ? { recommendationId: v.recommendationId } : {}), ...(v.note ? { note: v.note } : {}) };
    const [row] = await tx
      .insert(promptVersions)
      .values({ id, component, version: (last?.version ?? 0) + 1, template: v.template, slots: observed.slots, model: v.model ?? null, fewShot: v.fewShot ?? [], origin, status: 'candidate' })
      .returning();
    await tx.insert(promptAudit).values({ id: newUuidV7(), component, versionId: id, action: 'created', actor, detail: { version: row!.version, source: origin.source } });
    return row!;
  });
}

export async function promptAuditTrail(db: Db, component: string) {
  return db.select().from(promptAudit).where(eq(promptAudit.component, component)).orderBy(asc(promptAudit.at)).limit(500);
}
