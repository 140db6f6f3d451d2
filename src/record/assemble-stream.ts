import { isRecord, type JsonRecord } from '../core/index.ts';

interface ToolCallAcc { id?: string; type: string; function: { name: string; arguments: string } }
interface ChoiceAcc { index: number; role: string; content: string | null; refusal: string | null; toolCalls: ToolCallAcc[]; finish: string | null }

/**
 * OpenAI chat chunks → one `chat.completion` object (content, tool calls, finish reasons, usage),
 * fed chunk by chunk; `addContent` takes a content-only chunk already read down to its two fields.
 */
export class ChatStreamAssembler {
  private readonly choices = new Map<number, ChoiceAcc>();
  private usage: unknown = null;
  private first: JsonRecord | undefined;

  private choice(index: number): ChoiceAcc {
    let acc = this.choices.get(index);
    if (acc === undefined) {
      acc = { index, role: 'assistant', content: null, refusal: null, toolCalls: [], finish: null };
      this.choices.set(index, acc);
    }
    return acc;
  }

  add(chunk: JsonRecord): void {
    this.first ??= chunk;
    if (isRecord(chunk['usage'])) this.usage = chunk['usage'];
    if (!Array.isArray(chunk['choices'])) return;
    for (const c of chunk['choices']) {
      if (!isRecord(c)) continue;
      const acc = this.choice(typeof c['index'] === 'number' ? c['index'] : 0);
      const d = isRecord(c['delta']) ? c['delta'] : {};
      if (typeof d['role'] === 'string') acc.role = d['role'];
      if (typeof d['content'] === 'string') acc.content = (acc.content ?? '') + d['content'];
      if (typeof d['refusal'] === 'string') acc.refusal = (acc.refusal ?? '') + d['refusal'];
      if (Array.isArray(d['tool_calls'])) mergeToolCalls(acc.toolCalls, d['tool_calls']);
      if (typeof c['finish_reason'] === 'string') acc.finish = c['finish_reason'];
    }
  }

  /** True once a chunk has been added whole (the first one names the response: id, model, creation time). */
  get started(): boolean {
    return this.first !== undefined;
  }

  /** A chunk whose only effect is content for one choice; only once `started`. */
  addContent(index: number, content: string): void {
    const acc = this.choice(index);
    acc.content = (acc.content ?? '') + content;
  }

  result(): JsonRecord {
    const first = this.first;
    return {
      id: first?.['id'] ?? null,
      object: 'chat.completion',
      created: first?.['created'] ?? null,
      model: first?.['model'] ?? null,
      choices: [...this.choices.values()]
        .sort((a, b) => a.index - b.index)
        .map((c) => ({
          index: c.index,
          message: { role: c.role, content: c.content, ...(c.refusal ? { refusal: c.refusal } : {}), ...(c.toolCalls.length ? { tool_calls: c.toolCalls } : {}) },
          finish_reason: c.finish,
        })),
      usage: this.usage,
    };
  }
}

/** OpenAI chat chunks → one `chat.completion` object. */
export function assembleChatStream(chunks: JsonRecord[]): JsonRecord {
  const assembler = new ChatStreamAssembler();
  for (const chunk of chunks) assembler.add(chunk);
  return assembler.result();
}

function mergeToolCalls(into: ToolCallAcc[], deltas: unknown[]): void {
  for (const t of deltas) {
    if (!isRecord(t)) continue;
    const i = typeof t['index'] === 'number' ? t['index'] : into.length;
    const acc = (into[i] ??= { type: 'function', function: { name: '', arguments: '' } });
    if (typeof t['id'] === 'string') acc.id = t['id'];
    const f = isRecord(t['function']) ? t['function'] : {};
    if (typeof f['name'] === 'string') acc.function.name += f['name'];
    if (typeof f['arguments'] === 'string') acc.function.arguments += f['arguments'];
  }
}

/** Anthropic stream events → one `message` object. */
export function assembleAnthropicStream(events: JsonRecord[]): JsonRecord {
  let message: JsonRecord = { type: 'message', role: 'assistant', content: [] };
  const blocks: JsonRecord[] = [];
  const partialJson = new Map<number, string>();
  for (const ev of events) {
    const type = ev['type'];
    if (type === 'message_start' && isRecord(ev['message'])) message = { ...ev['message'] };
    else if (type === 'content_block_start' && typeof ev['index'] === 'number' && isRecord(ev['content_block'])) blocks[ev['index']] = { ...ev['content_block'] };
    else if (type === 'content_block_delta' && typeof ev['index'] === 'number' && isRecord(ev['delta'])) {
      const block = (blocks[ev['index']] ??= { type: 'text', text: '' });
      const d = ev['delta'];
      if (d['type'] === 'text_delta') block['text'] = String(block['text'] ?? '') + String(d['text'] ?? '');
      else if (d['type'] === 'thinking_delta') block['thinking'] = String(block['thinking'] ?? '') + String(d['thinking'] ?? '');
      else if (d['type'] === 'input_json_delta') partialJson.set(ev['index'], (partialJson.get(ev['index']) ?? '') + String(d['partial_json'] ?? ''));
    } else if (type === 'message_delta') {
      const d = isRecord(ev['delta']) ? ev['delta'] : {};
      message = { ...message, ...d };
      if (isRecord(ev['usage'])) message['usage'] = { ...(isRecord(message['usage']) ? message['usage'] : {}), ...ev['usage'] };
    }
  }
  for (const [i, json] of partialJson) {
    const block = blocks[i];
    if (!block) continue;
    try {
      block['input'] = json ? JSON.parse(json) : {};
    } catch {
      block['input'] = { unparsed: json };
    }
  }
  message['content'] = blocks.filter(Boolean);
  return message;
}

/** Responses API events → the final `response` object (from response.completed / incomplete / failed). */
export function assembleResponsesStream(events: JsonRecord[]): JsonRecord | null {
  let last: JsonRecord | null = null;
  for (const ev of events) {
    if (isRecord(ev['response'])) last = ev['response'];
  }
  return last;
}
