import { sql } from 'drizzle-orm';
import type { UpstreamAttempt } from '../../core/call-capture.ts';
import { boolean, doublePrecision, index, integer, json, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** System prompts, stored once and referenced by hash (sha256 hex of the text). */
export const prompts = pgTable('prompts', {
  hash: text().primaryKey(),
  content: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** One row per call through the gateway; the call id is the key, so inserts are idempotent. */
export const calls = pgTable(
  'calls',
  {
    id: uuid().primaryKey(),
    startedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    endedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
    latencyMs: doublePrecision().notNull(),
    upstreamLatencyMs: doublePrecision(),
    ttftMs: doublePrecision(),
    route: text().notNull(),
    component: text().notNull(),
    provider: text(),
    requestedModel: text(),
    servedModel: text(),
    /** success | upstream_error | timeout | client_abort | gateway_error | rejected */
    status: text().notNull(),
    httpStatus: integer().notNull(),
    stream: boolean().notNull().default(false),
    finishReasons: text().array().notNull().default(sql`'{}'::text[]`),
    inputTokens: integer(),
    outputTokens: integer(),
    totalTokens: integer(),
    cachedTokens: integer(),
    costUsd: doublePrecision(),
    systemPromptHash: text(),
    /**
     * The request as received, with system prompts replaced by {"$prompt": hash} references.
     * `json`, not `jsonb`, for both bodies: stored as the text written, which costs Postgres about a
     * third less per inserted row than building jsonb (see the README's Recording section); query
     * with `->`/`->>`, or cast to jsonb for containment operators.
     */
    requestBody: json(),
    /** The response as received (JSON text kept as the upstream sent it); for streams, the chunks assembled into one response object. */
    responseBody: json(),
    error: text(),
    sessionId: text(),
    userId: text(),
    properties: jsonb().$type<Record<string, string>>().notNull().default({}),
    /** Keyed hash of the client's key (never the key): who may give feedback on this call. */
    clientKeyHash: text(),
    /** The prompt version the gateway swapped in (null: the request's own prompt). */
    promptVersionId: uuid(),
    /**
     * Every upstream attempt ({provider, model, outcome, http_status, latency_ms, retry_after_ms?,
     * fallback?}) when the call took more than one or a fallback answered; null: the one attempt the
     * row describes (most calls, so most rows pay nothing for it).
     */
    attempts: jsonb().$type<UpstreamAttempt[]>(),
    insertedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  // Few indexes on purpose: every index is paid on each of thousands of inserts a second. Admin
  // filters by model or status narrow within a component or time range.
  (t) => [index('calls_started_at_idx').on(t.startedAt), index('calls_component_started_at_idx').on(t.component, t.startedAt)],
);

export type CallRow = typeof calls.$inferInsert;
export type CallSelect = typeof calls.$inferSelect;
