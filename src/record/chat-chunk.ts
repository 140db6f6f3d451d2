/**
 * The common chat stream chunk, read without JSON.parse: a delta that only carries content,
 *   {"id":"…","object":"chat.completion.chunk","created":…,"model":"…",…,
 *    "choices":[{"index":0,"delta":{"content":"…"},"logprobs":null,"finish_reason":null}],…}
 * with nothing but plain scalars (strings without escapes, integers, null) around the choices. Such a
 * chunk adds content to one choice and nothing else, which is all the stream assembler would take
 * from its full parse. A stream of 20 such chunks: 12.9 µs of JSON.parse, 4.8 µs this way.
 * Anything else (whitespace, other fields in the choice, escapes the literal does not allow, another
 * key order) does not match and is parsed in full.
 */
const SCALAR = '(?:"[^"\\\\\\u0000-\\u001f]*"|-?(?:0|[1-9]\\d*)|null)';
const KEY = '"(?!choices")[a-z_]+"';
const CONTENT_ONLY = new RegExp(
  `^\\{(?:${KEY}:${SCALAR},)*"choices":\\[\\{"index":(0|[1-9]\\d*),"delta":\\{"content":"((?:[^"\\\\\\u0000-\\u001f]|\\\\.)*)"\\},"logprobs":null,"finish_reason":null\\}\\](?:,${KEY}:${SCALAR})*\\}$`,
);

/** The choice index and content of a content-only chunk, or null when the text is not one. */
export function contentOnlyChunk(data: string): { index: number; content: string } | null {
  const m = CONTENT_ONLY.exec(data);
  if (!m) return null;
  const raw = m[2] as string;
  if (!raw.includes('\\')) return { index: Number(m[1]), content: raw };
  try {
    return { index: Number(m[1]), content: JSON.parse(`"${raw}"`) as string };
  } catch {
    return null; // an escape JSON does not allow: the full parse decides
  }
}
