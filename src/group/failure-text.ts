/** The parts of a failure row its text is made of. */
export interface FailureTextInput {
  kind: string;
  message: string;
  evidence: Record<string, unknown>;
}

/** Evidence fields that hold free text about what went wrong, in the order they are read. */
const textFields = ['rationale', 'comment', 'detail', 'explanation', 'reason'] as const;
/** Evidence fields that hold the (short) offending value or the criteria that failed. */
const valueFields = ['failedCriteria', 'failed_criteria', 'got', 'expected', 'path'] as const;
const maxChars = 2000;

function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'string' || typeof x === 'number').join(', ');
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

/**
 * The free text a failure is clustered by: the detector's message, the judge's rationale or the
 * user's comment, and the offending value. Bounded, so one huge output cannot dominate the cost.
 */
export function failureText(f: FailureTextInput): string {
  const parts = [f.message];
  for (const k of textFields) {
    const t = asText(f.evidence[k]);
    if (t) parts.push(t);
  }
  for (const k of valueFields) {
    const t = asText(f.evidence[k]);
    if (t) parts.push(t.slice(0, 200));
  }
  return parts.join('\n').slice(0, maxChars);
}
