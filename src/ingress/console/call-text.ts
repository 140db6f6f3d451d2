/**
 * The readable text of a recorded call (OpenAI chat completions, the Responses API, Anthropic
 * Messages): the conversation it sent and the answer it got. Anything else is shown as JSON.
 */

export interface Turn {
  role: string;
  text: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Text of a message `content`: a string, or parts with `text` (other parts as a bracketed type). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (isObj(p) ? (typeof p['text'] === 'string' ? p['text'] : `[${String(p['type'] ?? 'part')}]`) : typeof p === 'string' ? p : ''))
      .join('\n');
  }
  return content === null || content === undefined ? '' : JSON.stringify(content);
}

const toolCalls = (m: Obj): string => {
  const calls = m['tool_calls'];
  if (!Array.isArray(calls) || calls.length === 0) return '';
  return calls
    .map((t) => (isObj(t) && isObj(t['function']) ? `→ ${String(t['function']['name'])}(${String(t['function']['arguments'] ?? '')})` : JSON.stringify(t)))
    .join('\n');
};

/** The conversation a request sent, system prompt first. */
export function requestTurns(body: unknown): Turn[] {
  if (!isObj(body)) return [];
  const turns: Turn[] = [];
  if (body['system'] !== undefined) turns.push({ role: 'system', text: contentText(body['system']) });
  if (typeof body['instructions'] === 'string') turns.push({ role: 'system', text: body['instructions'] });
  const list = Array.isArray(body['messages']) ? body['messages'] : typeof body['input'] === 'string' ? [{ role: 'user', content: body['input'] }] : Array.isArray(body['input']) ? body['input'] : [];
  for (const m of list) {
    if (!isObj(m)) continue;
    const text = [contentText(m['content']), toolCalls(m)].filter(Boolean).join('\n');
    turns.push({ role: String(m['role'] ?? m['type'] ?? 'message'), text });
  }
  return turns;
}

/** The user's part of a request: its last user turn (what an example's "input" is). */
export function inputText(body: unknown): string {
  const turns = requestTurns(body);
  return [...turns].reverse().find((t) => t.role === 'user')?.text ?? turns.at(-1)?.text ?? '';
}

/** The model's answer in a response body. */
export function outputText(body: unknown): string {
  if (!isObj(body)) return body === null || body === undefined ? '' : JSON.stringify(body);
  if (Array.isArray(body['choices'])) {
    return body['choices']
      .map((ch) => (isObj(ch) && isObj(ch['message']) ? [contentText(ch['message']['content']), toolCalls(ch['message'])].filter(Boolean).join('\n') : ''))
      .join('\n---\n');
  }
  if (Array.isArray(body['content'])) return contentText(body['content']);
  if (typeof body['output_text'] === 'string') return body['output_text'];
  if (Array.isArray(body['output'])) return body['output'].map((o) => (isObj(o) ? contentText(o['content']) : '')).filter(Boolean).join('\n');
  if (isObj(body['error'])) return `error: ${String(body['error']['message'] ?? JSON.stringify(body['error']))}`;
  return JSON.stringify(body);
}

/** A correction as text: a string, `{ content }` or a message, else JSON. */
export function correctionText(correction: unknown): string {
  if (correction === null || correction === undefined) return '';
  if (typeof correction === 'string') return correction;
  if (isObj(correction)) {
    if (typeof correction['content'] === 'string') return correction['content'];
    if (typeof correction['text'] === 'string') return correction['text'];
    if (isObj(correction['message'])) return contentText(correction['message']['content']);
  }
  return JSON.stringify(correction);
}
