import { z } from 'zod';

/** What the judge must answer. Validated with zod whatever the provider promised about structured output. */
export const verdictSchema = z.object({
  pass: z.boolean(),
  score: z.number().min(0).max(1),
  failed_criteria: z.array(z.string()),
  rationale: z.string().max(2000),
});
export type Verdict = z.infer<typeof verdictSchema>;

/**
 * The verdict as a strict-mode JSON Schema for `response_format` (every property required, no extras).
 * Ranges and lengths are stated in descriptions rather than as `minimum`/`maxLength`, which not every
 * OpenAI-compatible provider accepts in strict mode; zod enforces them on the answer.
 */
export const verdictJsonSchema = {
  type: 'object',
  properties: {
    pass: { type: 'boolean', description: 'true when the output meets the rubric, false otherwise' },
    score: { type: 'number', description: 'how well the output meets the rubric, from 0 (not at all) to 1 (fully)' },
    failed_criteria: { type: 'array', items: { type: 'string' }, description: 'short names of the rubric criteria the output fails; empty when it passes' },
    rationale: { type: 'string', description: 'one to three sentences explaining the verdict, at most 2000 characters' },
  },
  required: ['pass', 'score', 'failed_criteria', 'rationale'],
  additionalProperties: false,
} as const;

/**
 * The judge answered, but not with a valid verdict. Not an HTTP failure: a job may retry it once.
 * The message names what was wrong, never the judge's text (it may quote the judged call).
 */
export class JudgeOutputError extends Error {
  /** What the unusable answer cost, when known, so spend can still be accounted. */
  readonly costUsd: number | null;

  constructor(message: string, opts: { costUsd?: number | null } = {}) {
    super(message);
    this.name = 'JudgeOutputError';
    this.costUsd = opts.costUsd ?? null;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The JSON object in the judge's text: as is, inside a Markdown fence, or between the first `{` and the last `}`. */
function jsonIn(text: string): unknown {
  const direct = parseJson(text.trim());
  if (direct !== undefined) return direct;
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1];
  if (fenced !== undefined) {
    const inFence = parseJson(fenced.trim());
    if (inFence !== undefined) return inFence;
  }
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? parseJson(text.slice(start, end + 1)) : undefined;
}

/** The judge's answer → a verdict, or JudgeOutputError. */
export function parseVerdict(content: string | null | undefined, refusal?: string | null): Verdict {
  if (refusal) throw new JudgeOutputError('the judge model refused to give a verdict');
  if (!content || !content.trim()) throw new JudgeOutputError('the judge model returned no content');
  const json = jsonIn(content);
  if (json === undefined) throw new JudgeOutputError("the judge model's answer is not JSON");
  const result = verdictSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new JudgeOutputError(`the judge model's verdict does not fit the schema: ${issues}`);
  }
  return result.data;
}
