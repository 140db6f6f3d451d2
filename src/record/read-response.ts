import { gunzipSync, brotliDecompressSync, inflateSync } from 'node:zlib';
import { forEachSseEvent } from '../core/sse.ts';
import type { ResponseShape } from '../core/call-capture.ts';
import { isRecord, type JsonRecord } from '../core/index.ts';
import type { Usage } from '../providers/index.ts';
import { ContentChunkReader } from './chat-chunk.ts';
import { assembleAnthropicStream, assembleChatStream, assembleResponsesStream, ChatStreamAssembler } from './assemble-stream.ts';

export interface ReadResponse {
  body: unknown;
  /** The body's JSON text exactly as received, when `body` is that text parsed and nothing else (stored as is). */
  json?: string;
  usage: Usage;
  finishReasons: string[];
  servedModel: string | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const noUsage: Usage = { inputTokens: null, outputTokens: null, totalTokens: null, cachedTokens: null };

export function decodeBody(raw: Buffer, encoding: string | null): string {
  const enc = (encoding ?? '').toLowerCase();
  try {
    if (enc === 'gzip') return gunzipSync(raw).toString('utf8');
    if (enc === 'br') return brotliDecompressSync(raw).toString('utf8');
    if (enc === 'deflate') return inflateSync(raw).toString('utf8');
  } catch {
    return '';
  }
  return raw.toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.length > 0 ? { unparsed: text.slice(0, 65_536) } : null;
  }
}

/**
 * A chat stream's events assembled into one `chat.completion`. Once the first chunk (whose id, model
 * and creation time the assembler keeps) is in, a chunk that only adds content is read as just that,
 * without a full parse (see chat-chunk.ts).
 */
function readChatStream(text: string): JsonRecord {
  const assembler = new ChatStreamAssembler();
  const contentChunks = new ContentChunkReader();
  forEachSseEvent(text, (data) => {
    if (data === '[DONE]') return;
    if (assembler.started) {
      const c = contentChunks.read(data);
      if (c) return assembler.addContent(c.index, c.content);
    }
    const chunk = parseJson(data);
    if (isRecord(chunk)) assembler.add(chunk);
  });
  return assembler.result();
}

/** Usage and finish reasons from a whole (non-streamed, or assembled) response object. */
export function summarise(shape: ResponseShape, body: unknown): Omit<ReadResponse, 'body'> {
  if (!isRecord(body)) return { usage: noUsage, finishReasons: [], servedModel: null };
  const u = isRecord(body['usage']) ? body['usage'] : {};
  const model = typeof body['model'] === 'string' ? body['model'] : null;
  switch (shape) {
    case 'openai.chat': {
      const details = isRecord(u['prompt_tokens_details']) ? u['prompt_tokens_details'] : {};
      const choices = Array.isArray(body['choices']) ? body['choices'] : [];
      return {
        usage: { inputTokens: num(u['prompt_tokens']), outputTokens: num(u['completion_tokens']), totalTokens: num(u['total_tokens']), cachedTokens: num(details['cached_tokens']) },
        finishReasons: choices.map((c) => (isRecord(c) && typeof c['finish_reason'] === 'string' ? c['finish_reason'] : null)).filter((r): r is string => r !== null),
        servedModel: model,
      };
    }
    case 'openai.responses': {
      const details = isRecord(u['input_tokens_details']) ? u['input_tokens_details'] : {};
      const status = typeof body['status'] === 'string' ? body['status'] : null;
      const incomplete = isRecord(body['incomplete_details']) && typeof body['incomplete_details']['reason'] === 'string' ? body['incomplete_details']['reason'] : null;
      return {
        usage: { inputTokens: num(u['input_tokens']), outputTokens: num(u['output_tokens']), totalTokens: num(u['total_tokens']), cachedTokens: num(details['cached_tokens']) },
        finishReasons: [incomplete ?? status].filter((r): r is string => r !== null),
        servedModel: model,
      };
    }
    case 'openai.embeddings':
      return { usage: { inputTokens: num(u['prompt_tokens']), outputTokens: 0, totalTokens: num(u['total_tokens']), cachedTokens: null }, finishReasons: [], servedModel: model };
    case 'anthropic.messages': {
      const input = num(u['input_tokens']);
      const cacheRead = num(u['cache_read_input_tokens']);
      const cacheWrite = num(u['cache_creation_input_tokens']);
      const output = num(u['output_tokens']);
      const inputTotal = input === null ? null : input + (cacheRead ?? 0) + (cacheWrite ?? 0);
      return {
        usage: { inputTokens: inputTotal, outputTokens: output, totalTokens: inputTotal === null && output === null ? null : (inputTotal ?? 0) + (output ?? 0), cachedTokens: cacheRead },
        finishReasons: typeof body['stop_reason'] === 'string' ? [body['stop_reason']] : [],
        servedModel: model,
      };
    }
    default:
      return { usage: noUsage, finishReasons: [], servedModel: model };
  }
}

/** Embedding vectors are large and of no use to diagnosis: keep their count and size only. */
function slimEmbeddings(body: unknown): unknown {
  if (!isRecord(body) || !Array.isArray(body['data'])) return body;
  return {
    ...body,
    data: body['data'].map((d) => {
      if (!isRecord(d)) return d;
      const e = d['embedding'];
      if (Array.isArray(e)) return { ...d, embedding: { dimensions: e.length } };
      // base64 of little-endian float32s (the SDK's default encoding_format)
      if (typeof e === 'string') return { ...d, embedding: { dimensions: Math.floor((e.length * 3) / 4 / 4), encoding: 'base64' } };
      return d;
    }),
  };
}

/**
 * Reads what the upstream sent back: raw bytes (JSON or SSE) or objects already built by a
 * translation. Streams are assembled into one response object of the same shape.
 */
export function readResponse(
  shape: ResponseShape,
  stream: boolean,
  raw: Buffer | unknown[] | object | null,
  encoding: string | null = null,
): ReadResponse {
  if (raw === null || shape === 'none') return { body: null, usage: noUsage, finishReasons: [], servedModel: null };
  let body: unknown;
  if (stream && shape === 'openai.chat' && Buffer.isBuffer(raw)) {
    body = readChatStream(decodeBody(raw, encoding));
  } else if (stream) {
    const datas: JsonRecord[] = [];
    const take = (data: unknown) => {
      if (isRecord(data)) datas.push(data);
    };
    if (Array.isArray(raw)) raw.forEach(take);
    else if (Buffer.isBuffer(raw)) forEachSseEvent(decodeBody(raw, encoding), (data) => data !== '[DONE]' && take(parseJson(data)));
    if (shape === 'openai.chat') body = assembleChatStream(datas);
    else if (shape === 'anthropic.messages') body = assembleAnthropicStream(datas);
    else if (shape === 'openai.responses') body = assembleResponsesStream(datas);
    else body = datas;
  } else if (Buffer.isBuffer(raw)) {
    const text = decodeBody(raw, encoding);
    body = parseJson(text);
    if (isRecord(body) && shape !== 'openai.models' && shape !== 'openai.embeddings') return { body, json: text, ...summarise(shape, body) };
  } else {
    body = raw;
  }
  if (shape === 'openai.models' && isRecord(body) && Array.isArray(body['data'])) body = { object: 'list', count: body['data'].length };
  if (shape === 'openai.embeddings') body = slimEmbeddings(body);
  return { body, ...summarise(shape, body) };
}
