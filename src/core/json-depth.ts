/**
 * How deeply JSON text nests, measured on the raw bytes without parsing them: brackets and braces
 * outside strings are counted. UTF-8 never puts a byte below 0x80 inside a multi-byte character, so
 * scanning bytes for `[ ] { } " \` is exact. Invalid JSON is measured all the same (it is refused
 * by the parse that follows).
 */

const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** Where the text nests past the limit: the byte offset of the opening bracket one level too deep. */
export interface NestingPastLimit {
  offset: number;
  /** The top-level object's key whose value nests too deeply; null when the top level is not an object. */
  topLevelKey: string | null;
}

/**
 * Null when `bytes` nests at most `limit` levels (the top-level value is level 1), else where it
 * goes deeper. A body with no more opening brackets than the limit (most requests) is passed after
 * counting them with native searches. Otherwise the scan walks the structure and crosses each string
 * a few bytes by hand, then with a native search for the next quote: a 160 KB conversation of 300
 * messages costs about a tenth of its `JSON.parse`.
 */
export function findNestingPastLimit(bytes: Buffer, limit: number): NestingPastLimit | null {
  if (!openingsExceed(bytes, limit)) return null;
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === QUOTE) i = closingQuote(bytes, i);
    else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > limit) return { offset: i, topLevelKey: topLevelKeyBefore(bytes, i) };
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
  }
  return null;
}

/** Whether the bytes hold more than `limit` opening brackets and braces, strings included (an upper bound on the depth). */
function openingsExceed(bytes: Buffer, limit: number): boolean {
  let count = 0;
  for (const opening of [OPEN_ARRAY, OPEN_OBJECT]) {
    for (let at = bytes.indexOf(opening); at !== -1; at = bytes.indexOf(opening, at + 1)) if (++count > limit) return true;
  }
  return false;
}

/** Bytes of a string looked at one by one before the rest is searched natively (short keys end sooner than a native call costs). */
const BY_HAND = 24;

/** The offset of the quote that closes the string opened at `open`; the end of the bytes when there is none. */
function closingQuote(bytes: Buffer, open: number): number {
  const n = bytes.length;
  let j = open + 1;
  let byHandUntil = Math.min(n, j + BY_HAND);
  for (;;) {
    if (j >= byHandUntil) {
      if (j >= n) return n;
      const q = bytes.indexOf(QUOTE, j);
      if (q === -1) return n;
      // The quote found may be escaped: look at it (and what follows) by hand.
      j = q;
      byHandUntil = Math.min(n, q + BY_HAND);
      let k = q - 1;
      while (k > open && bytes[k] === BACKSLASH) k--;
      if ((q - 1 - k) % 2 === 0) return q;
      j = q + 1;
      continue;
    }
    const c = bytes[j];
    if (c === BACKSLASH) j += 2;
    else if (c === QUOTE) return j;
    else j++;
  }
}

/** The last key of the top-level object before `end` (only on the refusal path, so a second pass costs nothing that matters). */
function topLevelKeyBefore(bytes: Buffer, end: number): string | null {
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastString: [number, number] | null = null;
  let key: string | null = null;
  let topIsObject = false;
  for (let i = 0; i < end; i++) {
    const b = bytes[i] as number;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) {
        inString = false;
        if (depth === 1) lastString = [stringStart, i];
      }
    } else if (b === QUOTE) {
      inString = true;
      stringStart = i + 1;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (depth === 0) topIsObject = b === OPEN_OBJECT;
      depth++;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
    else if (b === COLON && depth === 1 && lastString) key = decodeKey(bytes.subarray(lastString[0], lastString[1]));
  }
  return topIsObject ? key : null;
}

function decodeKey(raw: Buffer): string {
  const text = raw.toString('utf8');
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}
