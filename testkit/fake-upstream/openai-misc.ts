/** `POST /v1/embeddings` (deterministic 8-dim vectors) and `GET /v1/models`. */
import { directiveErrorHeaders, openaiError, openaiHeaders, sendJson, type Exchange } from './http-io.ts';
import { parseDirectives, promptTokensOf } from './reply-plan.ts';

export const EMBEDDING_DIM = 8;

export const FAKE_MODELS = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small', 'claude-3-5-haiku-latest'];

/** A unit vector of dimension 8, a pure function of the text (FNV-1a seeded per dimension). */
export function embeddingOf(text: string): number[] {
  const v: number[] = [];
  for (let d = 0; d < EMBEDDING_DIM; d++) {
    let h = 0x811c9dc5 ^ d;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    v.push(((h >>> 0) / 0xffffffff) * 2 - 1);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.fround(x / norm));
}

function inputsOf(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return [];
  if (input.every((x) => typeof x === 'number')) return [input.join(' ')];
  return input.map((x) => (typeof x === 'string' ? x : Array.isArray(x) ? x.join(' ') : ''));
}

function toBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

export function handleEmbeddings(ex: Exchange, body: Record<string, unknown>, custom?: (inputs: string[], model: string) => number[][] | null): void {
  const headers = openaiHeaders();
  const inputs = inputsOf(body.input);
  if (!inputs.length) {
    return sendJson(ex.res, 400, openaiError(400, "'input' is a required property"), headers);
  }
  const d = parseDirectives(inputs.join(' '));
  if (d.error !== undefined) {
    const error = openaiError(d.error, `Fake upstream error ${d.error} (directive)`);
    return sendJson(ex.res, d.error, error, directiveErrorHeaders(headers));
  }
  const base64 = body.encoding_format === 'base64';
  const own = custom?.(inputs, typeof body.model === 'string' ? body.model : '');
  const data = inputs.map((text, index) => {
    const vector = own?.[index] ?? embeddingOf(text);
    return { object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector };
  });
  const promptTokens = promptTokensOf(inputs.join(''));
  sendJson(
    ex.res,
    200,
    {
      object: 'list',
      data,
      model: typeof body.model === 'string' ? body.model : 'text-embedding-3-small',
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
    headers,
  );
}

export function handleModels(ex: Exchange): void {
  const data = FAKE_MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake-upstream' }));
  sendJson(ex.res, 200, { object: 'list', data }, openaiHeaders());
}
