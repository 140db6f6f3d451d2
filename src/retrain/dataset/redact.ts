import type { RetrainSettings } from '../../config/index.ts';

export const REDACTED = '[redacted]';

/** E-mail addresses. */
export const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/**
 * Phone numbers: an optional country code, an area code (in parentheses or followed by a separator),
 * then two groups of 3–4 digits (`+1 415-555-2671`, `(415) 555 2671`, `020 7946 0958`), or `+` and
 * 8–15 digits. Dates (`2027-01-05`) and bare numbers do not match.
 */
export const PHONE_PATTERN = /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]?\d{3,4}(?!\w)|(?<![\w+])\+\d{8,15}(?!\w)/g;

export type RedactionKind = 'email' | 'phone' | 'pattern';
export type RedactionCounts = Record<RedactionKind, number>;

export interface Redactor {
  /** The text with every match replaced by `[redacted]`; adds what it replaced to `counts`. */
  text(s: string, counts: RedactionCounts): string;
  /** Every string value of a JSON value redacted (keys, and the values of `skipKeys`, kept). */
  value<T>(v: T, counts: RedactionCounts): T;
}

export const noRedactions = (): RedactionCounts => ({ email: 0, phone: 0, pattern: 0 });

/** Fields that name structure (roles, types, ids), not content; `metadata` (gate rows' call ids) is ours. */
const structuralKeys = new Set(['role', 'type', 'id', 'tool_call_id', 'weight']);

/** The configured redaction: e-mail and phone unless switched off, then each extra regular expression. */
export function createRedactor(settings: RetrainSettings['redact']): Redactor {
  const rules: { kind: RedactionKind; re: RegExp }[] = [
    ...settings.patterns.map((p) => ({ kind: 'pattern' as const, re: new RegExp(p, 'g') })),
    ...(settings.email ? [{ kind: 'email' as const, re: EMAIL_PATTERN }] : []),
    ...(settings.phone ? [{ kind: 'phone' as const, re: PHONE_PATTERN }] : []),
  ];
  const text = (s: string, counts: RedactionCounts): string => {
    let out = s;
    for (const { kind, re } of rules) {
      re.lastIndex = 0;
      out = out.replace(re, (m) => {
        if (m === '') return m;
        counts[kind]++;
        return REDACTED;
      });
    }
    return out;
  };
  const value = <T>(v: T, counts: RedactionCounts): T => {
    if (typeof v === 'string') return text(v, counts) as T;
    if (Array.isArray(v)) return v.map((x: unknown) => value(x, counts)) as T;
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, (structuralKeys.has(k) && typeof x !== 'object') || k === 'metadata' ? x : value(x, counts)])) as T;
    }
    return v;
  };
  return { text, value };
}
