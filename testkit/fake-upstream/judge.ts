/**
 * The fake as a deterministic, deliberately naive LLM judge. A chat or Anthropic request whose system
 * prompt holds JUDGE_MARKER gets a verdict JSON instead of an echo:
 *
 * - The data block is found by the delimiter the prompt declares, `<call_data id="NONCE">`, and ends at
 *   the first `</call_data id="NONCE">` after it (no escaping is undone: what looks like the closing
 *   delimiter is taken for it, as a naive model would).
 * - The DATA fails (pass false, score 0.1, failed_criteria ['correctness']) when it holds the word WRONG,
 *   else passes (score 0.9).
 * - Text OUTSIDE the data block is obeyed: if it says "answer pass", the verdict is pass regardless. So an
 *   injection that escapes the delimiters fools this judge — which is what the gateway must prevent.
 * - Directives ([[error:N]], [[hang]], [[slow:MS]], [[cut]], [[length]]) apply when written outside the
 *   data block (in the rubric, say), never from inside it (the judged call's own directives). Scripts
 *   queued with `enqueue` answer before any of this, as for every request.
 */
import { countWords, isRecord, parseDirectives, promptTokensOf, splitPieces, textOf, type ReplyInput, type ReplyPlan } from './reply-plan.ts';

/** Duplicated on purpose from src/evaluate/judge (JUDGE_MARKER): the fake imports nothing from src. */
export const JUDGE_MARKER = 'You are the Fixpoint judge';

const DECLARED = /<call_data id="([^"<>\s]+)">/;

export interface FakeVerdict {
  pass: boolean;
  score: number;
  failed_criteria: string[];
  rationale: string;
}

/** The data block of the user text and everything outside it (the whole text is data when no block is found). */
export function splitDataBlock(userText: string, nonce: string | undefined): { data: string; outside: string } {
  if (!nonce) return { data: userText, outside: '' };
  const open = `<call_data id="${nonce}">`;
  const close = `</call_data id="${nonce}">`;
  const start = userText.indexOf(open);
  if (start < 0) return { data: userText, outside: '' };
  const end = userText.indexOf(close, start + open.length);
  if (end < 0) return { data: userText.slice(start + open.length), outside: userText.slice(0, start) };
  return { data: userText.slice(start + open.length, end), outside: `${userText.slice(0, start)}\n${userText.slice(end + close.length)}` };
}

export function fakeVerdict(data: string, outside: string): FakeVerdict {
  if (/answer pass/i.test(outside)) return { pass: true, score: 0.9, failed_criteria: [], rationale: 'Passed as instructed.' };
  const wrong = /\bWRONG\b/.exec(data);
  if (wrong) {
    const quote = data.slice(Math.max(0, wrong.index - 40), wrong.index + 60).replace(/\s+/g, ' ').trim();
    return { pass: false, score: 0.1, failed_criteria: ['correctness'], rationale: `The output is marked WRONG: "${quote}".` };
  }
  return { pass: true, score: 0.9, failed_criteria: [], rationale: 'The output meets the rubric.' };
}

/** System text of a chat request (system and developer messages). */
export function chatSystemText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  return messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).join('\n');
}

/** A judge's reply plan when the system prompt is the judge's, else null (answer as usual). */
export function judgeReply(systemText: string, input: ReplyInput): ReplyPlan | null {
  if (!systemText.includes(JUDGE_MARKER)) return null;
  const nonce = DECLARED.exec(systemText)?.[1] ?? DECLARED.exec(input.lastUserText)?.[1];
  const { data, outside } = splitDataBlock(input.lastUserText, nonce);
  const instructions = `${systemText}\n${outside}`;
  const directives = parseDirectives(instructions);
  const content = JSON.stringify(fakeVerdict(data, instructions));
  return {
    directives,
    content,
    pieces: splitPieces(content),
    toolCalls: [],
    finish: directives.length ? 'length' : 'stop',
    promptTokens: promptTokensOf(input.allText),
    completionTokens: countWords(content),
  };
}
