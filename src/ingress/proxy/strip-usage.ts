const NOTHING = Buffer.alloc(0);

/** An event's end (a blank line) as the gateway's SSE framer reads it, for text with CRs in it. */
const BOUNDARY = /\r?\n\r?\n/g;

/** The end of the last event boundary in `text` that ends at or before `limit`, or -1. */
function lastEventEnd(text: string, crlf: boolean, limit: number): number {
  if (!crlf) {
    const at = text.lastIndexOf('\n\n', limit - 2);
    return at === -1 ? -1 : at + 2;
  }
  let end = -1;
  BOUNDARY.lastIndex = 0;
  for (let m = BOUNDARY.exec(text); m !== null && m.index + m[0].length <= limit; m = BOUNDARY.exec(text)) end = m.index + m[0].length;
  return end;
}

/** The end of the first event boundary at or after `from` (the events given are complete: always found). */
function nextEventEnd(text: string, crlf: boolean, from: number): number {
  if (!crlf) return text.indexOf('\n\n', from) + 2;
  BOUNDARY.lastIndex = from;
  const m = BOUNDARY.exec(text) as RegExpExecArray;
  return m.index + m[0].length;
}

/**
 * For chat streams where the gateway asked the upstream for usage (to record it) but the client did
 * not: passes every event through except the usage-only chunk (`"choices":[]` with usage). Works on
 * bytes and on whole events: everything up to the last complete event in hand goes out at once (an
 * incomplete one waits for its end, never longer), and only an event that contains `"choices":[]`
 * is decoded.
 */
export class UsageChunkFilter {
  private pending: Buffer = NOTHING;

  push(chunk: Buffer): Buffer {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    // Searched as latin1 text, whose character offsets are the byte offsets: a string search costs
    // a fraction of Buffer.indexOf's call into C++ (the filter, per 24-event stream: 6.4 → 5.2 µs).
    const text = data.toString('latin1');
    // Events end at a blank line: "\n\n", or with CRLF line endings "\r\n\r\n" (which holds no "\n\n").
    const crlf = text.includes('\r');
    const cut = lastEventEnd(text, crlf, text.length);
    if (cut === -1) {
      this.pending = Buffer.from(data);
      return NOTHING;
    }
    this.pending = cut === data.length ? NOTHING : Buffer.from(data.subarray(cut));
    const complete = cut === data.length ? data : data.subarray(0, cut);
    const hit = text.indexOf('"choices":[]');
    return hit === -1 || hit >= cut ? complete : withoutUsageEvents(complete, text, crlf, hit);
  }

  end(): Buffer {
    const rest = this.pending;
    this.pending = NOTHING;
    return rest;
  }
}

/**
 * Whole events (`text` is their latin1 reading, offsets = byte offsets), the first `"choices":[]` at
 * `hit`: drops the usage-only ones among them.
 */
function withoutUsageEvents(events: Buffer, text: string, crlf: boolean, hit: number): Buffer {
  const kept: Buffer[] = [];
  let start = 0;
  while (hit !== -1 && hit < events.length) {
    const eventStart = Math.max(0, lastEventEnd(text, crlf, hit));
    const eventEnd = nextEventEnd(text, crlf, hit);
    if (isUsageOnly(text.slice(eventStart, eventEnd))) {
      if (eventStart > start) kept.push(events.subarray(start, eventStart));
      start = eventEnd;
    }
    hit = text.indexOf('"choices":[]', eventEnd);
  }
  if (start < events.length) kept.push(events.subarray(start));
  return kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept);
}

/** Read as latin1, multi-byte characters come out as several, but the JSON structure is the same. */
function isUsageOnly(event: string): boolean {
  const dataAt = event.indexOf('data:');
  if (dataAt === -1 || !event.includes('"usage"')) return false;
  try {
    const data = JSON.parse(event.slice(dataAt + 5).trim()) as { choices?: unknown; usage?: unknown };
    return Array.isArray(data.choices) && data.choices.length === 0 && data.usage != null;
  } catch {
    return false;
  }
}
