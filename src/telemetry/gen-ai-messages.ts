/**
 * Request and response bodies as the GenAI semantic conventions' message lists
 * (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`): a role and
 * typed parts (text, tool_call, tool_call_response, reasoning, uri, blob). Only made when message
 * content capture is on (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true). Inline images
 * and files are named by type, never copied.
 */

type Part = Record<string, unknown>;
export interface GenAiMessage {
  role: string;
  parts: Part[];
  finish_reason?: string;
}
export interface GenAiContent {
  system: Part[];
  input: GenAiMessage[];
  output: GenAiMessage[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function parsedArguments(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** An image or file reference: a URL as is, inline data by its media type only. */
function mediaPart(url: string | undefined, modality: string): Part {
  if (url?.startsWith('data:')) return { type: 'blob', modality, mime_type: url.slice(5, url.indexOf(';') > 0 ? url.indexOf(';') : undefined) };
  return url ? { type: 'uri', modality, uri: url } : { type: 'blob', modality };
}

/** One content block of any of the three wire formats (OpenAI chat, Responses, Anthropic). */
function partOf(block: unknown): Part {
  if (typeof block === 'string') return { type: 'text', content: block };
  if (!isObj(block)) return { type: 'unknown' };
  switch (block['type']) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return { type: 'text', content: str(block['text']) ?? '' };
    case 'refusal':
      return { type: 'text', content: str(block['refusal']) ?? '' };
    case 'thinking':
      return { type: 'reasoning', content: str(block['thinking']) ?? '' };
    case 'image_url':
      return mediaPart(isObj(block['image_url']) ? str(block['image_url']['url']) : undefined, 'image');
    case 'input_image':
      return mediaPart(str(block['image_url']), 'image');
    case 'image': {
      const source = isObj(block['source']) ? block['source'] : {};
      return source['type'] === 'url' ? mediaPart(str(source['url']), 'image') : { type: 'blob', modality: 'image', mime_type: str(source['media_type']) };
    }
    case 'tool_use':
      return { type: 'tool_call', id: block['id'], name: block['name'], arguments: block['input'] };
    case 'tool_result':
      return { type: 'tool_call_response', id: block['tool_use_id'], response: block['content'] };
    case 'function_call':
      return { type: 'tool_call', id: block['call_id'], name: block['name'], arguments: parsedArguments(block['arguments']) };
    case 'function_call_output':
      return { type: 'tool_call_response', id: block['call_id'], response: block['output'] };
    default:
      return { type: str(block['type']) ?? 'unknown' };
  }
}

const partsOf = (content: unknown): Part[] => (content === null || content === undefined ? [] : Array.isArray(content) ? content.map(partOf) : [partOf(content)]);

/** An OpenAI chat message (request or response side). */
function chatMessage(m: unknown): GenAiMessage {
  const msg = isObj(m) ? m : {};
  const role = str(msg['role']) ?? 'user';
  if (role === 'tool') return { role, parts: [{ type: 'tool_call_response', id: msg['tool_call_id'], response: msg['content'] }] };
  const parts = partsOf(msg['content']);
  for (const call of list(msg['tool_calls'])) {
    const fn = isObj(call) && isObj(call['function']) ? call['function'] : {};
    parts.push({ type: 'tool_call', id: isObj(call) ? call['id'] : undefined, name: fn['name'], arguments: parsedArguments(fn['arguments']) });
  }
  return { role, parts };
}

/** A Responses API input or output item: a message, or a function call or its output. */
function responsesItem(item: unknown): GenAiMessage {
  if (!isObj(item)) return { role: 'user', parts: partsOf(item) };
  if (item['type'] === 'function_call') return { role: 'assistant', parts: [partOf(item)] };
  if (item['type'] === 'function_call_output') return { role: 'tool', parts: [partOf(item)] };
  if (item['type'] === 'reasoning') return { role: 'assistant', parts: list(item['summary']).map((s) => ({ type: 'reasoning', content: isObj(s) ? str(s['text']) ?? '' : '' })) };
  return { role: str(item['role']) ?? 'user', parts: partsOf(item['content']) };
}

/**
 * The call's content in the conventions' shape, by the wire format of its route. `request` is the
 * body the client sent, `response` the (assembled) body it got; a failed call has no output.
 */
export function genAiContentOf(shape: string, request: unknown, response: unknown, finishReasons: string[]): GenAiContent {
  const req = isObj(request) ? request : {};
  const res = isObj(response) && !('error' in response) ? response : {};
  switch (shape) {
    case 'openai.chat':
      return {
        system: [],
        input: list(req['messages']).map(chatMessage),
        output: list(res['choices']).map((c) => ({ ...chatMessage(isObj(c) ? c['message'] : {}), role: 'assistant', finish_reason: (isObj(c) ? str(c['finish_reason']) : undefined) ?? '' })),
      };
    case 'anthropic.messages': {
      const content = res['content'];
      return {
        system: partsOf(req['system']),
        input: list(req['messages']).map((m) => (isObj(m) ? { role: str(m['role']) ?? 'user', parts: partsOf(m['content']) } : { role: 'user', parts: [] })),
        output: content === undefined ? [] : [{ role: 'assistant', parts: partsOf(content), finish_reason: str(res['stop_reason']) ?? '' }],
      };
    }
    case 'openai.responses': {
      const input = req['input'];
      const items = list(res['output']).map(responsesItem);
      return {
        system: partsOf(req['instructions']),
        input: typeof input === 'string' ? [{ role: 'user', parts: [{ type: 'text', content: input }] }] : list(input).map(responsesItem),
        output: items.length === 0 ? [] : [{ role: 'assistant', parts: items.flatMap((i) => i.parts), finish_reason: finishReasons[0] ?? '' }],
      };
    }
    default:
      return { system: [], input: [], output: [] };
  }
}
