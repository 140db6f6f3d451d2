import { z } from 'zod';

/**
 * Upstream timeouts of one attempt, ms. Each level (the environment's defaults, `resilience.timeouts`,
 * a provider's `timeouts`, a route's `resilience.routes.<route>.timeouts`) overrides the one before it.
 */
export const upstreamTimeoutsSchema = z
  .object({
    /** Opening the TCP/TLS connection (per provider only: a connection pool's setting). */
    connectMs: z.number().int().positive().optional(),
    /** From sending the request to the response head (for a stream, its first byte). */
    headersMs: z.number().int().positive().optional(),
    /** Silence between two chunks of the response body. */
    idleMs: z.number().int().positive().optional(),
    /** The whole attempt, request to last byte; unset: no limit beyond the others. */
    totalMs: z.number().int().positive().optional(),
  })
  .strict();
export type UpstreamTimeoutSettings = z.infer<typeof upstreamTimeoutsSchema>;

/** The proxied routes a timeout can be set for (the calls table's `route` values). */
export const proxiedRouteNames = ['chat.completions', 'responses', 'embeddings', 'messages'] as const;

export const resilienceSchema = z
  .object({
    retries: z
      .object({
        /** Attempts per call at most, retries and fallbacks together (1: no retry, no fallback). */
        maxAttempts: z.number().int().min(1).max(10).default(3),
        /** A `retry-after` longer than this is not waited for: the next fallback is tried, or the answer goes back. */
        maxRetryAfterMs: z.number().int().min(0).default(5_000),
        /** Wait before retrying a connect error or a timeout (doubling with each retry). */
        backoffMs: z.number().int().min(0).default(100),
        /**
         * Retry budget per provider, a token bucket: it holds `budgetBurst` tokens at most and starts
         * full; each first attempt adds `budgetRatio`, each retry takes one. Empty: no retries until
         * traffic refills it, so retries add at most `budgetRatio` of the load during an outage.
         */
        budgetRatio: z.number().min(0).max(1).default(0.1),
        budgetBurst: z.number().int().min(0).default(10),
      })
      .strict()
      .default(() => ({ maxAttempts: 3, maxRetryAfterMs: 5_000, backoffMs: 100, budgetRatio: 0.1, budgetBurst: 10 })),
    breaker: z
      .object({
        /** Consecutive failures (connect errors, timeouts, 5xx) that open a provider's circuit; 0: no breaker. */
        failureThreshold: z.number().int().min(0).default(5),
        /** How long an open circuit refuses calls before letting probes through (half-open). */
        openMs: z.number().int().min(1).default(30_000),
        /** Calls let through at once while half-open; one success closes the circuit, one failure opens it again. */
        halfOpenProbes: z.number().int().min(1).default(1),
      })
      .strict()
      .default(() => ({ failureThreshold: 5, openMs: 30_000, halfOpenProbes: 1 })),
    /** Upstream timeouts for every provider and route (over FIXPOINT_CONNECT_TIMEOUT_MS and FIXPOINT_IDLE_TIMEOUT_MS). */
    timeouts: upstreamTimeoutsSchema.default({}),
    /** Per route: its own timeouts, over the provider's (no connect timeout: that one belongs to a provider's connection pool). */
    routes: z
      .partialRecord(z.enum(proxiedRouteNames), z.object({ timeouts: upstreamTimeoutsSchema.omit({ connectMs: true }).default({}) }).strict())
      .default({}),
  })
  .strict();
export type ResilienceSettings = z.infer<typeof resilienceSchema>;

/** An alias: a model reference, or one with the models to fall back on, tried in order. */
export const aliasSchema = z.union([
  z.string().min(1),
  z.object({ model: z.string().min(1), fallbacks: z.array(z.string().min(1)).max(5).default([]) }).strict(),
]);
export type AliasSettings = z.infer<typeof aliasSchema>;

/** The model an alias points at. */
export function aliasTarget(a: AliasSettings): string {
  return typeof a === 'string' ? a : a.model;
}

/** The fallbacks an alias names (none for the short form). */
export function aliasFallbacks(a: AliasSettings): string[] {
  return typeof a === 'string' ? [] : a.fallbacks;
}
