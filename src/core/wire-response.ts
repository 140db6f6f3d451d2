import { arrayOf, isRecord, objOf, strOrNull, type JsonRecord } from './json-value.ts';
import type { WireShape } from './wire-request.ts';

/**
 * The response half of the one reader of wire bodies (the request half is wire-request.ts): what the model
 * produced, from a chat completion (or a stream assembled into one), an Anthropic message or a Responses object.
 */

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
  /** How the output ended, as the response says it: chat `finish_reason`, Anthropic `stop_reason`, Responses `status`. */
  finishReason: string | null;
}

/** A call with nothing to read. */
export const noOutput: ModelOutput = Object.freeze({ text: null, toolCalls: [], refusal: null, refusalStop: null, truncated: null, contentFilter: null, failed: null, finishReason: null });

const joinParts = (parts: string[], sep: string): string | null => (parts.length ? parts.join(sep) : null);

/** Output content's text: a string, or the text of its parts concatenated; null when it has none. */
function outputText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const parts = content.flatMap((p) => (isRecord(p) && typeof p['text'] === 'string' ? [p['text']] : []));
  return joinParts(parts, '');
}

function argumentsOf(v: unknown): { arguments: string; input: ToolCallRecord['input'] } {
  if (typeof v === 'string') return { arguments: v, input: { kind: 'json' } };
  if (v === undefined || v === null) return { arguments: '', input: { kind: 'json' } };
  return { arguments: JSON.stringify(v), input: { kind: 'object', value: v } };
}

function chatToolCalls(msg: JsonRecord): ToolCallRecord[] {
  const calls = arrayOf(msg['tool_calls']).flatMap((t): ToolCallRecord[] => {
    if (!isRecord(t)) return [];
    const id = strOrNull(t['id']);
    if (isRecord(t['custom'])) {
      const c = t['custom'];
      return [{ id, name: strOrNull(c['name']) ?? '', arguments: strOrNull(c['input']) ?? '', input: { kind: 'text' } }];
    }
    const f = objOf(t['function']);
    return [{ id, name: strOrNull(f['name']) ?? '', ...argumentsOf(f['arguments']) }];
  });
  const legacy = msg['function_call'];
  if (isRecord(legacy)) calls.push({ id: null, name: strOrNull(legacy['name']) ?? '', ...argumentsOf(legacy['arguments']) });
  return calls;
}

/** OpenAI chat completion (or an assembled stream of one): the first choice. */
function readChat(res: unknown): ModelOutput | null {
  if (!isRecord(res) || !Array.isArray(res['choices'])) return null;
  const choice = objOf(res['choices'][0]);
  const msg = objOf(choice['message']);
  const finish = strOrNull(choice['finish_reason']);
  const refusal = strOrNull(msg['refusal']);
  return {
    text: outputText(msg['content']),
    toolCalls: chatToolCalls(msg),
    refusal: refusal && refusal.trim() ? refusal : null,
    refusalStop: null,
    truncated: finish === 'length' ? 'finish_reason: length' : null,
    contentFilter: finish === 'content_filter' ? 'finish_reason: content_filter' : null,
    failed: null,
    finishReason: finish,
  };
}

/** Anthropic streams that ended mid tool input are assembled as `{ unparsed: '<partial json>' }`. */
function anthropicInput(input: unknown): Pick<ToolCallRecord, 'arguments' | 'input'> {
  if (isRecord(input) && Object.keys(input).length === 1 && typeof input['unparsed'] === 'string') {
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
  if (!isRecord(res) || !Array.isArray(res['content'])) return null;
  const texts: string[] = [];
  const toolCalls: ToolCallRecord[] = [];
  for (const b of res['content']) {
    if (!isRecord(b)) continue;
    if (b['type'] === 'text' && typeof b['text'] === 'string') texts.push(b['text']);
    if (b['type'] === 'tool_use') toolCalls.push({ id: strOrNull(b['id']), name: strOrNull(b['name']) ?? '', ...anthropicInput(b['input']) });
  }
  const text = joinParts(texts, '');
  const stop = strOrNull(res['stop_reason']);
  const truncated = stop === 'max_tokens' || stop === 'model_context_window_exceeded' ? `stop_reason: ${stop}` : null;
  const refusalStop = stop === 'refusal' ? 'stop_reason: refusal' : null;
  const refusal = refusalStop && text?.trim() ? text : null;
  return { text, toolCalls, refusal, refusalStop, truncated, contentFilter: null, failed: null, finishReason: stop };
}

/** OpenAI Responses object: output_text parts of message items, function calls, incomplete and failed states. */
function readResponses(res: unknown): ModelOutput | null {
  if (!isRecord(res) || !Array.isArray(res['output'])) return null;
  const messages: string[] = [];
  const refusals: string[] = [];
  const toolCalls: ToolCallRecord[] = [];
  for (const item of res['output']) {
    if (!isRecord(item)) continue;
    const id = strOrNull(item['call_id']) ?? strOrNull(item['id']);
    if (item['type'] === 'function_call') toolCalls.push({ id, name: strOrNull(item['name']) ?? '', ...argumentsOf(item['arguments']) });
    if (item['type'] === 'custom_tool_call') toolCalls.push({ id, name: strOrNull(item['name']) ?? '', arguments: strOrNull(item['input']) ?? '', input: { kind: 'text' } });
    if (item['type'] !== 'message') continue;
    const parts: string[] = [];
    for (const c of arrayOf(item['content'])) {
      if (isRecord(c) && c['type'] === 'output_text' && typeof c['text'] === 'string') parts.push(c['text']);
      if (isRecord(c) && c['type'] === 'refusal' && typeof c['refusal'] === 'string' && c['refusal'].trim()) refusals.push(c['refusal']);
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
    finishReason: strOrNull(res['status']),
  };
}

/** The model's output in a response of the route's shape; null for other routes and for a response not of that shape. Never throws. */
export function readModelOutput(shape: string, response: unknown): ModelOutput | null {
  try {
    if (shape === 'chat.completions') return readChat(response);
    if (shape === 'messages') return readAnthropic(response);
    if (shape === 'responses') return readResponses(response);
  } catch {
    // a response of a shape nobody foresaw: nothing to read
  }
  return null;
}

/** Which of the three shapes a response body has, told from the body alone (`choices`, `content` or `output`); null for none. */
export function responseShapeOf(response: unknown): WireShape | null {
  if (!isRecord(response)) return null;
  if (Array.isArray(response['choices'])) return 'chat.completions';
  if (Array.isArray(response['content'])) return 'messages';
  if (Array.isArray(response['output'])) return 'responses';
  return null;
}
