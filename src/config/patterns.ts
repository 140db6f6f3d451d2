import { z } from 'zod';

/** A model the gateway calls for itself (embeddings, summaries, diagnosis), addressed like any model. */
const gatewayModel = z
  .object({
    /** Alias, provider/model, or plain name. */
    model: z.string().min(1),
    /** Its own key, so this work never eats the live traffic's quota; default: the provider's key. */
    apiKey: z.string().min(1).optional(),
  })
  .strict();

/**
 * Patterns and diagnosis (the `patterns:` section of FIXPOINT_CONFIG). Everything has a default, so
 * grouping runs with the local text vectors and plain-text titles when nothing is configured.
 */
export const patternsSchema = z
  .object({
    /** Embeddings model for clustering free text; without one, hashed TF-IDF vectors are computed locally. */
    embeddings: gatewayModel.optional(),
    /** Writes pattern titles and summaries; without one, they are built from the rule and the top terms. */
    summaries: gatewayModel.optional(),
    /** Classifies judge and feedback patterns as behavioral or knowledge; without one, a conservative fallback. */
    diagnosis: gatewayModel.optional(),
    /** Cosine similarity at or above which a failure joins a pattern (local vectors; embeddings usually need ~0.8). */
    assignThreshold: z.number().gt(0).lte(1).optional(),
    /** Cosine at or above which the periodic job merges two patterns of the same component and kind. */
    mergeThreshold: z.number().gt(0).lte(1).optional(),
    systematic: z
      .object({
        /** Below this many failures of the pattern (last 7 days) a share means nothing yet: never systematic. */
        minFailures: z.number().int().positive().default(10),
        /** …nor below this many calls of its component (last 7 days). */
        minCalls: z.number().int().positive().default(100),
        /** The lower Wilson bound of the pattern's share of the component's calls (last 7 days) must reach this. */
        minRate: z.number().gt(0).lt(1).default(0.005),
        /** z of the Wilson bound (1.96 ≈ 95 % confidence). */
        z: z.number().positive().default(1.96),
        /** It must occur in at least this many of the hours (last 24 h) in which the component had calls… */
        minWindows: z.number().int().positive().default(2),
        /** …or in this share of them, whichever is smaller. */
        minWindowShare: z.number().gt(0).lte(1).default(0.5),
        /** It must span this many sessions, or `minUsers` users (not required when calls carry neither). */
        minSessions: z.number().int().positive().default(5),
        minUsers: z.number().int().positive().default(3),
      })
      .strict()
      .default({ minFailures: 10, minCalls: 100, minRate: 0.005, z: 1.96, minWindows: 2, minWindowShare: 0.5, minSessions: 5, minUsers: 3 }),
    /** Live patterns' statistics and status are recomputed at least this often, seconds (the windows move without new failures too). */
    refreshSeconds: z.number().positive().default(60),
    /** A systematic pattern is resolved when it had no failure for this many hours while its component had calls. */
    resolveAfterHours: z.number().positive().default(24),
    /** Knowledge diagnoses at or above this confidence recommend fine-tuning directly; below, prompt first. */
    fineTuneConfidence: z.number().gt(0).lte(1).default(0.75),
  })
  .strict();

export type PatternSettings = z.infer<typeof patternsSchema>;
export type GatewayModelSettings = z.infer<typeof gatewayModel>;
