import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Prompt versions of a component. Immutable once written: version 0 is what the agent sends (the
 * template observed in its calls); later ones come from a person or the optimizer. `{{slot}}`
 * placeholders stand for the variable parts of the observed prompt.
 */
export const promptVersions = pgTable(
  'prompt_versions',
  {
    id: uuid().primaryKey(),
    component: text().notNull(),
    version: integer().notNull(),
    /** The system prompt as a template with {{slot}} placeholders. */
    template: text().notNull(),
    slots: text().array().notNull().default(sql`'{}'::text[]`),
    /** A model to use instead of the one requested; null keeps the request's. */
    model: text(),
    /** Example exchanges put before the conversation: [{ user, assistant }]. */
    fewShot: jsonb().$type<{ user: string; assistant: string }[]>().notNull().default([]),
    /** observed | manual | optimizer | retrain; with the run, pattern or recommendation it came from, when it did. */
    origin: jsonb().$type<{ source: string; runId?: string; patternId?: string; recommendationId?: string; note?: string }>().notNull(),
    /** candidate | canary | active | retired | rolled_back (0: observed) */
    status: text().notNull(),
    createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('prompt_versions_component_version_idx').on(t.component, t.version)],
);

export type PromptVersionRow = typeof promptVersions.$inferSelect;

/** Per component: the observed template, and the active and canary pointers (moves are one transaction). */
export const componentPrompts = pgTable('component_prompts', {
  component: text().primaryKey(),
  activeVersionId: uuid(),
  canaryVersionId: uuid(),
  /** Share of sessions on the canary, 0–1. */
  canaryShare: real().notNull().default(0.1),
  updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Every change to a component's prompts: created, canary, promoted, rolled back, retired. */
export const promptAudit = pgTable(
  'prompt_audit',
  {
    id: uuid().primaryKey(),
    component: text().notNull(),
    versionId: uuid(),
    action: text().notNull(),
    /** admin | optimizer | canary-monitor */
    actor: text().notNull(),
    detail: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('prompt_audit_component_at_idx').on(t.component, t.at)],
);
