/** A parsed server-sent event. `data` is the joined data lines; `event` the event name, if any. */
export interface SseEvent {
  event: string | null;
  data: string;
}

const boundary = /\r?\n\r?\n/;

/**
 * Splits an SSE byte stream into whole events without waiting for more than one event:
 * `push` returns the complete events' raw text (each with its trailing blank line) seen so far.
 */
export class SseFramer {
  private pending = '';
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array): string[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const out: string[] = [];
    for (;;) {
      const m = boundary.exec(this.pending);
      if (!m) break;
      const end = m.index + m[0].length;
      out.push(this.pending.slice(0, end));
      this.pending = this.pending.slice(end);
    }
    return out;
  }

  /** Whatever is left at the end of the stream (an unterminated last event). */
  rest(): string {
    return this.pending + this.decoder.decode();
  }
}

export function parseSseEvent(raw: string): SseEvent | null {
  let event: string | null = null;
  const data: string[] = [];
  for (const line of raw.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (event === null && data.length === 0) return null;
  return { event, data: data.join('\n') };
}

/**
 * Calls `each` with every event of a complete SSE text, in order. The common shape (one `data:`
 * line) takes a fast path: no array of events is built.
 */
export function forEachSseEvent(text: string, each: (data: string, event: string | null) => void): void {
  if (text.includes('\r')) {
    for (const raw of text.split(/\r?\n\r?\n/)) {
      const ev = parseSseEvent(raw);
      if (ev) each(ev.data, ev.event);
    }
    return;
  }
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n\n', at);
    if (end === -1) end = text.length;
    if (text.startsWith('data: ', at)) {
      const line = text.indexOf('\n', at);
      if (line === -1 || line >= end) {
        each(text.slice(at + 6, end), null);
        at = end + 2;
        continue;
      }
    }
    const ev = parseSseEvent(text.slice(at, end));
    if (ev) each(ev.data, ev.event);
    at = end + 2;
  }
}

export function formatSseEvent(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}
