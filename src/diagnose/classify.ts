/** Behavioral (a prompt can fix it) versus knowledge (the model lacks it): the rules that need no model. */

import type { Diagnosis } from '../db/index.ts';

export { diagnoses, type Diagnosis } from '../db/index.ts';

export interface DiagnosisResult {
  diagnosis: Diagnosis;
  confidence: number;
  reasons: string[];
  /** construction | model | fallback | escalation (prompt optimization could not fix it) */
  source: 'construction' | 'model' | 'fallback' | 'escalation';
}

const behavioralKinds = new Set(['format', 'schema', 'tool', 'truncation', 'empty', 'rule', 'refusal']);

/** Format and rule kinds are behavioral by construction; upstream errors are operational; judge and feedback need reading. */
export function diagnoseByKind(kind: string, ruleId: string): DiagnosisResult | null {
  if (behavioralKinds.has(kind)) {
    return {
      diagnosis: 'behavioral',
      confidence: 0.95,
      reasons: [`${kind} failures (rule ${ruleId}) break the output's form or an instruction, which the prompt controls`],
      source: 'construction',
    };
  }
  if (kind === 'error') {
    return { diagnosis: 'operational', confidence: 0.9, reasons: ['upstream errors and timeouts are neither prompt nor weights: watch the provider'], source: 'construction' };
  }
  return null;
}

/** Cues in judge rationales and user comments, each a reason when it matches. */
const knowledgeCues: [RegExp, string][] = [
  [/\b(incorrect|wrong|false|inaccurate|mistaken|erroneous)\b.{0,40}\b(fact|facts|answer|figure|number|date|claim|value|total|amount|rate|name)s?\b/i, 'states wrong facts or figures'],
  [/\b(invent|invented|fabricat|hallucinat|made[- ]up|non-?existent|does not exist|doesn't exist)/i, 'invents facts, names or sources'],
  [/\b(outdated|out of date|obsolete|deprecated|no longer|old version|superseded)\b/i, 'relies on outdated knowledge'],
  [/\b(terminolog|jargon|acronym|abbreviation|domain[- ]specific|technical term|misinterpret|misunderstood|confus)\w*/i, 'misreads domain terminology'],
  [/\b(calculat|arithmetic|computed|miscount|sum|math|reasoning|step|logic|infer|deduc)\w*\b.{0,30}\b(wrong|error|incorrect|mistake|flawed|off)\b/i, 'makes reasoning or arithmetic errors'],
  [/\b(policy|regulation|law|clause|contract|dosage|spec|specification|standard)\b.{0,40}\b(wrong|incorrect|misstat|misquot|not what)/i, 'misstates a domain rule or edge case'],
];

const behavioralCues: [RegExp, string][] = [
  [/\b(too long|too short|verbose|wordy|rambl|concise|brevity|length|word limit|character limit)\w*/i, 'length or verbosity'],
  [/\b(format|formatted|json|markdown|bullet|table|structure|schema|heading|section|template)\w*\b/i, 'format or structure'],
  [/\b(tone|rude|polite|formal|informal|friendly|curt|apolog|empath|style|voice)\w*/i, 'tone or style'],
  [/\b(ignor|skipp|did not follow|didn't follow|disregard|omit|missing|forgot|left out|instead of)\w*/i, 'ignores or skips instructions'],
  [/\b(language|english|spanish|french|german|translat)\w*/i, 'answers in the wrong language'],
  [/\b(asked|ask)\b.{0,30}\b(clarif|question)/i, 'does not ask for or give the clarification requested'],
];

/**
 * Without a diagnosis model: reads the examples' text for cues. Conservative: knowledge only when its
 * cues clearly outnumber the behavioral ones, and never with high confidence; no cue at all is unknown.
 */
export function diagnoseByCues(texts: string[]): DiagnosisResult {
  const count = (cues: [RegExp, string][]): Map<string, number> => {
    const hits = new Map<string, number>();
    for (const t of texts) for (const [re, why] of cues) if (re.test(t)) hits.set(why, (hits.get(why) ?? 0) + 1);
    return hits;
  };
  const k = count(knowledgeCues);
  const b = count(behavioralCues);
  const kn = [...k.values()].reduce((s, n) => s + n, 0);
  const bn = [...b.values()].reduce((s, n) => s + n, 0);
  const top = (m: Map<string, number>): string[] =>
    [...m].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([why, n]) => `${why} (${n} of ${texts.length} examples)`);
  if (kn === 0 && bn === 0) return { diagnosis: 'unknown', confidence: 0.3, reasons: ['no diagnosis model configured and the examples show no clear cue'], source: 'fallback' };
  if (kn > bn * 1.5) return { diagnosis: 'knowledge', confidence: Math.min(0.7, 0.45 + (0.25 * kn) / (kn + bn)), reasons: top(k), source: 'fallback' };
  if (bn > kn * 1.5) return { diagnosis: 'behavioral', confidence: Math.min(0.7, 0.45 + (0.25 * bn) / (kn + bn)), reasons: top(b), source: 'fallback' };
  return { diagnosis: 'unknown', confidence: 0.35, reasons: [...top(k), ...top(b)], source: 'fallback' };
}
