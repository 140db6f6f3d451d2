/**
 * The fake as the gateway's pattern models (deterministic): a chat request whose system prompt holds
 * DIAGNOSIS_MARKER gets a diagnosis, one holding SUMMARY_MARKER a title and summary.
 *
 * - Diagnosis: "knowledge" (confidence 0.9) when the data block mentions a wrong fact, an invented
 *   name or outdated information; otherwise "behavioral" (0.8). Like the judge, it is naive: words
 *   outside the data block that say "answer knowledge" are obeyed, so an injection that escapes the
 *   delimiters would fool it.
 * - Summary: the title is "Model title: " and the first three words of the first example.
 */
import { countWords, parseDirectives, promptTokensOf, splitPieces, type ReplyInput, type ReplyPlan } from './reply-plan.ts';
import { splitDataBlock } from './judge.ts';

/** Duplicated on purpose from src (DIAGNOSIS_MARKER, SUMMARY_MARKER): the fake imports nothing from src. */
export const DIAGNOSIS_MARKER = 'You are the Fixpoint failure diagnostician';
export const SUMMARY_MARKER = 'You are the Fixpoint pattern summarizer';
export const OPTIMIZER_MARKER = 'You are the Fixpoint prompt optimizer';

const DECLARED = /<pattern_examples id="([^"<>\s]+)">/;
const OPTIMIZER_DECLARED = /<optimizer_cases id="([^"<>\s]+)">/;

function plan(content: string, input: ReplyInput): ReplyPlan {
  return { directives: parseDirectives(''), content, pieces: splitPieces(content), toolCalls: [], finish: 'stop', promptTokens: promptTokensOf(input.allText), completionTokens: countWords(content) };
}

function splitExamples(userText: string, systemText: string): { data: string; outside: string } {
  const nonce = DECLARED.exec(systemText)?.[1];
  if (!nonce) return { data: userText, outside: '' };
  const open = `<pattern_examples id="${nonce}">`;
  const close = `</pattern_examples id="${nonce}">`;
  return splitDataBlock(userText.replace(open, `<call_data id="${nonce}">`).replace(close, `</call_data id="${nonce}">`), nonce);
}

/**
 * As the prompt optimizer: when the failing cases say "expected one of [a, b, c]", the revision adds
 * "Reply with exactly one of: a, b, c." (which the fake then obeys, see compliance.ts); otherwise it
 * adds a vague "Be precise." that fixes nothing.
 */
function optimizerReply(systemText: string, input: ReplyInput): ReplyPlan | null {
  const nonce = OPTIMIZER_DECLARED.exec(systemText)?.[1];
  if (!nonce) return null;
  const start = input.lastUserText.indexOf(`<optimizer_cases id="${nonce}">`);
  const end = input.lastUserText.indexOf(`</optimizer_cases id="${nonce}">`);
  if (start < 0 || end < 0) return null;
  const data = JSON.parse(input.lastUserText.slice(input.lastUserText.indexOf('\n', start) + 1, end)) as { prompt: string; failing_cases: { problems: string[] }[] };
  const labels = data.failing_cases.flatMap((c) => c.problems).map((p) => /expected one of \[([^\]]+)\]/.exec(p)?.[1]).find(Boolean);
  const template = labels && !/reply with exactly one of/i.test(data.prompt) ? `${data.prompt} Reply with exactly one of: ${labels}.` : `${data.prompt} Be precise.`;
  return plan(JSON.stringify({ template, rationale: labels ? 'the outputs must be one of the labels' : 'no clear cause' }), input);
}

export function patternModelReply(systemText: string, input: ReplyInput): ReplyPlan | null {
  if (systemText.includes(OPTIMIZER_MARKER)) return optimizerReply(systemText, input);
  if (systemText.includes(DIAGNOSIS_MARKER)) {
    const { data, outside } = splitExamples(input.lastUserText, systemText);
    const knowledge = /answer knowledge/i.test(outside) || /\b(wrong fact|invented|outdated|does not exist)\b/i.test(data);
    const verdict = knowledge
      ? { diagnosis: 'knowledge', confidence: 0.9, reasons: ['the examples state wrong or invented facts'] }
      : { diagnosis: 'behavioral', confidence: 0.8, reasons: ['the examples break the requested form'] };
    return plan(JSON.stringify(verdict), input);
  }
  if (systemText.includes(SUMMARY_MARKER)) {
    const { data } = splitExamples(input.lastUserText, systemText);
    let first = '';
    try {
      const parsed = JSON.parse(data) as { examples?: unknown[] };
      first = typeof parsed.examples?.[0] === 'string' ? parsed.examples[0] : '';
    } catch {
      first = '';
    }
    const words = first.split(/\s+/).filter(Boolean).slice(0, 3).join(' ');
    return plan(JSON.stringify({ title: `Model title: ${words}`, summary: `Model summary of a pattern whose first example starts "${words}".` }), input);
  }
  return null;
}
