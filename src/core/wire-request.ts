import { clipMiddle } from './clip-text.ts';
import { isRecord, jsonOrEmpty, strOrNull, type JsonRecord } from './json-value.ts';

/**
 * The request half of the one reader of wire bodies (the response half is wire-response.ts). Three shapes:
 * - chat completions: `messages`; the system prompt is a `system` or `developer` message;
 * - Anthropic Messages: `messages`; the system prompt is the top-level `system`, a string or text blocks;
 * - OpenAI Responses: `input`, a string or items; the system prompt is the top-level `instructions`.
 */

/** The wire shapes, named as the proxy routes that carry them. */
export type WireShape = 'chat.completions' | 'messages' | 'responses';

/** Whether a message's role makes it a system prompt (chat messages, Responses input items). */
export const isSystemRole = (role: unknown): boolean => role === 'system' || role === 'developer';

/** The top-level fields that hold a system prompt outside the messages: Anthropic's `system`, Responses' `instructions`. */
export const systemPromptFields = ['system', 'instructions'] as const;

/**
 * The text of the system prompt a request carries, whatever its shape: the first system or developer
 * message (text parts joined by newlines, parts without text as empty), else `system` or `instructions`
 * (text blocks joined by newlines); null when there is none. Component fingerprints are made from it.
 */
export function systemPromptText(body: JsonRecord): string | null {
  const messages = body['messages'];
  if (Array.isArray(messages)) {
    for (const m of messages) {
      if (m && typeof m === 'object' && isSystemRole((m as JsonRecord)['role'])) {
        const c = (m as JsonRecord)['content'];
        if (typeof c === 'string') return c;
        if (Array.isArray(c)) return c.map((p) => (p && typeof p === 'object' && typeof (p as JsonRecord)['text'] === 'string' ? (p as JsonRecord)['text'] : '')).join('\n');
      }
    }
  }
  const system = body['system'] ?? body['instructions'];
  if (typeof system === 'string') return system;
  if (Array.isArray(system)) return system.map((b) => (b && typeof b === 'object' ? String((b as JsonRecord)['text'] ?? '') : '')).join('\n');
  return null;
}

/** A system prompt's text when it is all text: a string, or an array of text parts (concatenated); null for anything else (images, …). */
export function plainText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content) || content.length === 0) return null;
  let out = '';
  for (const part of content as { type?: unknown; text?: unknown }[]) {
    if (part?.type !== 'text' || typeof part.text !== 'string') return null;
    out += part.text;
  }
  return out;
}

/** The first of chat messages when it is a system or developer message. */
function leadingSystemOf(messages: unknown): JsonRecord | null {
  if (!Array.isArray(messages)) return null;
  const first = messages[0] as JsonRecord | undefined;
  return first && isSystemRole(first['role']) ? first : null;
}

/** A chat request's first message when it is a system or developer message: the system prompt a replacement takes the place of. */
export function leadingSystemMessage(body: unknown): JsonRecord | null {
  return isRecord(body) ? leadingSystemOf(body['messages']) : null;
}

/** An example exchange (few-shot) put before the conversation. */
export interface ExampleTurn {
  user: string;
  assistant: string;
}

/** Example exchanges as the user and assistant messages they become. */
export function exampleMessages(examples: readonly ExampleTurn[]): { role: 'user' | 'assistant'; content: string }[] {
  return examples.flatMap((e) => [{ role: 'user' as const, content: e.user }, { role: 'assistant' as const, content: e.assistant }]);
}

/** A request's system prompt as plain text, and how to put another one (and example exchanges) in its place. */
export interface SystemSlot {
  text: string;
  put(body: JsonRecord, text: string, examples: readonly ExampleTurn[]): JsonRecord;
}

/**
 * Where a request of the route's shape has its system prompt: chat's leading system message, Anthropic's
 * `system`, Responses' `instructions`. Null when the request has none, or one that is not all text.
 */
export function systemSlotOf(shape: string, body: JsonRecord): SystemSlot | null {
  if (shape === 'chat.completions') {
    const messages = body['messages'];
    const first = leadingSystemOf(messages);
    if (!first) return null;
    const text = plainText(first['content']);
    if (text === null) return null;
    return {
      text,
      put: (b, text, examples) => ({ ...b, messages: [{ ...first, content: text }, ...exampleMessages(examples), ...(messages as unknown[]).slice(1)] }),
    };
  }
  if (shape === 'responses') {
    const instructions = body['instructions'];
    if (typeof instructions !== 'string') return null;
    return {
      text: instructions,
      put: (b, text, examples) => {
        const input = b['input'];
        const turns = examples.length === 0 ? input : [...exampleMessages(examples), ...(typeof input === 'string' ? [{ role: 'user', content: input }] : Array.isArray(input) ? input : [])];
        return { ...b, instructions: text, ...(turns === undefined ? {} : { input: turns }) };
      },
    };
  }
  if (shape === 'messages') {
    const system = plainText(body['system']);
    const messages = body['messages'];
    if (system === null || !Array.isArray(messages)) return null;
    return { text: system, put: (b, text, examples) => ({ ...b, system: text, messages: [...exampleMessages(examples), ...messages] }) };
  }
  return null;
}

/** One entry of a conversation as text. */
export interface ConversationEntry {
  role: string;
  content: string;
}

/** The most characters of a tool call's arguments a conversation's text shows (head and tail). */
export const TOOL_ARGUMENTS_MAX = 2_000;

/** A tool call as conversation text: `[tool call name(arguments)]`. */
export function toolCallText(name: unknown, args: unknown): string {
  const a = typeof args === 'string' ? args : jsonOrEmpty(args ?? {});
  return `[tool call ${strOrNull(name) ?? '?'}(${clipMiddle(a, TOOL_ARGUMENTS_MAX)})]`;
}

/** Text of one content part or block of any of the wire shapes; what is not text is named in brackets. */
function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (!isRecord(part)) return '';
  const type = strOrNull(part['type']) ?? '';
  if (typeof part['text'] === 'string') return part['text'];
  switch (type) {
    case 'refusal': return `[refusal] ${strOrNull(part['refusal']) ?? ''}`;
    case 'image_url': case 'image': case 'input_image': return '[image]';
    case 'input_audio': case 'audio': return '[audio]';
    case 'file': case 'input_file': case 'document': return '[file]';
    case 'tool_use': case 'server_tool_use': return toolCallText(part['name'], part['input']);
    case 'tool_result': return `[tool result] ${contentText(part['content'])}`;
    case 'thinking': case 'redacted_thinking': case 'reasoning': return '';
    default: return type ? `[${type}]` : '';
  }
}

/** A content value (string, parts array, single block) as text, parts on lines of their own. */
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
  const type = strOrNull(item['type']);
  if (type === 'function_call' || type === 'custom_tool_call') return { role: 'assistant', content: toolCallText(item['name'], item['arguments'] ?? item['input']) };
  if (type === 'function_call_output' || type === 'custom_tool_call_output') return { role: 'tool', content: contentText(item['output']) || jsonOrEmpty(item['output']) };
  if (type === 'reasoning') return null;
  const parts = [contentText(item['content'])];
  if (Array.isArray(item['tool_calls'])) {
    for (const call of item['tool_calls']) {
      const fn = isRecord(call) && isRecord(call['function']) ? call['function'] : undefined;
      if (fn) parts.push(toolCallText(fn['name'], fn['arguments']));
    }
  }
  const legacy = item['function_call'];
  if (isRecord(legacy)) parts.push(toolCallText(legacy['name'], legacy['arguments']));
  const content = parts.filter(Boolean).join('\n');
  return { role: strOrNull(item['role']) ?? type ?? 'unknown', content };
}

/**
 * The conversation a request sends, system prompt first, as text entries: Anthropic's `system` and
 * Responses' `instructions` as system entries, then `messages`, `input` and `prompt` (a string is a user turn).
 */
export function conversationOf(request: unknown): ConversationEntry[] {
  if (!isRecord(request)) return [];
  const out: ConversationEntry[] = [];
  if (request['system'] !== undefined) out.push({ role: 'system', content: contentText(request['system']) });
  if (typeof request['instructions'] === 'string') out.push({ role: 'system', content: request['instructions'] });
  for (const list of [request['messages'], request['input'], request['prompt']]) {
    if (typeof list === 'string') out.push({ role: 'user', content: list });
    else if (Array.isArray(list)) for (const item of list) {
      const e = entryOf(item);
      if (e) out.push(e);
    }
  }
  return out;
}
