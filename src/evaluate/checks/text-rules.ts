import { clip } from '../../core/index.ts';
import { evidenceText } from './json-text.ts';
import { ruleFailure, type CompiledRule, type RuleOf } from './rule-types.ts';

const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** How far past the longest label an answer with spaces must run to be called a sentence. */
const isSentence = (got: string, longest: number): boolean => /\s/.test(got) && got.length > 2 * longest + 10;

/**
 * The trimmed output must be exactly one of the labels. Message: `expected one of [a, b], got "X"`
 * or `expected one of [a, b], got a sentence (N words)`; hints for diagnosis go in the evidence.
 */
export function labelsRule(rule: RuleOf<'labels'>): CompiledRule {
  const norm = (s: string): string => (rule.caseSensitive ? s : s.toLowerCase());
  const allowed = new Set(rule.labels.map((l) => norm(l.trim())));
  const list = `[${rule.labels.join(', ')}]`;
  const longest = Math.max(...rule.labels.map((l) => l.length));
  const asWord = rule.labels.map((l) => ({ label: l, re: new RegExp(`(^|[^A-Za-z0-9])${escapeRegExp(l.trim())}($|[^A-Za-z0-9])`, 'i') }));
  return {
    id: rule.id,
    needsText: true,
    check: ({ output }) => {
      const text = output.text ?? '';
      const got = text.trim();
      if (allowed.has(norm(got))) return null;
      const words = wordCount(got);
      const sentence = isSentence(got, longest);
      const message = sentence ? `expected one of ${list}, got a sentence (${words} words)` : `expected one of ${list}, got "${clip(got, 200)}"`;
      const caseMismatch = rule.labels.find((l) => l.trim().toLowerCase() === got.toLowerCase()) ?? null;
      const containsLabel = asWord.find((w) => w.re.test(got))?.label ?? null;
      return ruleFailure(rule.id, message, {
        output: evidenceText(text),
        got: clip(got, 200),
        labels: rule.labels,
        caseSensitive: rule.caseSensitive,
        sentence,
        words,
        caseMismatch,
        containsLabel,
      });
    },
  };
}

/** The output must (mustMatch) or must not match a regular expression. */
export function regexRule(rule: RuleOf<'regex'>): CompiledRule {
  const re = new RegExp(rule.pattern, rule.flags);
  const shown = `/${rule.pattern}/${rule.flags}`;
  return {
    id: rule.id,
    needsText: true,
    check: ({ output }) => {
      const text = output.text ?? '';
      re.lastIndex = 0; // `g` and `y` make a RegExp stateful
      const m = re.exec(text);
      const evidence = { output: evidenceText(text), pattern: rule.pattern, flags: rule.flags, mustMatch: rule.mustMatch };
      if (rule.mustMatch && !m) return ruleFailure(rule.id, `output does not match ${shown}`, evidence);
      if (!rule.mustMatch && m) {
        return ruleFailure(rule.id, `output matches ${shown}, which it must not`, { ...evidence, match: clip(m[0], 200), index: m.index });
      }
      return null;
    },
  };
}

/** Length in characters, words or tokens (the recorded output tokens, else an estimate of chars / 4). */
export function lengthRule(rule: RuleOf<'length'>): CompiledRule {
  return {
    id: rule.id,
    needsText: true,
    check: ({ call, output }) => {
      const text = output.text ?? '';
      let value: number;
      let estimated = false;
      if (rule.unit === 'chars') value = text.length;
      else if (rule.unit === 'words') value = wordCount(text);
      else if (call.outputTokens !== null) value = call.outputTokens;
      else {
        value = Math.ceil(text.length / 4);
        estimated = true;
      }
      const evidence = { output: evidenceText(text), unit: rule.unit, value, estimated, min: rule.min ?? null, max: rule.max ?? null };
      if (rule.min !== undefined && value < rule.min) return ruleFailure(rule.id, `output is ${value} ${rule.unit}, below the minimum of ${rule.min}`, evidence);
      if (rule.max !== undefined && value > rule.max) return ruleFailure(rule.id, `output is ${value} ${rule.unit}, above the maximum of ${rule.max}`, evidence);
      return null;
    },
  };
}
