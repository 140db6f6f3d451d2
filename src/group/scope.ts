import type { ScopePolicy } from './incremental-clusterer.ts';

/**
 * Where a failure is clustered. Judge verdicts and user feedback carry free text about what went
 * wrong, so they are clustered by what the text says, within their kind. Every other kind names the
 * check or declared rule that failed: the rule is the cause, so its failures form a scope of their own
 * (`kind/ruleId`), where they are split only on clear evidence of distinct sub-causes — failure texts
 * with nothing in common — never by the offending value or the wording around it.
 */
const freeTextKinds = new Set(['judge', 'feedback']);

/** Judge verdicts and user feedback: failures described in free text rather than by a named check. */
export function isFreeText(kind: string): boolean {
  return freeTextKinds.has(kind);
}

export function scopeOf(kind: string, ruleId: string): string {
  return freeTextKinds.has(kind) ? kind : `${kind}/${ruleId}`;
}

/** Within a rule's scope a failure joins any cluster it shares a term with (cosine above 0), and such clusters merge. */
export const ruleScopePolicy: ScopePolicy = { assign: 1e-9, merge: 1e-9 };

export function scopePolicy(scope: string): ScopePolicy | null {
  return freeTextKinds.has(scope) ? null : ruleScopePolicy;
}
