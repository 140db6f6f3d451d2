import { isRecord, readModelOutput, type JsonRecord } from '../../core/index.ts';

/**
 * Rows in OpenAI's chat fine-tuning and preference formats, from a recorded (hydrated) chat request
 * and a target. The request's messages are kept as the agent sent them — the system prompt with its
 * slots filled — and earlier assistant turns get `weight: 0`, so only the target is learned.
 */

/** The assistant message a row teaches. */
export interface AssistantTurn {
  role: 'assistant';
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
}

export interface ChatRow {
  messages: JsonRecord[];
  tools?: unknown[];
  /** Gate rows only (never uploaded): which recorded call to replay. */
  metadata?: { call_id: string; kind: 'pattern' | 'replay'; source: string };
}

export interface PreferenceRow {
  input: { messages: JsonRecord[]; tools?: unknown[] };
  preferred_output: AssistantTurn[];
  non_preferred_output: AssistantTurn[];
}

/** A correction as the target: a string as it is, anything else (JSON) as compact JSON text. */
export function targetFromCorrection(correction: unknown): AssistantTurn | null {
  if (correction === null || correction === undefined) return null;
  const content = typeof correction === 'string' ? correction : JSON.stringify(correction);
  return content.trim() === '' ? null : { role: 'assistant', content };
}

/** A chat completion's answer as an assistant turn (text and tool calls); null when it has neither. */
export function targetFromResponse(response: unknown): AssistantTurn | null {
  const out = readModelOutput('chat.completions', response);
  if (!out) return null;
  const text = out.text !== null && out.text.trim() !== '' ? out.text : null;
  const toolCalls = out.toolCalls.map((t, i) => ({ id: t.id ?? `call_${i}`, type: 'function' as const, function: { name: t.name, arguments: t.arguments } }));
  if (text === null && toolCalls.length === 0) return null;
  return { role: 'assistant', content: text, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) };
}

/** The request's conversation; null when it has no messages or no user turn. */
function conversationOf(request: unknown): JsonRecord[] | null {
  if (!isRecord(request) || !Array.isArray(request['messages'])) return null;
  const messages = request['messages'].filter(isRecord);
  if (!messages.some((m) => m['role'] === 'user')) return null;
  return messages;
}

const toolsOf = (request: unknown): { tools?: unknown[] } => {
  const tools = isRecord(request) ? request['tools'] : undefined;
  return Array.isArray(tools) && tools.length > 0 ? { tools } : {};
};

/** A fine-tuning row: the recorded conversation (earlier assistant turns weight 0) and the target (weight 1). */
export function chatRow(request: unknown, target: AssistantTurn): ChatRow | null {
  const messages = conversationOf(request);
  if (!messages) return null;
  const turns = messages.map((m) => (m['role'] === 'assistant' ? { ...m, weight: 0 } : m));
  return { messages: [...turns, { ...target, weight: 1 }], ...toolsOf(request) };
}

/** A DPO pair: the conversation, the target preferred over what the model answered. */
export function preferencePair(request: unknown, target: AssistantTurn, rejected: AssistantTurn): PreferenceRow | null {
  const messages = conversationOf(request);
  if (!messages) return null;
  return { input: { messages, ...toolsOf(request) }, preferred_output: [target], non_preferred_output: [rejected] };
}
