/**
 * Keeping keys out of what the gateway stores, logs and returns. The exact key of a call is the
 * first line of defence (a key of any shape: `tgp_v1_…`, `gsk_…`, `my-vllm-…`); the patterns of
 * well-known key shapes are the second net, for keys the gateway was not holding (a masked key an
 * upstream quotes, another tenant's key pasted into an error).
 */

export const REDACTED = '[redacted]';

/**
 * Keys shorter than this are not redacted by their exact value: a "key" of a few characters (vLLM's
 * `EMPTY`, `test`) is no secret, and masking it would corrupt ordinary text.
 */
export const MIN_REDACTED_KEY_LENGTH = 8;

/**
 * Well-known key shapes: OpenAI and Anthropic (`sk-…`), Together (`tgp_v1_…`), Groq (`gsk_…`),
 * xAI (`xai-…`), Hugging Face (`hf_…`), Google (`AIza…`), Replicate (`r8_…`), Perplexity (`pplx-…`),
 * Fireworks (`fw_…`), and any `Bearer …` credential.
 */
const keyPatterns = /\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_*-]{6,}|(?:tgp_v1_|gsk_|xai-|hf_|r8_|pplx-|fw_)[A-Za-z0-9_*-]{12,}|AIza[A-Za-z0-9_-]{30,}|Bearer\s+[A-Za-z0-9._~+/=*-]{8,})/g;

/** Whether `key` is long enough to be redacted by its exact value. */
export function isRedactableKey(key: string | null | undefined): key is string {
  return typeof key === 'string' && key.length >= MIN_REDACTED_KEY_LENGTH;
}

/** `text` with every occurrence of `key` replaced by `[redacted]` (unchanged when the key is too short to be one). */
export function redactExactKey(text: string, key: string | null | undefined): string {
  return isRedactableKey(key) && text.includes(key) ? text.split(key).join(REDACTED) : text;
}

/** `text` with anything shaped like a well-known key replaced by `[redacted]`. */
export function redactKeyPatterns(text: string): string {
  return text.replace(keyPatterns, REDACTED);
}

/** Both: the exact key first, then the pattern net. */
export function redactKeys(text: string, key: string | null | undefined): string {
  return redactKeyPatterns(redactExactKey(text, key));
}

/** The same-length stand-in for a key in bytes that pass through (Content-Length stays right). */
function maskFor(length: number): Buffer {
  const tag = Buffer.from(REDACTED);
  if (length < tag.length) return Buffer.alloc(length, '*');
  return Buffer.concat([tag, Buffer.alloc(length - tag.length, '*')]);
}

/**
 * Masks one key in a byte stream that passes through chunk by chunk (the pass-through path, whose
 * headers, Content-Length included, are out before the body): each occurrence becomes
 * `[redacted]***…` of the key's length, also when the key is split across chunks. Only the tail of a
 * chunk that could start the key is held back until the next chunk, so SSE events (which end in
 * `\n\n`) are never delayed. One `indexOf` per chunk.
 */
export class KeyMask {
  private readonly key: Buffer;
  private readonly mask: Buffer;
  private held: Buffer | null = null;

  private constructor(key: string) {
    this.key = Buffer.from(key, 'utf8');
    this.mask = maskFor(this.key.length);
  }

  /** A mask for `key`, or null when there is nothing to mask (no key, or one too short to redact). */
  static for(key: string | null | undefined): KeyMask | null {
    return isRedactableKey(key) ? new KeyMask(key) : null;
  }

  /** The chunk with the key masked, less any tail that may be the start of the key (held for the next one). */
  push(chunk: Buffer): Buffer {
    let buf = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = null;
    let at = buf.indexOf(this.key);
    if (at !== -1) {
      if (buf === chunk) buf = Buffer.from(chunk); // never write into the upstream's buffer
      while (at !== -1) {
        this.mask.copy(buf, at);
        at = buf.indexOf(this.key, at + this.key.length);
      }
    }
    const hold = this.partialTail(buf);
    if (hold === 0) return buf;
    this.held = Buffer.from(buf.subarray(buf.length - hold));
    return buf.subarray(0, buf.length - hold);
  }

  /** What is still held back (the stream ended: it was not the key). */
  end(): Buffer {
    const rest = this.held ?? Buffer.alloc(0);
    this.held = null;
    return rest;
  }

  /** Length of the longest tail of `buf` that is a proper prefix of the key. */
  private partialTail(buf: Buffer): number {
    const first = this.key[0];
    for (let start = Math.max(0, buf.length - this.key.length + 1); start < buf.length; start++) {
      if (buf[start] === first && buf.compare(this.key, 0, buf.length - start, start) === 0) return buf.length - start;
    }
    return 0;
  }
}
