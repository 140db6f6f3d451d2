/**
 * What the judge sees of a recorded call: the conversation sent to the model (system prompt included)
 * and the model's output (text and tool calls), as plain data, whatever the wire shape (chat completions,
 * Anthropic messages, Responses) and tolerant of anything else.
 */

export interface ConversationEntry {
  role: string;
  content: string;
}

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
const TOOL_ARGUMENTS_MAX = 2_000;
const TOOL_CALLS_MAX = 10;

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Head and tail of a long text, with what was cut in between. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.7);
  const tail = Math.max(0, max - head);
  return `${text.slice(0, head)}\n…[${text.length - head - tail} characters omitted]…\n${tail > 0 ? text.slice(-tail) : ''}`;
}

function json(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

function toolCallText(name: unknown, args: unknown): string {
  const a = typeof args === 'string' ? args : json(args ?? {});
  return `[tool call ${str(name) ?? '?'}(${clip(a, TOOL_ARGUMENTS_MAX)})]`;
}

/** Text of one content part or block of any of the wire shapes. */
function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (!isRecord(part)) return '';
  const type = str(part.type) ?? '';
  if (typeof part.text === 'string') return part.text;
  switch (type) {
    case 'refusal': return `[refusal] ${str(part.refusal) ?? ''}`;
    case 'image_url': case 'image': case 'input_image': return '[image]';
    case 'input_audio': case 'audio': return '[audio]';
    case 'file': case 'input_file': case 'document': return '[file]';
    case 'tool_use': case 'server_tool_use': return toolCallText(part.name, part.input);
    case 'tool_result': return `[tool result] ${contentText(part.content)}`;
    case 'thinking': case 'redacted_thinking': case 'reasoning': return '';
    default: return type ? `[${type}]` : '';
  }
}

/** A content value (string, parts array, single block) as text. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(partText).filter(Boolean).join('\n');
  if (isRecord(content)) return partText(content);
  return '';
}

/** A chat / Anthropic message or a Responses input item → an entry (null for items with nothing to show). */
function entryOf(item: unknown): ConversationEntry | null {
  if (typeof item === 'string') return { role: 'user', content: item };
  if (!isRecord(item)) return null;
  const type = str(item.type);
  if (type === 'function_call' || type === 'custom_tool_call') return { role: 'assistant', content: toolCallText(item.name, item.arguments ?? item.input) };
  if (type === 'function_call_output' || type === 'custom_tool_call_output') return { role: 'tool', content: contentText(item.output) || json(item.output) };
  if (type === 'reasoning') return null;
  const parts = [contentText(item.content)];
  if (Array.isArray(item.tool_calls)) {
    for (const call of item.tool_calls) {
      const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
      if (fn) parts.push(toolCallText(fn.name, fn.arguments));
    }
  }
  if (isRecord(item.function_call)) parts.push(toolCallText(item.function_call.name, item.function_call.arguments));
  const content = parts.filter(Boolean).join('\n');
  return { role: str(item.role) ?? type ?? 'unknown', content };
}

function rawConversation(request: unknown): ConversationEntry[] {
  if (!isRecord(request)) return [];
  const out: ConversationEntry[] = [];
  if (request.system !== undefined) out.push({ role: 'system', content: contentText(request.system) });
  if (typeof request.instructions === 'string') out.push({ role: 'system', content: request.instructions });
  const items = [request.messages, request.input, request.prompt];
  for (const list of items) {
    if (typeof list === 'string') out.push({ role: 'user', content: list });
    else if (Array.isArray(list)) for (const item of list) {
      const e = entryOf(item);
      if (e) out.push(e);
    }
  }
  return out;
}

const isSystem = (e: ConversationEntry) => e.role === 'system' || e.role === 'developer';

/**
 * The conversation within the budget: each message clipped (system prompts to 4k, others to 6k),
 * then the oldest non-system messages dropped (a note says how many), then the last one clipped further.
 */
export function fitConversation(entries: ConversationEntry[], budget = CONVERSATION_BUDGET): ConversationEntry[] {
  const clipped = entries.map((e) => ({ role: e.role, content: clip(e.content, isSystem(e) ? SYSTEM_MAX : MESSAGE_MAX) }));
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
  if (last && size() > budget) last.content = clip(last.content, Math.max(500, budget - (size() - last.content.length)));
  if (omitted > 0) clipped.splice(firstAt, 0, { role: 'note', content: `[${omitted} earlier message${omitted === 1 ? '' : 's'} omitted]` });
  return clipped;
}

function toolsOffered(request: unknown): string[] {
  if (!isRecord(request) || !Array.isArray(request.tools)) return [];
  return request.tools.flatMap((t) => {
    if (!isRecord(t)) return [];
    const name = isRecord(t.function) ? str(t.function.name) : str(t.name);
    return name ? [name] : [];
  });
}

function chatOutput(choices: unknown[]): CallOutput {
  const choice = choices.find(isRecord);
  const message = choice && (isRecord(choice.message) ? choice.message : isRecord(choice.delta) ? choice.delta : undefined);
  const calls: OutputToolCall[] = [];
  if (message && Array.isArray(message.tool_calls)) {
    for (const c of message.tool_calls) {
      const fn = isRecord(c) && isRecord(c.function) ? c.function : undefined;
      if (fn) calls.push({ name: str(fn.name) ?? '?', arguments: str(fn.arguments) ?? json(fn.arguments) });
    }
  }
  if (message && isRecord(message.function_call)) calls.push({ name: str(message.function_call.name) ?? '?', arguments: str(message.function_call.arguments) ?? '' });
  const text = message ? contentText(message.content) : '';
  const out: CallOutput = { text: message?.content == null && !text ? null : text, tool_calls: calls };
  const refusal = message && str(message.refusal);
  if (refusal) out.refusal = refusal;
  const finish = choice && str(choice.finish_reason);
  if (finish) out.finish_reason = finish;
  return out;
}

function anthropicOutput(msg: Rec, content: unknown[]): CallOutput {
  const texts: string[] = [];
  const calls: OutputToolCall[] = [];
  for (const block of content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block.type === 'tool_use') calls.push({ name: str(block.name) ?? '?', arguments: json(block.input ?? {}) });
  }
  const out: CallOutput = { text: texts.length ? texts.join('') : null, tool_calls: calls };
  const stop = str(msg.stop_reason);
  if (stop) out.finish_reason = stop;
  return out;
}

function responsesOutput(res: Rec, output: unknown[]): CallOutput {
  const texts: string[] = [];
  const calls: OutputToolCall[] = [];
  let refusal: string | undefined;
  for (const item of output) {
    if (!isRecord(item)) continue;
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (!isRecord(part)) continue;
        if (typeof part.text === 'string') texts.push(part.text);
        else if (part.type === 'refusal') refusal = str(part.refusal);
      }
    } else if (item.type === 'function_call' || item.type === 'custom_tool_call') {
      calls.push({ name: str(item.name) ?? '?', arguments: str(item.arguments) ?? str(item.input) ?? json(item.arguments ?? item.input) });
    }
  }
  const out: CallOutput = { text: texts.length ? texts.join('') : (str(res.output_text) ?? null), tool_calls: calls };
  if (refusal) out.refusal = refusal;
  const status = str(res.status);
  if (status) out.finish_reason = status;
  return out;
}

function rawOutput(response: unknown): CallOutput {
  if (typeof response === 'string') return { text: response, tool_calls: [] };
  if (isRecord(response)) {
    if (Array.isArray(response.choices)) return chatOutput(response.choices);
    if (Array.isArray(response.content)) return anthropicOutput(response, response.content);
    if (Array.isArray(response.output)) return responsesOutput(response, response.output);
    if (typeof response.output_text === 'string') return { text: response.output_text, tool_calls: [] };
  }
  const unrecognized = json(response);
  return unrecognized && unrecognized !== 'null' ? { text: null, tool_calls: [], unrecognized } : { text: null, tool_calls: [] };
}

function fitOutput(o: CallOutput): CallOutput {
  const out: CallOutput = {
    ...o,
    text: o.text === null ? null : clip(o.text, OUTPUT_TEXT_MAX),
    tool_calls: o.tool_calls.slice(0, TOOL_CALLS_MAX).map((c) => ({ name: c.name, arguments: clip(c.arguments, TOOL_ARGUMENTS_MAX) })),
  };
  if (o.refusal) out.refusal = clip(o.refusal, 2_000);
  if (o.unrecognized) out.unrecognized = clip(o.unrecognized, OUTPUT_TEXT_MAX);
  return out;
}

/** The judged call's content, within size bounds. Never throws, whatever the request and response hold. */
export function callContent(request: unknown, response: unknown): CallContent {
  const content: CallContent = { conversation: fitConversation(rawConversation(request)), output: fitOutput(rawOutput(response)) };
  const tools = toolsOffered(request);
  if (tools.length) content.tools_offered = tools.slice(0, 50);
  return content;
}
