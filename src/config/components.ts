import { z } from 'zod';

const ruleId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'rule ids are letters, digits, _ . : - (up to 64)');

/** Declared output rules of a component. Each failing rule becomes a failure of kind `rule`. */
export const ruleSchema = z.discriminatedUnion('type', [
  z.object({
    id: ruleId,
    type: z.literal('labels'),
    /** The output must be exactly one of these (surrounding whitespace ignored). */
    labels: z.array(z.string().min(1)).min(1),
    caseSensitive: z.boolean().default(true),
  }).strict(),
  z.object({
    id: ruleId,
    type: z.literal('json_schema'),
    /** The output must be JSON that matches this schema. */
    schema: z.record(z.string(), z.unknown()),
  }).strict(),
  z.object({
    id: ruleId,
    type: z.literal('regex'),
    pattern: z.string().min(1),
    flags: z.string().regex(/^[dgimsuvy]*$/, 'JavaScript regular expression flags').default(''),
    /** true: the output must match; false: it must not. */
    mustMatch: z.boolean().default(true),
  }).strict(),
  z.object({
    id: ruleId,
    type: z.literal('length'),
    unit: z.enum(['chars', 'words', 'tokens']),
    min: z.number().int().nonnegative().optional(),
    max: z.number().int().positive().optional(),
  }).strict(),
  z.object({
    id: ruleId,
    type: z.literal('required'),
    /** JSON outputs: keys that must be present (dot paths). */
    keys: z.array(z.string().min(1)).default([]),
    /** Text outputs: section headings that must appear ("Summary" matches "Summary:", "## Summary", "**Summary**"). */
    sections: z.array(z.string().min(1)).default([]),
  }).strict(),
  z.object({
    id: ruleId,
    type: z.literal('custom'),
    /** A module (path relative to the config file or absolute) whose default export or `check` export judges an output. */
    module: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
  }).strict(),
]);
export type RuleSettings = z.infer<typeof ruleSchema>;

export const judgeSchema = z
  .object({
    /** What a good answer is: the judge scores against this. */
    rubric: z.string().min(10),
    /** Changing the rubric makes a new version (one verdict per call and version); default: a hash of the rubric. */
    rubricVersion: z.string().min(1).optional(),
    /** Share of the component's calls that are judged, 0–1. */
    sampleRate: z.number().min(0).max(1).default(0.1),
    /** The judge model, addressed like any model (alias, provider/model, plain name). */
    model: z.string().min(1),
    /** The judge's own key, so judging never eats the live traffic's quota; default: the provider's key. */
    apiKey: z.string().min(1).optional(),
    /** Stop judging this component for the rest of the hour once its judge spend reaches this (USD). */
    maxSpendUsdPerHour: z.number().positive().default(1),
    /** Judge calls running at once in one worker. */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** A verdict's score below this fails the call even if the judge said pass (0–1). */
    passScore: z.number().min(0).max(1).default(0.5),
  })
  .strict();
export type JudgeSettings = z.infer<typeof judgeSchema>;

export const componentSchema = z
  .object({
    description: z.string().optional(),
    rules: z.array(ruleSchema).default([]),
    judge: judgeSchema.optional(),
    /** Prompt optimization of this component: the models candidates may also be tried with (any configured ones). */
    optimizer: z.object({ models: z.array(z.string().min(1)).max(5).default([]) }).strict().optional(),
    /** Models tried in order when this component's model fails with a retryable failure or its provider's circuit is open. */
    fallbacks: z.array(z.string().min(1)).max(5).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id ${r.id}` });
      seen.add(r.id);
      if (r.type === 'regex') {
        try {
          new RegExp(r.pattern, r.flags);
        } catch (err) {
          ctx.addIssue({ code: 'custom', path: ['rules', i, 'pattern'], message: `not a valid regular expression: ${(err as Error).message}` });
        }
      }
      if (r.type === 'length' && r.min === undefined && r.max === undefined) ctx.addIssue({ code: 'custom', path: ['rules', i], message: 'give min, max or both' });
    });
  });
export type ComponentSettings = z.infer<typeof componentSchema>;
