/**
 * What the judge sees of a recorded call: the conversation sent to the model (system prompt included)
 * and the model's output (text and tool calls), as plain data, whatever the wire shape (chat completions,
 * Anthropic messages, Responses) and tolerant of anything else.
 */
import {
  clipMiddle,
  conversationOf,
  isRecord,
  isSystemRole,
  jsonOrEmpty,
  readModelOutput,
  responseShapeOf,
  strOrNull,
  TOOL_ARGUMENTS_MAX,
  type ConversationEntry,
  type ModelOutput,
} from '../../core/index.ts';

export type { ConversationEntry };
/** The head-and-tail clip the judge's content is cut with. */
export { clipMiddle as clip };

export interface OutputToolCall {
  name: string;
  arguments: string;
}

export interface CallOutput {
  text: string | null;
  tool_calls: OutputToolCall[];
  refusal?: string;
  finish_reason?: string;
  /** A response of no known shape, as JSON text. */
  unrecognized?: string;
}

export interface CallContent {
  conversation: ConversationEntry[];
  tools_offered?: string[];
  output: CallOutput;
}

/** Characters of conversation the judge gets (system prompt and latest messages first). */
export const CONVERSATION_BUDGET = 12_000;
const SYSTEM_MAX = 4_000;
const MESSAGE_MAX = 6_000;
const OUTPUT_TEXT_MAX = 8_000;
const TOOL_CALLS_MAX = 10;

const isSystem = (e: ConversationEntry) => isSystemRole(e.role);

/**
 * The conversation within the budget: each message clipped (system prompts to 4k, others to 6k),
 * then the oldest non-system messages dropped (a note says how many), then the last one clipped further.
 */
export function fitConversation(entries: ConversationEntry[], budget = CONVERSATION_BUDGET): ConversationEntry[] {
  const clipped = entries.map((e) => ({ role: e.role, content: clipMiddle(e.content, isSystem(e) ? SYSTEM_MAX : MESSAGE_MAX) }));
  const size = () => clipped.reduce((n, e) => n + e.content.length, 0);
  let omitted = 0;
  let firstAt = -1;
  while (size() > budget) {
    const i = clipped.findIndex((e, k) => !isSystem(e) && k < clipped.length - 1);
    if (i < 0) break;
    if (firstAt < 0) firstAt = i;
    clipped.splice(i, 1);
    omitted++;
  }
  const last = clipped.at(-1);
  if (last && size() > budget) last.content = clipMiddle(last.content, Math.max(500, budget - (size() - last.content.length)));
  if (omitted > 0) clipped.splice(firstAt, 0, { role: 'note', content: `[${omitted} earlier message${omitted === 1 ? '' : 's'} omitted]` });
  return clipped;
}

function toolsOffered(request: unknown): string[] {
  if (!isRecord(request) || !Array.isArray(request.tools)) return [];
  return request.tools.flatMap((t) => {
    if (!isRecord(t)) return [];
    const name = isRecord(t.function) ? strOrNull(t.function.name) : strOrNull(t.name);
    return name ? [name] : [];
  });
}

/** The judge's form of the model's output (a Responses object's `output_text` stands in for text its items lack). */
function judgedOutput(o: ModelOutput, outputText: string | null): CallOutput {
  const out: CallOutput = { text: o.text ?? outputText, tool_calls: o.toolCalls.map((c) => ({ name: c.name || '?', arguments: c.arguments })) };
  // an Anthropic refusal's words are its text, already there
  if (o.refusal && !o.refusalStop) out.refusal = o.refusal;
  if (o.finishReason) out.finish_reason = o.finishReason;
  return out;
}

function rawOutput(response: unknown): CallOutput {
  if (typeof response === 'string') return { text: response, tool_calls: [] };
  const shape = responseShapeOf(response);
  const read = shape && readModelOutput(shape, response);
  const outputText = isRecord(response) ? strOrNull(response['output_text']) : null;
  if (read) return judgedOutput(read, shape === 'responses' ? outputText : null);
  if (outputText !== null) return { text: outputText, tool_calls: [] };
  const unrecognized = jsonOrEmpty(response);
  return unrecognized && unrecognized !== 'null' ? { text: null, tool_calls: [], unrecognized } : { text: null, tool_calls: [] };
}

function fitOutput(o: CallOutput): CallOutput {
  const out: CallOutput = {
    ...o,
    text: o.text === null ? null : clipMiddle(o.text, OUTPUT_TEXT_MAX),
    tool_calls: o.tool_calls.slice(0, TOOL_CALLS_MAX).map((c) => ({ name: c.name, arguments: clipMiddle(c.arguments, TOOL_ARGUMENTS_MAX) })),
  };
  if (o.refusal) out.refusal = clipMiddle(o.refusal, 2_000);
  if (o.unrecognized) out.unrecognized = clipMiddle(o.unrecognized, OUTPUT_TEXT_MAX);
  return out;
}

/** The judged call's content, within size bounds. Never throws, whatever the request and response hold. */
export function callContent(request: unknown, response: unknown): CallContent {
  const content: CallContent = { conversation: fitConversation(conversationOf(request)), output: fitOutput(rawOutput(response)) };
  const tools = toolsOffered(request);
  if (tools.length) content.tools_offered = tools.slice(0, 50);
  return content;
}
