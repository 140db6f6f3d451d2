/**
 * The fake's format compliance depends on how the system prompt is worded, as real models' does:
 * a system prompt that says "Reply with exactly one of: a, b, c." gets exactly one of those labels
 * (the first whose word the user's text mentions, else the first), while any other wording gets the
 * usual echo, which a label rule fails. Directives in the user's text still apply as usual.
 */
import { countWords, parseDirectives, promptTokensOf, splitPieces, type ReplyInput, type ReplyPlan } from './reply-plan.ts';

const EXACT_LABELS = /reply with exactly one of:\s*([^.\n]+)/i;

export function complianceReply(systemText: string, input: ReplyInput): ReplyPlan | null {
  const m = EXACT_LABELS.exec(systemText);
  if (!m || /\[\[/.test(input.lastUserText)) return null;
  const labels = (m[1] ?? '').split(/,|\bor\b/).map((l) => l.trim()).filter(Boolean);
  if (labels.length === 0) return null;
  const text = input.lastUserText.toLowerCase();
  const content = labels.find((l) => text.includes(l.toLowerCase())) ?? (labels[0] as string);
  return { directives: parseDirectives(''), content, pieces: splitPieces(content), toolCalls: [], finish: 'stop', promptTokens: promptTokensOf(input.allText), completionTokens: countWords(content) };
}
