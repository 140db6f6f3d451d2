import type { CallCapture, CallStatus, ResponseShape } from '../core/call-capture.ts';
import { pendingCallOf, type PendingCall } from './call-recorder.ts';

/**
 * Captures packed for the hand-over to the recorder's thread: one line of JSON per capture (its
 * scalars, and the request or response only where they are objects rather than bytes) and all their
 * bytes back to back in one buffer, transferred without a copy. A structured clone of the capture
 * objects cost the proxying thread 5.2 µs and the recorder's thread 3.3 µs per call; this costs
 * about 1 µs and 0.7 µs (bench/compare.ts and a micro-measurement, non-streaming chat).
 */
export interface PackedCaptures {
  /** One JSON array per capture (`lineOf`), joined by "\n" (JSON text never holds a raw newline). */
  lines: string;
  bytes: ArrayBuffer;
}

const MIN_ARENA = 64 * 1024;

/** Where a capture's bytes sit in the arena: offset and length, or -1/0 when there are none. */
type Span = [offset: number, length: number];

/** The fields of a line, in order. */
type Line = [
  id: string, route: string, startedAt: number, endedAt: number, latencyMs: number, upstreamLatencyMs: number | null,
  ttftMs: number | null, component: string, provider: string | null, requestedModel: string | null, servedModel: string | null,
  status: CallStatus, httpStatus: number, stream: boolean, requestAt: number, requestLength: number, request: unknown,
  shape: ResponseShape, responseStream: boolean, responseAt: number, responseLength: number, response: unknown,
  error: string | null, sessionId: string | null, userId: string | null, properties: Record<string, string>,
  clientKeyHash: string | null, promptVersionId: string | null, attempts: CallCapture['attempts'],
];

/** Positions in a Line of the fields `lineText` may have to leave out. */
const REQUEST_OBJECT = 16;
const RESPONSE_OBJECT = 21;
const ERROR = 22;

/**
 * The line as JSON text. A request or response held as an object that cannot be serialized (nested
 * too deeply) is left out, and the record says so in its error: one call must never cost the others
 * their hand-over.
 */
function lineText(line: Line, c: CallCapture): string {
  try {
    return JSON.stringify(line);
  } catch (err) {
    const note = `record stored without its bodies: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`.slice(0, 300);
    const bare = [...line] as Line;
    bare[REQUEST_OBJECT] = null;
    bare[RESPONSE_OBJECT] = null;
    bare[ERROR] = c.error ? `${c.error}; ${note}` : note;
    return JSON.stringify(bare);
  }
}

export class CapturePacker {
  private lines: string[] = [];
  private ids: string[] = [];
  private arena = Buffer.allocUnsafeSlow(MIN_ARENA);
  private used = 0;

  get count(): number {
    return this.lines.length;
  }

  /** Bytes waiting in the arena. */
  get byteSize(): number {
    return this.used;
  }

  add(c: CallCapture): void {
    const req = c.requestBytes ? this.put(c.requestBytes) : ([-1, 0] as Span);
    const body = c.response.body;
    const res = Buffer.isBuffer(body) ? this.put(body) : ([-1, 0] as Span);
    const line: Line = [
      c.id, c.route, c.startedAt, c.endedAt, c.latencyMs, c.upstreamLatencyMs, c.ttftMs, c.component, c.provider,
      c.requestedModel, c.servedModel, c.status, c.httpStatus, c.stream, req[0], req[1], req[0] === -1 ? c.request : null,
      c.response.shape, c.response.stream, res[0], res[1], res[0] === -1 ? body : null, c.error, c.sessionId, c.userId,
      c.properties, c.clientKeyHash, c.promptVersionId ?? null, c.attempts ?? null,
    ];
    this.lines.push(lineText(line, c));
    this.ids.push(c.id);
  }

  /** A capture still waiting here, by call id. */
  find(id: string): PendingCall | null {
    const i = this.ids.lastIndexOf(id);
    if (i === -1) return null;
    const line = JSON.parse(this.lines[i] as string) as Line;
    return pendingCallOf({ startedAt: line[2], component: line[7], clientKeyHash: line[26] }); // positions as in Line
  }

  /** Everything packed so far, for one postMessage (transfer `bytes`); the packer starts empty. */
  take(): PackedCaptures {
    const packed = { lines: this.lines.join('\n'), bytes: this.arena.buffer as ArrayBuffer };
    this.arena = Buffer.allocUnsafeSlow(Math.max(MIN_ARENA, Math.ceil(this.used * 1.25)));
    this.used = 0;
    this.lines = [];
    this.ids = [];
    return packed;
  }

  private put(bytes: Uint8Array): Span {
    const at = this.used;
    const end = at + bytes.byteLength;
    if (end > this.arena.byteLength) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(end, this.arena.byteLength * 2));
      this.arena.copy(bigger, 0, 0, at);
      this.arena = bigger;
    }
    this.arena.set(bytes, at);
    this.used = end;
    return [at, bytes.byteLength];
  }
}

/**
 * The request from its bytes, with its text when the text is what it was parsed from. The bytes were
 * parsed once already; should that ever fail here, the call is still recorded.
 */
function parseRequest(text: string): { request: unknown; requestText: string | null } {
  try {
    return { request: JSON.parse(text), requestText: text };
  } catch {
    return { request: { unparsed: text.slice(0, 65_536) }, requestText: null };
  }
}

/**
 * The captures back, in the recorder's thread: bytes as Buffers over the transferred arena (no copy),
 * the request parsed from its bytes.
 */
export function unpackCaptures(packed: PackedCaptures, onUnreadable: (err: unknown) => void = () => undefined): CallCapture[] {
  if (packed.lines.length === 0) return [];
  const arena = Buffer.from(packed.bytes);
  const out: CallCapture[] = [];
  for (const text of packed.lines.split('\n')) {
    try {
      out.push(unpackLine(text, arena));
    } catch (err) {
      onUnreadable(err); // one line that cannot be read costs no other capture its record
    }
  }
  return out;
}

function unpackLine(text: string, arena: Buffer): CallCapture {
  const [
    id, route, startedAt, endedAt, latencyMs, upstreamLatencyMs, ttftMs, component, provider, requestedModel, servedModel,
    status, httpStatus, stream, requestAt, requestLength, requestObject, shape, responseStream, responseAt, responseLength,
    responseObject, error, sessionId, userId, properties, clientKeyHash, promptVersionId, attempts,
  ] = JSON.parse(text) as Line;
  const { request, requestText } = requestAt === -1 ? { request: requestObject, requestText: null } : parseRequest(arena.toString('utf8', requestAt, requestAt + requestLength));
  const body = responseAt === -1 ? (responseObject as CallCapture['response']['body']) : arena.subarray(responseAt, responseAt + responseLength);
  return {
    id, route, startedAt, endedAt, latencyMs, upstreamLatencyMs, ttftMs, component, provider, requestedModel, servedModel,
    status, httpStatus, stream, request, requestBytes: null, requestText, response: { shape, stream: responseStream, body }, error,
    sessionId, userId, properties, clientKeyHash, promptVersionId, attempts: attempts ?? null,
  };
}
