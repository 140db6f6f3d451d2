import { placeholdersOf } from '../hotswap/index.ts';

/** Consecutive words shared with a case's content that count as copying it. */
const copiedWords = 8;

function wordGrams(text: string, n: number): Set<string> {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const out = new Set<string>();
  for (let i = 0; i + n <= words.length; i++) out.add(words.slice(i, i + n).join(' '));
  return out;
}

/**
 * Why a proposed template must be rejected before any evaluation, or null: it drops or adds a slot,
 * grows past the bound, or copies text from the cases it was shown (case content is data, and a
 * prompt that memorizes cases does not generalize).
 */
export function rejectCandidate(candidate: string, current: string, slots: string[], caseTexts: string[], maxGrowth: number): string | null {
  const used = placeholdersOf(candidate);
  const missing = slots.filter((s) => !used.includes(s));
  const extra = used.filter((s) => !slots.includes(s));
  if (missing.length > 0) return `drops slot(s) ${missing.join(', ')}`;
  if (extra.length > 0) return `adds slot(s) ${extra.join(', ')}`;
  if (current.length > 0 && candidate.length / current.length - 1 > maxGrowth) return `grows ${Math.round((candidate.length / current.length - 1) * 100)} % (bound ${Math.round(maxGrowth * 100)} %)`;
  const own = wordGrams(current, copiedWords);
  const cand = wordGrams(candidate, copiedWords);
  for (const t of caseTexts) {
    for (const g of wordGrams(t, copiedWords)) if (cand.has(g) && !own.has(g)) return `copies case text ("${g}")`;
  }
  return null;
}
