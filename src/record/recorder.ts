import type { CallCapture } from '../core/call-capture.ts';
import { pendingCallOf, type CallRecorder, type MetricsJson, type PendingCall } from './call-recorder.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import { cleanRecord, finalizeCapture, reviveRecord, type FinalRecord } from './finalize.ts';
import type { PriceLookup } from '../providers/index.ts';
import { sanitizeForPostgres } from './sanitize.ts';
import type { Spool } from './spool.ts';
import { isDatabaseUnavailable } from '../db/index.ts';
import { FULL_STATEMENT_ROWS, type RecordStore } from './store.ts';

/** Finalizing yields to the event loop after this much work, so proxied calls never wait longer behind it. */
const FINALIZE_SLICE_MS = 0.25;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface RecorderOptions {
  store: RecordStore;
  spool: Spool;
  prices: PriceLookup;
  metrics: Metrics;
  logger: Logger;
  /** Records per insert. */
  batchSize: number;
  flushMs: number;
  /** Records held in memory before the excess is spilled to the spool. */
  bufferMax: number;
  /** How often to probe a database that was unreachable. */
  probeMs?: number;
  ping: () => Promise<boolean>;
  /**
   * Finalize each capture as it arrives rather than in the flush: for a recorder in a thread of its
   * own, where nothing waits on it, so the large parsed request dies young and only the compact
   * record waits for its batch.
   */
  finalizeOnCapture?: boolean;
  /**
   * The database's schema is not migrated yet (the database was unreachable at start): nothing is
   * written, records go to the spool, until `schemaMigrated()`.
   */
  schemaPending?: boolean;
  /** Called with the ids of every batch the database has acknowledged (the detectors' trigger). */
  onStored?: (callIds: string[]) => void;
}

/**
 * Capture → bounded in-memory buffer → batched idempotent inserts. Nothing leaves the buffer until
 * the database (or the durable spool) has it. While the database is unreachable, batches go to the
 * spool and are replayed when it answers again. If the spool cannot be written either, `accepting`
 * turns false and the gateway refuses new calls with 503 instead of taking calls it cannot record.
 */
export class Recorder implements CallRecorder {
  /**
   * Captures are turned into records lazily, in the flush, so the hot path does no parsing; with
   * `finalizeOnCapture` (the recorder's own thread) they are records from the start.
   */
  private readonly queue: (CallCapture | FinalRecord)[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private dbUp: boolean;
  private schemaReady: boolean;
  private spoolWritable = true;
  private lastProbe = 0;
  private closed = false;

  constructor(private readonly o: RecorderOptions) {
    this.schemaReady = !o.schemaPending;
    this.dbUp = this.schemaReady;
  }

  /** The schema is there now: the next flush probes the database and writes (and replays the spool). */
  schemaMigrated(): void {
    this.schemaReady = true;
    this.lastProbe = 0;
  }

  /** Hot path: synchronous, never waits. Parsing happens in the flush (or here, with `finalizeOnCapture`). */
  capture(c: CallCapture): void {
    this.queue.push(this.o.finalizeOnCapture ? this.prepare(c) : c);
    this.o.metrics.recordQueueDepth.set(this.queue.length);
    if (this.queue.length >= this.o.batchSize) this.kick();
  }

  private prepare(c: CallCapture): FinalRecord {
    const { record, usage, cost } = this.finalizeSafely(c);
    this.countUsage(record, usage.inputTokens, usage.outputTokens, cost);
    return record;
  }

  /**
   * Records that arrived together (a hand-over from the proxying thread). Once a full statement's
   * worth is waiting (`FULL_STATEMENT_ROWS`), they go to the database at once if no write is running
   * (and any arriving during a write join the same drain), so under load nothing waits for the
   * flush interval; fewer wait for it. While the database is down, arrivals wait for the interval,
   * so the spool gets a few larger appends rather than one per hand-over. Nothing is written before
   * `start`.
   */
  arrived(): void {
    if (!this.dbUp || this.timer === null || this.closed) return;
    if (this.queue.length >= Math.min(FULL_STATEMENT_ROWS, this.o.batchSize)) this.kick();
  }

  /**
   * The first n entries as records, finalizing captures in place (once). Works in slices of at most
   * FINALIZE_SLICE_MS and yields to the event loop between them, so a batch of large or streamed
   * responses never stalls the calls being proxied.
   */
  private async take(n: number): Promise<FinalRecord[]> {
    const count = Math.min(n, this.queue.length);
    let sliceStart = performance.now();
    for (let i = 0; i < count; i++) {
      if (performance.now() - sliceStart > FINALIZE_SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      const entry = this.queue[i] as CallCapture | FinalRecord;
      if ('values' in entry) continue;
      this.queue[i] = this.prepare(entry);
    }
    return this.queue.slice(0, count) as FinalRecord[];
  }

  /** False when calls can no longer be recorded (database down and spool unwritable, buffer full). */
  get accepting(): boolean {
    return this.spoolWritable || (this.dbUp && this.queue.length < this.o.bufferMax);
  }

  get databaseUp(): boolean {
    return this.dbUp;
  }

  /** A call still in the write buffer (not yet in the database): who made it and where it belongs. */
  async findPending(id: string): Promise<PendingCall | null> {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const e = this.queue[i] as CallCapture | FinalRecord;
      if (e.id === id) return pendingCallOf(e);
    }
    return null;
  }

  /** This recorder's metrics are in the registry it was given. */
  async foreignMetrics(): Promise<MetricsJson> {
    return [];
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.o.flushMs);
    this.timer.unref();
  }

  /** Write out everything buffered now (and replay the spool if the database answers). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    if (this.queue.length > 0) await this.spill(this.queue.length);
    await this.o.spool.close();
  }

  private kick(): void {
    if (this.flushing) return;
    this.flush().catch((err: unknown) => this.o.logger.error({ err }, 'recorder flush failed'));
  }

  private finalizeSafely(c: CallCapture) {
    try {
      return finalizeCapture(c, this.o.prices);
    } catch (err) {
      this.o.logger.error({ err, callId: c.id }, 'could not read call response; recording it without');
      return finalizeCapture({ ...c, response: { shape: 'none', stream: false, body: null }, error: c.error ?? 'response unreadable' }, this.o.prices);
    }
  }

  private countUsage(r: FinalRecord, input: number | null, output: number | null, cost: number | null): void {
    const m = this.o.metrics;
    const provider = r.provider ?? 'none';
    const model = m.label.model(r.model);
    const component = m.label.component(r.component);
    if (input) m.tokens.series(provider, model, component, 'input').inc(input);
    if (output) m.tokens.series(provider, model, component, 'output').inc(output);
    if (cost) m.cost.series(provider, model, component).inc(cost);
  }

  private async drain(): Promise<void> {
    if (!this.dbUp && !(await this.probe())) {
      await this.spillOverflow(true);
      return;
    }
    while (this.queue.length > 0 && this.dbUp) {
      const batch = await this.take(this.o.batchSize);
      this.o.metrics.recordBatchSize.observe(batch.length);
      const ok = await this.writeBatch(batch);
      if (!ok) break;
      this.queue.splice(0, batch.length);
      this.o.metrics.recordQueueDepth.set(this.queue.length);
    }
    if (!this.dbUp) await this.spillOverflow(true);
    else if (this.o.spool.hasPending() && !this.closed) await this.replaySpool();
  }

  /** True when the batch is settled (stored, cleaned-and-stored, or dropped as poison). False: database down. */
  private async writeBatch(batch: FinalRecord[]): Promise<boolean> {
    try {
      await this.o.store.insert(batch);
      this.o.metrics.recordsWritten.inc(batch.length);
      this.o.onStored?.(batch.map((r) => r.id));
      return true;
    } catch (err) {
      if (isDatabaseUnavailable(err)) return this.markDown(err);
      if (batch.length > 1) {
        const mid = Math.ceil(batch.length / 2);
        return (await this.writeBatch(batch.slice(0, mid))) && (await this.writeBatch(batch.slice(mid)));
      }
      return this.writeCleaned(batch[0] as FinalRecord, err);
    }
  }

  private async writeCleaned(record: FinalRecord, firstErr: unknown): Promise<boolean> {
    const cleaned = cleanRecord(record, sanitizeForPostgres);
    try {
      await this.o.store.insert([cleaned]);
      this.o.metrics.recordsCleaned.inc();
      this.o.metrics.recordsWritten.inc();
      this.o.onStored?.([record.id]);
      return true;
    } catch (err) {
      if (isDatabaseUnavailable(err)) return this.markDown(err);
      this.o.metrics.recordsDropped.labels('poison').inc();
      this.o.logger.error({ err, firstErr, callId: record.id }, 'record refused by the database; dropped');
      return true;
    }
  }

  private markDown(err: unknown): false {
    if (this.dbUp) this.o.logger.warn({ err }, 'database unreachable: spooling records until it returns');
    this.dbUp = false;
    this.lastProbe = Date.now();
    return false;
  }

  private async probe(): Promise<boolean> {
    if (!this.schemaReady) return false;
    if (Date.now() - this.lastProbe < (this.o.probeMs ?? 1000)) return false;
    this.lastProbe = Date.now();
    if (await this.o.ping()) {
      this.dbUp = true;
      this.o.logger.info('database reachable again: writing and replaying the spool');
    }
    return this.dbUp;
  }

  /** With the database down, everything buffered goes to the durable spool (or, on close, all of it). */
  private async spillOverflow(all: boolean): Promise<void> {
    const count = all ? this.queue.length : this.queue.length - this.o.bufferMax;
    if (count > 0) await this.spill(count);
  }

  private async spill(count: number): Promise<void> {
    const batch = await this.take(count);
    try {
      await this.o.spool.append(batch);
      this.queue.splice(0, batch.length);
      this.o.metrics.recordsSpooled.inc(batch.length);
      this.o.metrics.recordQueueDepth.set(this.queue.length);
      this.o.metrics.spoolBytes.set(this.o.spool.pendingBytes());
      if (!this.spoolWritable) this.o.logger.info('spool writable again');
      this.spoolWritable = true;
    } catch (err) {
      if (this.spoolWritable) this.o.logger.error({ err }, 'spool cannot be written: refusing new calls until the database or the disk recovers');
      this.spoolWritable = false;
    }
  }

  private async replaySpool(): Promise<void> {
    try {
      const n = await this.o.spool.replay(async (batch) => {
        const records = batch.map(reviveRecord);
        for (let i = 0; i < records.length; i += this.o.batchSize) {
          const part = records.slice(i, i + this.o.batchSize);
          if (!(await this.writeBatch(part))) throw new Error('database unreachable during replay');
        }
        this.o.metrics.recordsReplayed.inc(records.length);
      }, this.o.batchSize * 5);
      if (n > 0) this.o.logger.info({ records: n }, 'spool replayed');
    } catch (err) {
      this.o.logger.warn({ err }, 'spool replay interrupted; will retry');
    }
    this.o.metrics.spoolBytes.set(this.o.spool.pendingBytes());
  }
}
