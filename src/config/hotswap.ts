import { z } from 'zod';

const canarySchema = z
  .object({
    /** Error rate of the sequential test (promotion and rollback on failure rates). */
    alpha: z.number().gt(0).lt(0.5).default(0.05),
    /** Evaluated calls each arm needs before any decision. */
    minCalls: z.number().int().positive().default(30),
    /**
     * The horizon: with this many evaluated calls on each arm and no significant difference, the canary
     * ends — promoted when its failure rate is no higher than the control's, rolled back otherwise — so
     * an improvement too small to show in live traffic does not hold the component's next change forever.
     */
    maxCalls: z.number().int().positive().default(2000),
    /** Roll back when the canary's upstream-error rate exceeds the control's by more than this (0–1). */
    maxErrorRateIncrease: z.number().min(0).max(1).default(0.05),
    /** Roll back when the canary's mean latency exceeds the control's by more than this factor. */
    maxLatencyRatio: z.number().gt(1).default(1.5),
    /** …and by at least this many milliseconds (fast calls vary by large factors). */
    minLatencyIncreaseMs: z.number().min(0).default(50),
    /** Roll back when the canary's mean cost per call exceeds the control's by more than this factor. */
    maxCostRatio: z.number().gt(1).default(1.5),
  })
  .strict();

/** Hot-swap settings (the `hotswap:` section of FIXPOINT_CONFIG). */
export const hotswapSchema = z
  .object({
    canary: canarySchema.default(() => canarySchema.parse({})),
  })
  .strict();

export type HotswapSettings = z.infer<typeof hotswapSchema>;
export type CanarySettings = z.infer<typeof canarySchema>;
