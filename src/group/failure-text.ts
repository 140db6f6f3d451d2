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
 * The free text a failure is clustered by: the judge's rationale, the user's comment or the detector's
 * own explanation when there is one (the message is then a fixed template around it and would make
 * unrelated failures look alike); otherwise the detector's message and the offending value. Bounded,
 * so one huge output cannot dominate the cost.
 */
export function failureText(f: FailureTextInput): string {
  const parts: string[] = [];
  for (const k of textFields) {
    const t = asText(f.evidence[k]);
    if (t) parts.push(t);
  }
  if (parts.length > 0) return parts.join('\n').slice(0, maxChars);
  parts.push(f.message);
  for (const k of valueFields) {
    const t = asText(f.evidence[k]);
    if (t) parts.push(t.slice(0, 200));
  }
  return parts.join('\n').slice(0, maxChars);
}
