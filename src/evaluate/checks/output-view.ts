import type { CallView } from '../types.ts';
import { arrayOf, isObj, objOf, strOrNull, type Obj } from './json-text.ts';

/** What the model produced, from any route's response: text, tool calls, refusal, and what was asked of it. */
export interface OutputView {
  text: string | null;
  toolCalls: { id: string | null; name: string; arguments: string }[];
  refusal: string | null;
}

/** A tool call as the checks need it: its arguments as sent, or already parsed (Anthropic), or free text (custom tools). */
export interface ToolCallRecord {
  id: string | null;
  name: string;
  arguments: string;
  /** `json`: arguments is a JSON string; `object`: `input` is the parsed arguments; `unparsed`: a stream's arguments that never parsed; `text`: free-form input. */
  input: { kind: 'json' } | { kind: 'object'; value: unknown } | { kind: 'unparsed' } | { kind: 'text' };
}

/** The output of a call with how it ended, read from the route's response shape. */
export interface ModelOutput {
  text: string | null;
  toolCalls: ToolCallRecord[];
  /** The refusal's words (chat `message.refusal`, Responses refusal content, an Anthropic refusal's text). */
  refusal: string | null;
  /** Set when the stop reason itself says the model refused, e.g. `stop_reason: refusal`. */
  refusalStop: string | null;
  /** Set when the output was cut at a token limit, e.g. `finish_reason: length`. */
  truncated: string | null;
  /** Set when a content filter stopped the output, e.g. `finish_reason: content_filter`. */
  contentFilter: string | null;
  /** A response object that reports its own failure (a Responses object with status `failed`). */
  failed: { code: string | null; message: string | null } | null;
}

/** A call with nothing to read. */
export const noOutput: ModelOutput = Object.freeze({ text: null, toolCalls: [], refusal: null, refusalStop: null, truncated: null, contentFilter: null, failed: null });

const joinParts = (parts: string[], sep: string): string | null => (parts.length ? parts.join(sep) : null);

function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const parts = content.flatMap((p) => (isObj(p) && typeof p['text'] === 'string' ? [p['text']] : []));
  return joinParts(parts, '');
}

function argumentsOf(v: unknown): { arguments: string; input: ToolCallRecord['input'] } {
  if (typeof v === 'string') return { arguments: v, input: { kind: 'json' } };
  if (v === undefined || v === null) return { arguments: '', input: { kind: 'json' } };
  return { arguments: JSON.stringify(v), input: { kind: 'object', value: v } };
}

function chatToolCalls(msg: Obj): ToolCallRecord[] {
  const calls = arrayOf(msg['tool_calls']).flatMap((t): ToolCallRecord[] => {
    if (!isObj(t)) return [];
    const id = strOrNull(t['id']);
    if (isObj(t['custom'])) {
      const c = t['custom'];
      return [{ id, name: strOrNull(c['name']) ?? '', arguments: strOrNull(c['input']) ?? '', input: { kind: 'text' } }];
    }
    const f = objOf(t['function']);
    return [{ id, name: strOrNull(f['name']) ?? '', ...argumentsOf(f['arguments']) }];
  });
  const legacy = msg['function_call'];
  if (isObj(legacy)) calls.push({ id: null, name: strOrNull(legacy['name']) ?? '', ...argumentsOf(legacy['arguments']) });
  return calls;
}

/** OpenAI chat completion (or an assembled stream of one): the first choice. */
function readChat(res: unknown): ModelOutput | null {
  if (!isObj(res) || !Array.isArray(res['choices'])) return null;
  const choice = objOf(res['choices'][0]);
  const msg = objOf(choice['message']);
  const finish = strOrNull(choice['finish_reason']);
  const refusal = strOrNull(msg['refusal']);
  return {
    text: contentText(msg['content']),
    toolCalls: chatToolCalls(msg),
    refusal: refusal && refusal.trim() ? refusal : null,
    refusalStop: null,
    truncated: finish === 'length' ? 'finish_reason: length' : null,
    contentFilter: finish === 'content_filter' ? 'finish_reason: content_filter' : null,
    failed: null,
  };
}

/** Anthropic streams that ended mid tool input are assembled as `{ unparsed: '<partial json>' }`. */
function anthropicInput(input: unknown): Pick<ToolCallRecord, 'arguments' | 'input'> {
  if (isObj(input) && Object.keys(input).length === 1 && typeof input['unparsed'] === 'string') {
    try {
      JSON.parse(input['unparsed']);
    } catch {
      return { arguments: input['unparsed'], input: { kind: 'unparsed' } };
    }
  }
  return { arguments: JSON.stringify(input ?? {}), input: { kind: 'object', value: input ?? {} } };
}

/** Anthropic message: text blocks joined, tool_use blocks as tool calls, stop_reason. */
function readAnthropic(res: unknown): ModelOutput | null {
  if (!isObj(res) || !Array.isArray(res['content'])) return null;
  const texts: string[] = [];
  const toolCalls: ToolCallRecord[] = [];
  for (const b of res['content']) {
    if (!isObj(b)) continue;
    if (b['type'] === 'text' && typeof b['text'] === 'string') texts.push(b['text']);
    if (b['type'] === 'tool_use') toolCalls.push({ id: strOrNull(b['id']), name: strOrNull(b['name']) ?? '', ...anthropicInput(b['input']) });
  }
  const text = joinParts(texts, '');
  const stop = strOrNull(res['stop_reason']);
  const truncated = stop === 'max_tokens' || stop === 'model_context_window_exceeded' ? `stop_reason: ${stop}` : null;
  const refusalStop = stop === 'refusal' ? 'stop_reason: refusal' : null;
  const refusal = refusalStop && text?.trim() ? text : null;
  return { text, toolCalls, refusal, refusalStop, truncated, contentFilter: null, failed: null };
}

/** OpenAI Responses object: output_text parts of message items, function calls, incomplete and failed states. */
function readResponses(res: unknown): ModelOutput | null {
  if (!isObj(res) || !Array.isArray(res['output'])) return null;
  const messages: string[] = [];
  const refusals: string[] = [];
  const toolCalls: ToolCallRecord[] = [];
  for (const item of res['output']) {
    if (!isObj(item)) continue;
    const id = strOrNull(item['call_id']) ?? strOrNull(item['id']);
    if (item['type'] === 'function_call') toolCalls.push({ id, name: strOrNull(item['name']) ?? '', ...argumentsOf(item['arguments']) });
    if (item['type'] === 'custom_tool_call') toolCalls.push({ id, name: strOrNull(item['name']) ?? '', arguments: strOrNull(item['input']) ?? '', input: { kind: 'text' } });
    if (item['type'] !== 'message') continue;
    const parts: string[] = [];
    for (const c of arrayOf(item['content'])) {
      if (isObj(c) && c['type'] === 'output_text' && typeof c['text'] === 'string') parts.push(c['text']);
      if (isObj(c) && c['type'] === 'refusal' && typeof c['refusal'] === 'string' && c['refusal'].trim()) refusals.push(c['refusal']);
    }
    if (parts.length) messages.push(parts.join(''));
  }
  const reason = strOrNull(objOf(res['incomplete_details'])['reason']);
  const error = objOf(res['error']);
  return {
    text: joinParts(messages, '\n\n'),
    toolCalls,
    refusal: joinParts(refusals, '\n'),
    refusalStop: null,
    truncated: reason === 'max_output_tokens' ? `incomplete_details.reason: ${reason}` : null,
    contentFilter: reason === 'content_filter' ? `incomplete_details.reason: ${reason}` : null,
    failed: res['status'] === 'failed' ? { code: strOrNull(error['code']), message: strOrNull(error['message']) } : null,
  };
}

/** The call's output, or null when the route has no model output or the response is not of its route's shape. */
export function readOutput(call: CallView): ModelOutput | null {
  try {
    if (call.route === 'chat.completions') return readChat(call.response);
    if (call.route === 'messages') return readAnthropic(call.response);
    if (call.route === 'responses') return readResponses(call.response);
  } catch {
    // a response of a shape nobody foresaw: nothing to check
  }
  return null;
}

/** The public view of a read output (what custom rules see). */
export function viewOf(out: ModelOutput | null): OutputView {
  if (!out) return { text: null, toolCalls: [], refusal: null };
  return { text: out.text, toolCalls: out.toolCalls.map((t) => ({ id: t.id, name: t.name, arguments: t.arguments })), refusal: out.refusal ?? out.refusalStop };
}

/** What the model produced; an empty view when there is nothing to read. */
export function outputOf(call: CallView): OutputView {
  return viewOf(readOutput(call));
}
