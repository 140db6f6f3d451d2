type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface ToolCallAcc { id?: string; type: string; function: { name: string; arguments: string } }
interface ChoiceAcc { index: number; role: string; content: string | null; refusal: string | null; toolCalls: ToolCallAcc[]; finish: string | null }

/**
 * OpenAI chat chunks → one `chat.completion` object (content, tool calls, finish reasons, usage),
 * fed chunk by chunk; `addContent` takes a content-only chunk already read down to its two fields.
 */
export class ChatStreamAssembler {
  private readonly choices = new Map<number, ChoiceAcc>();
  private usage: unknown = null;
  private first: Obj | undefined;

  private choice(index: number): ChoiceAcc {
    let acc = this.choices.get(index);
    if (acc === undefined) {
      acc = { index, role: 'assistant', content: null, refusal: null, toolCalls: [], finish: null };
      this.choices.set(index, acc);
    }
    return acc;
  }

  add(chunk: Obj): void {
    this.first ??= chunk;
    if (isObj(chunk['usage'])) this.usage = chunk['usage'];
    if (!Array.isArray(chunk['choices'])) return;
    for (const c of chunk['choices']) {
      if (!isObj(c)) continue;
      const acc = this.choice(typeof c['index'] === 'number' ? c['index'] : 0);
      const d = isObj(c['delta']) ? c['delta'] : {};
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

  result(): Obj {
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
export function assembleChatStream(chunks: Obj[]): Obj {
  const assembler = new ChatStreamAssembler();
  for (const chunk of chunks) assembler.add(chunk);
  return assembler.result();
}

function mergeToolCalls(into: ToolCallAcc[], deltas: unknown[]): void {
  for (const t of deltas) {
    if (!isObj(t)) continue;
    const i = typeof t['index'] === 'number' ? t['index'] : into.length;
    const acc = (into[i] ??= { type: 'function', function: { name: '', arguments: '' } });
    if (typeof t['id'] === 'string') acc.id = t['id'];
    const f = isObj(t['function']) ? t['function'] : {};
    if (typeof f['name'] === 'string') acc.function.name += f['name'];
    if (typeof f['arguments'] === 'string') acc.function.arguments += f['arguments'];
  }
}

/** Anthropic stream events → one `message` object. */
export function assembleAnthropicStream(events: Obj[]): Obj {
  let message: Obj = { type: 'message', role: 'assistant', content: [] };
  const blocks: Obj[] = [];
  const partialJson = new Map<number, string>();
  for (const ev of events) {
    const type = ev['type'];
    if (type === 'message_start' && isObj(ev['message'])) message = { ...ev['message'] };
    else if (type === 'content_block_start' && typeof ev['index'] === 'number' && isObj(ev['content_block'])) blocks[ev['index']] = { ...ev['content_block'] };
    else if (type === 'content_block_delta' && typeof ev['index'] === 'number' && isObj(ev['delta'])) {
      const block = (blocks[ev['index']] ??= { type: 'text', text: '' });
      const d = ev['delta'];
      if (d['type'] === 'text_delta') block['text'] = String(block['text'] ?? '') + String(d['text'] ?? '');
      else if (d['type'] === 'thinking_delta') block['thinking'] = String(block['thinking'] ?? '') + String(d['thinking'] ?? '');
      else if (d['type'] === 'input_json_delta') partialJson.set(ev['index'], (partialJson.get(ev['index']) ?? '') + String(d['partial_json'] ?? ''));
    } else if (type === 'message_delta') {
      const d = isObj(ev['delta']) ? ev['delta'] : {};
      message = { ...message, ...d };
      if (isObj(ev['usage'])) message['usage'] = { ...(isObj(message['usage']) ? message['usage'] : {}), ...ev['usage'] };
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
export function assembleResponsesStream(events: Obj[]): Obj | null {
  let last: Obj | null = null;
  for (const ev of events) {
    if (isObj(ev['response'])) last = ev['response'];
  }
  return last;
}
