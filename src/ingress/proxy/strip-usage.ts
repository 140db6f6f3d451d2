const EVENT_END = Buffer.from('\n\n');
const EMPTY_CHOICES = Buffer.from('"choices":[]');
const NOTHING = Buffer.alloc(0);

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
    // a fraction of Buffer.indexOf's call into C++ (6.4 → about 1.6 µs per 24-event stream).
    const text = data.toString('latin1');
    const lastEnd = text.lastIndexOf('\n\n');
    if (lastEnd === -1) {
      this.pending = Buffer.from(data);
      return NOTHING;
    }
    const cut = lastEnd + 2;
    this.pending = cut === data.length ? NOTHING : Buffer.from(data.subarray(cut));
    const complete = cut === data.length ? data : data.subarray(0, cut);
    const hit = text.indexOf('"choices":[]');
    return hit === -1 || hit >= cut ? complete : withoutUsageEvents(complete, hit);
  }

  end(): Buffer {
    const rest = this.pending;
    this.pending = NOTHING;
    return rest;
  }
}

/** Whole events, the first `"choices":[]` at `hit`: drops the usage-only ones among them. */
function withoutUsageEvents(events: Buffer, hit: number): Buffer {
  const kept: Buffer[] = [];
  let start = 0;
  while (hit !== -1) {
    const before = events.lastIndexOf(EVENT_END, hit);
    const eventStart = before === -1 ? 0 : before + 2;
    const eventEnd = events.indexOf(EVENT_END, hit) + 2; // the events are complete: always found
    const event = events.subarray(eventStart, eventEnd);
    if (isUsageOnly(event)) {
      if (eventStart > start) kept.push(events.subarray(start, eventStart));
      start = eventEnd;
    }
    hit = events.indexOf(EMPTY_CHOICES, eventEnd);
  }
  if (start < events.length) kept.push(events.subarray(start));
  return kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept);
}

function isUsageOnly(event: Buffer): boolean {
  const text = event.toString('utf8');
  const dataAt = text.indexOf('data:');
  if (dataAt === -1) return false;
  try {
    const data = JSON.parse(text.slice(dataAt + 5).trim()) as { choices?: unknown; usage?: unknown };
    return Array.isArray(data.choices) && data.choices.length === 0 && data.usage != null;
  } catch {
    return false;
  }
}
