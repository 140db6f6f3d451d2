import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/**
 * The Postgres wire protocol over a socket, served by one PGlite instance (one backend session) to
 * several client connections. What a connection sends is run in units — everything up to a Sync, a
 * simple Query or a Flush, whole — one unit at a time. While a connection is inside a transaction
 * (or between a Flush and its Sync), only its own units run; the others wait. So each connection
 * sees the session as its own, as a Postgres backend would give it. Its named prepared statements
 * are closed, and its open transaction rolled back, when it goes away.
 */
export function serveWireProtocol(pg: PGlite, onError: (err: unknown) => void): Server {
  const scheduler = new UnitScheduler(pg, onError);
  return createServer((socket) => scheduler.attach(socket));
}

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const GSS_REQUEST = 80877104;

interface Connection {
  socket: Socket;
  /** Bytes received and not yet cut into messages. */
  pending: Buffer;
  /** Whole messages of the unit being received. */
  unit: Buffer[];
  started: boolean;
  statements: Set<string>;
  closed: boolean;
}

class UnitScheduler {
  private readonly queue: { conn: Connection; bytes: Uint8Array }[] = [];
  /** The connection the session belongs to until it is idle again (in a transaction, or mid extended query). */
  private owner: Connection | null = null;
  private running = false;
  /** The connection whose unit runs now. */
  private current: Connection | null = null;

  constructor(
    private readonly pg: PGlite,
    private readonly onError: (err: unknown) => void,
  ) {}

  attach(socket: Socket): void {
    const conn: Connection = { socket, pending: Buffer.alloc(0), unit: [], started: false, statements: new Set(), closed: false };
    socket.setNoDelay(true);
    socket.on('data', (data) => this.receive(conn, data));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.detach(conn));
  }

  private receive(conn: Connection, data: Buffer): void {
    conn.pending = conn.pending.length === 0 ? data : Buffer.concat([conn.pending, data]);
    for (;;) {
      const buf = conn.pending;
      if (!conn.started) {
        // Untyped: SSL / GSS / cancel requests, then the startup message.
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        conn.pending = buf.subarray(len);
        if (code === SSL_REQUEST || code === GSS_REQUEST) conn.socket.write('N');
        else if (code === CANCEL_REQUEST) conn.socket.end();
        else {
          conn.started = true;
          this.enqueue(conn, buf.subarray(0, len));
        }
        continue;
      }
      if (buf.length < 5) return;
      const len = 1 + buf.readInt32BE(1);
      if (buf.length < len) return;
      const type = buf[0] as number;
      const message = buf.subarray(0, len);
      conn.pending = buf.subarray(len);
      if (type === 0x58 /* X: Terminate */) {
        // Cleaned up now, before anything the client sends on its other connections once this one is closed.
        this.detach(conn);
        conn.socket.end();
        return;
      }
      if (type === 0x50 /* P: Parse */) {
        const name = cString(message, 5);
        if (name) conn.statements.add(name);
      } else if (type === 0x43 /* C: Close */ && message[5] === 0x53 /* S */) conn.statements.delete(cString(message, 6));
      conn.unit.push(message);
      if (type === 0x53 /* S: Sync */ || type === 0x51 /* Q: Query */ || type === 0x48 /* H: Flush */) {
        this.enqueue(conn, conn.unit.length === 1 ? (conn.unit[0] as Buffer) : Buffer.concat(conn.unit));
        conn.unit = [];
      }
    }
  }

  private enqueue(conn: Connection, bytes: Uint8Array): void {
    // Copied: the socket's buffer may be reused, and the unit may wait.
    this.queue.push({ conn, bytes: Uint8Array.from(bytes) });
    this.run();
  }

  /** Runs queued units, one at a time, the owner's first (only the owner's while there is one). */
  private run(): void {
    if (this.running) return;
    this.running = true;
    void this.drain()
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.running = false;
        if (this.nextIndex() >= 0) this.run();
      });
  }

  private nextIndex(): number {
    return this.owner ? this.queue.findIndex((u) => u.conn === this.owner) : this.queue.length > 0 ? 0 : -1;
  }

  private async drain(): Promise<void> {
    for (let i = this.nextIndex(); i >= 0; i = this.nextIndex()) {
      const [{ conn, bytes }] = this.queue.splice(i, 1) as [{ conn: Connection; bytes: Uint8Array }];
      this.current = conn;
      let out: Uint8Array;
      try {
        out = await this.execute(bytes);
      } finally {
        this.current = null;
      }
      const last = bytes[0] === 0 ? 0x53 : lastMessageType(bytes);
      const status = lastStatus(out);
      // Mid extended query (ended by a Flush) or inside a transaction: the session stays this connection's.
      if (last === 0x48 || (status !== null && status !== 0x49)) this.owner = conn;
      else if (last === 0x53 || last === 0x51) this.owner = null;
      if (conn.closed) this.cleanUp(conn);
      else if (out.length > 0) conn.socket.write(out);
    }
  }

  /**
   * One unit's output, as PGlite writes it. `execProtocolRaw` would also parse every message of it
   * in JavaScript, strings decoded, for error and notice handling that only PGlite's own query API
   * uses (7 % of the thread's CPU under the recorder's inserts and detection's reads); the stream
   * form hands over the bytes alone. Its chunks are views into PGlite's memory: copied at once. The
   * startup message, which PGlite answers by a path of its own (returned, not streamed), goes the
   * plain way.
   */
  private async execute(bytes: Uint8Array): Promise<Uint8Array> {
    if (bytes[0] === 0) return this.pg.execProtocolRaw(bytes);
    const chunks: Buffer[] = [];
    await this.pg.execProtocolRawStream(bytes, { onRawData: (data) => chunks.push(Buffer.from(data)) });
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  }

  /** A connection gone: its queued units dropped; once none of its units runs, its transaction rolled back, its statements closed. */
  private detach(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]?.conn === conn) this.queue.splice(i, 1);
    if (this.current !== conn) this.cleanUp(conn);
  }

  private cleanUp(conn: Connection): void {
    const cleanup: Buffer[] = [];
    // A Sync first ends an extended query left half way (and the discarding after an error in one).
    if (this.owner === conn) cleanup.push(message(0x53, Buffer.alloc(0)), message(0x51, cString0('ROLLBACK')));
    for (const name of conn.statements) cleanup.push(message(0x43, Buffer.concat([Buffer.from('S'), cString0(name)])));
    conn.statements.clear();
    if (cleanup.length === 0) return;
    cleanup.push(message(0x53, Buffer.alloc(0)));
    // A unit of a connection of its own, at the front: nothing else runs before the rollback.
    const janitor: Connection = { ...conn, statements: new Set(), closed: true };
    if (this.owner === conn) this.owner = janitor;
    this.queue.unshift({ conn: janitor, bytes: Uint8Array.from(Buffer.concat(cleanup)) });
    this.run();
  }
}

function cString(buf: Buffer, at: number): string {
  const end = buf.indexOf(0, at);
  return buf.toString('utf8', at, end < 0 ? buf.length : end);
}

function cString0(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]);
}

function message(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** The type of the last message in a run of typed messages. */
function lastMessageType(bytes: Uint8Array): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let type = 0;
  for (let at = 0; at + 5 <= view.length; at += 1 + view.readInt32BE(at + 1)) type = view[at] as number;
  return type;
}

/** The transaction status of the last ReadyForQuery in the output ('I' idle, 'T', 'E'), or null when there is none. */
function lastStatus(out: Uint8Array): number | null {
  const view = Buffer.from(out.buffer, out.byteOffset, out.length);
  let status: number | null = null;
  for (let at = 0; at + 5 <= view.length; at += 1 + view.readInt32BE(at + 1)) if (view[at] === 0x5a /* Z */) status = view[at + 5] as number;
  return status;
}
