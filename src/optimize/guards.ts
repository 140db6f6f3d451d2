import { placeholdersOf } from '../prompts/index.ts';
import { growthOf } from '../evaluate/index.ts';

/** Consecutive words shared with a case's content that count as copying it. */
const copiedWords = 8;

function wordGrams(text: string, n: number): Set<string> {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const out = new Set<string>();
  for (let i = 0; i + n <= words.length; i++) out.add(words.slice(i, i + n).join(' '));
  return out;
}

const protectedHeading = /^#{1,6}\s*.*\b(output|format|contract|schema|tools?|functions?)\b.*$/i;

/**
 * The sections of a prompt a candidate may not change: fenced code blocks (schemas, examples of the
 * output contract), and markdown sections whose heading names the output, its format or contract, a
 * schema or the tools — each up to the next heading.
 */
export function protectedSections(template: string): string[] {
  const out = [...template.matchAll(/```[\s\S]*?```/g)].map((m) => m[0]);
  const lines = template.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!protectedHeading.test(lines[i] as string)) continue;
    let j = i + 1;
    while (j < lines.length && !/^#{1,6}\s/.test(lines[j] as string)) j++;
    out.push(lines.slice(i, j).join('\n').trimEnd());
    i = j - 1;
  }
  return out;
}

/**
 * How much longer a candidate is than the current prompt, and whether that is past the bound: more
 * than `maxGrowth` of the current length AND more than `minGrowthChars` characters (a short prompt
 * may always grow by that much: stating the output contract can double it).
 */
/**
 * Why a proposed template must be rejected before any evaluation, or null: it drops or adds a slot,
 * changes a protected section, grows past the bound, or copies text from the cases it was shown (case
 * content is data, and a prompt that memorizes cases does not generalize).
 */
export function rejectCandidate(candidate: string, current: string, slots: string[], caseTexts: string[], maxGrowth: number, minGrowthChars = 0): string | null {
  const used = placeholdersOf(candidate);
  const missing = slots.filter((s) => !used.includes(s));
  const extra = used.filter((s) => !slots.includes(s));
  if (missing.length > 0) return `drops slot(s) ${missing.join(', ')}`;
  if (extra.length > 0) return `adds slot(s) ${extra.join(', ')}`;
  const changed = protectedSections(current).find((section) => !candidate.includes(section));
  if (changed) return `changes a protected section ("${changed.split('\n')[0]!.slice(0, 60)}")`;
  const { growth, tooMuch } = growthOf(candidate.length, current.length, { maxGrowth, minGrowthChars });
  if (tooMuch) return `grows ${Math.round(growth * 100)} % (bound ${Math.round(maxGrowth * 100)} % or ${minGrowthChars} characters)`;
  const own = wordGrams(current, copiedWords);
  const cand = wordGrams(candidate, copiedWords);
  for (const t of caseTexts) {
    for (const g of wordGrams(t, copiedWords)) if (cand.has(g) && !own.has(g)) return `copies case text ("${g}")`;
  }
  return null;
}
