import { z } from 'zod';

/** Weight fine-tuning (the `retrain:` section of FIXPOINT_CONFIG): when a pattern becomes a candidate. */
export const retrainSchema = z
  .object({
    /**
     * Judged "could not fix" runs of prompt optimization after which a pattern counts as one the
     * model lacks something for: its diagnosis turns knowledge and its remedy fine-tuning, whatever
     * the diagnosis said before (the seed's rule, which holds when the diagnosis is unsure or wrong).
     */
    afterFailedPromptRuns: z.number().int().positive().default(2),
  })
  .strict();

export type RetrainSettings = z.infer<typeof retrainSchema>;
