import { z } from 'zod';

/** Prompt re-optimization (the `optimizer:` section of FIXPOINT_CONFIG). */
export const optimizerSchema = z
  .object({
    /** The model that reads failing cases and proposes revised prompts; without one, runs cannot start. */
    model: z.string().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    /** Replays (evaluation calls) a run may spend. */
    maxEvalCalls: z.number().int().positive().default(300),
    /** Optimizer-model tokens a run may spend. */
    maxTokens: z.number().int().positive().default(200_000),
    /** Wall time of a run, seconds. */
    maxSeconds: z.number().positive().default(900),
    /** Proposals a run asks for. */
    maxIterations: z.number().int().positive().default(8),
    /** The pattern's failure rate on the gate set must fall by at least this (0–1)… */
    margin: z.number().gt(0).lt(1).default(0.1),
    /** …with this significance (one-sided, paired). */
    alpha: z.number().gt(0).lt(0.5).default(0.05),
    /** The regression set's pass rate may fall by at most this (0–1). */
    regressionTolerance: z.number().min(0).lt(1).default(0.02),
    /** A candidate may be at most this much longer than the current prompt (0.5 = +50 %)… */
    maxGrowth: z.number().min(0).default(0.5),
    /** …or this many characters longer, whichever is more: stating an output contract can double a short prompt. */
    minGrowthChars: z.number().int().min(0).default(400),
    /** Start runs by policy for systematic patterns whose remedy is the prompt (needs `model`). */
    auto: z.boolean().default(true),
    /** A pattern gets a policy run at most this often, hours — unless its last run was inconclusive and as many new cases arrived as it had. */
    cooldownHours: z.number().positive().default(24),
    /** The policy waits for this many failing calls of a pattern (7 days) before a run: fewer cannot carry a judged comparison. */
    minCases: z.number().int().positive().default(24),
    /** Put an accepted version on this share of sessions as a canary (0: leave it a candidate). */
    canaryShare: z.number().min(0).max(1).default(0.1),
  })
  .strict();

export type OptimizerSettings = z.infer<typeof optimizerSchema>;
