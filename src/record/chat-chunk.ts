/**
 * The common chat stream chunk, read without JSON.parse: a delta that only carries content,
 *   {"id":"…","object":"chat.completion.chunk","created":…,"model":"…",…,
 *    "choices":[{"index":0,"delta":{"content":"…"},"logprobs":null,"finish_reason":null}],…}
 * with nothing but plain scalars (strings without escapes, integers, null) around the choices. Such a
 * chunk adds content to one choice and nothing else, which is all the stream assembler would take
 * from its full parse (20 such chunks, one machine: 12.9 µs of JSON.parse against 4.8 µs by the
 * pattern; another: 3.6 µs by the pattern against 2.8 µs by the comparisons below).
 * Anything else (whitespace, other fields in the choice, escapes the literal does not allow, another
 * key order) does not match and is parsed in full.
 *
 * Within one stream the chunks around the content are identical (same id, model, creation time, same
 * index), so `ContentChunkReader` keeps the text before and after the content of the last chunk the
 * pattern matched, and a chunk that is that same text around a valid JSON string body is read by
 * two comparisons instead of the pattern.
 */
const SCALAR = '(?:"[^"\\\\\\u0000-\\u001f]*"|-?(?:0|[1-9]\\d*)|null)';
const KEY = '"(?!choices")[a-z_]+"';
const CONTENT_ONLY = new RegExp(
  `^\\{(?:${KEY}:${SCALAR},)*"choices":\\[\\{"index":(0|[1-9]\\d*),"delta":\\{"content":"((?:[^"\\\\\\u0000-\\u001f]|\\\\.)*)"\\},"logprobs":null,"finish_reason":null\\}\\](?:,${KEY}:${SCALAR})*\\}$`,
);

export interface ContentChunk {
  index: number;
  content: string;
}

/** The text of a JSON string body (between its quotes), or null when it is not one. */
function parseStringBody(raw: string): string | null {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return null; // an escape JSON does not allow: the full parse decides
  }
}

/** A JSON string body without escapes, quotes or control characters: its text as it stands. */
const PLAIN = /^[^"\\\u0000-\u001f]*$/;
const CONTENT_KEY = '"delta":{"content":"';

/** Reads the content-only chunks of one stream; see the top of this file. */
export class ContentChunkReader {
  private before = '';
  private after = '';
  private index = 0;

  read(data: string): ContentChunk | null {
    const { before, after } = this;
    const end = data.length - after.length;
    // slice and ===, not startsWith: an event's text is a slice of the stream's, and startsWith on
    // such a string is several times slower than comparing a slice of it.
    if (before !== '' && end >= before.length && data.slice(0, before.length) === before && data.slice(end) === after) {
      const raw = data.slice(before.length, end);
      // Valid as a JSON string body, the middle makes the same chunk with another content (an
      // unescaped quote, which could close the string early, fails the parse).
      const content = PLAIN.test(raw) ? raw : parseStringBody(raw);
      if (content !== null) return { index: this.index, content };
    }
    const m = CONTENT_ONLY.exec(data);
    if (!m) return null;
    const raw = m[2] as string;
    const content = raw.includes('\\') ? parseStringBody(raw) : raw;
    if (content === null) return null;
    // The first `"delta":{"content":"` is the content's: no key before the choices is "delta", and
    // no string before it can hold a quote.
    const start = data.indexOf(CONTENT_KEY) + CONTENT_KEY.length;
    this.before = data.slice(0, start);
    this.after = data.slice(start + raw.length);
    this.index = Number(m[1]);
    return { index: this.index, content };
  }
}
