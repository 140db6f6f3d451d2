const EVENT_END = Buffer.from('\n\n');
const EMPTY_CHOICES = Buffer.from('"choices":[]');

/**
 * For chat streams where the gateway asked the upstream for usage (to record it) but the client did
 * not: passes every event through except the usage-only chunk (`"choices":[]` with usage). Works on
 * bytes and on whole events, so nothing is held back longer than one event and events that cannot
 * be the usage chunk are never decoded.
 */
export class UsageChunkFilter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer {
    // Fast path: whole events, none of them the usage chunk.
    if (this.pending.length === 0 && !chunk.includes(EMPTY_CHOICES) && endsWithEventEnd(chunk)) return chunk;
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const kept: Buffer[] = [];
    let start = 0;
    for (;;) {
      const end = data.indexOf(EVENT_END, start);
      if (end === -1) break;
      const event = data.subarray(start, end + 2);
      if (!isUsageOnly(event)) kept.push(event);
      start = end + 2;
    }
    this.pending = Buffer.from(data.subarray(start));
    return kept.length === 1 ? (kept[0] as Buffer) : Buffer.concat(kept);
  }

  end(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}

function endsWithEventEnd(b: Buffer): boolean {
  return b.length >= 2 && b[b.length - 1] === 0x0a && b[b.length - 2] === 0x0a;
}

function isUsageOnly(event: Buffer): boolean {
  if (!event.includes(EMPTY_CHOICES)) return false;
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
