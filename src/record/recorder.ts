import type { CallCapture } from '../core/call-capture.ts';
import { TimeSlice } from '../core/time-slice.ts';
import { pendingCallOf, type CallRecorder, type MetricsJson, type PendingCall } from './call-recorder.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import { finalizeCapture, minimalRecord, reasonOf, redactKeys, reviveRecord, type FinalizeResult, type FinalRecord } from './finalize.ts';
import { BatchWriter, withTimeout } from './batch-writer.ts';
import type { PriceLookup } from '../providers/index.ts';
import type { Spool } from './spool.ts';
import { FULL_STATEMENT_ROWS, type RecordStore } from './store.ts';
import { recordedCallOf, type RecordedCall } from './recorded-call.ts';

/** Finalizing yields to the event loop after this much work, so proxied calls never wait longer behind it. */
const FINALIZE_SLICE_MS = 0.25;
/** Flushes failing one after another (not a database outage: something unexpected) before the recorder says it is stuck. */
const STUCK_AFTER_FAILED_FLUSHES = 3;
/**
 * Calls kept in hand for `detect` between their finalizing and their insert; past this many (a
 * database outage: records spooled), the rest are detected from the database after the replay.
 */
const CALLS_IN_HAND_MAX = 4096;
/** Detection runs of stored batches waiting one behind another; past this many, batches go to `onStored` (the detection jobs) instead. */
const DETECT_BACKLOG_MAX = 16;

export interface RecorderOptions {
  store: RecordStore;
  spool: Spool;
  prices: PriceLookup;
  metrics: Metrics;
  logger: Logger;
  /** Records per insert. */
  batchSize: number;
  flushMs: number;
  /**
   * How long a write (or a check) of the database may take before the database is taken as
   * unreachable and what the recorder holds goes to the spool. A write that commits after all is
   * harmless: the spool's replay skips call ids already stored. The gateway's: `gatewayWriteTimeoutMs`.
   */
  writeTimeoutMs: number;
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
  /**
   * Detection of calls just stored, on the calls in hand (where the detection jobs run in this
   * process: no reading back what was just written). Calls stored as they were finalized go here
   * once acknowledged; the others (cleaned, minimal, replayed from the spool, past the in-hand
   * limit, or whose detection failed) go to `onStored`.
   */
  detect?: (calls: RecordedCall[]) => Promise<unknown>;
  /** Called with each call once finalized (the call span exporter), off the hot path; must not throw. */
  onFinalized?: (c: CallCapture, f: FinalizeResult) => void;
  /** Called last in `close` (the call span exporter's final flush). */
  afterClose?: () => Promise<void>;
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
  private probing: Promise<boolean> | null = null;
  private closed = false;
  /** Flushes that failed in a row (reset by one that did not): past STUCK_AFTER_FAILED_FLUSHES the recorder is stuck. */
  private failedFlushes = 0;

  private readonly writer: BatchWriter;
  /** Calls finalized and not yet stored, for `detect`, with the record that must be the one stored. */
  private readonly inHand = new Map<string, { record: FinalRecord; call: RecordedCall }>();
  /** The detection runs of stored batches, one after another. */
  private detecting: Promise<void> = Promise.resolve();
  private detectBacklog = 0;

  constructor(private readonly o: RecorderOptions) {
    this.schemaReady = !o.schemaPending;
    this.dbUp = this.schemaReady;
    this.writer = new BatchWriter({
      store: o.store,
      metrics: o.metrics,
      logger: o.logger,
      writeTimeoutMs: this.o.writeTimeoutMs,
      onDown: (err) => this.markDown(err),
      onStored: (records) => this.stored(records),
    });
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
    const { result: finalized, whole } = this.finalizeSafely(c);
    const { record, usage, cost } = finalized;
    this.countUsage(record, usage.inputTokens, usage.outputTokens, cost);
    this.o.onFinalized?.(c, finalized);
    if (this.o.detect && whole && this.inHand.size < CALLS_IN_HAND_MAX) this.inHand.set(record.id, { record, call: recordedCallOf(c, finalized) });
    return record;
  }

  /**
   * A batch the database acknowledged: the calls in hand, stored as finalized, to `detect` (one run
   * after another); the rest to `onStored`. A detection run that fails hands its calls to `onStored`:
   * the detection jobs check what they find unchecked, and store nothing twice.
   */
  private stored(records: readonly FinalRecord[]): void {
    const ids: string[] = [];
    const calls: RecordedCall[] = [];
    for (const r of records) {
      // Left in hand until the batch is settled (drain), whatever happens to it here.
      const held = this.inHand.get(r.id);
      if (held?.record === r && this.detectBacklog < DETECT_BACKLOG_MAX) calls.push(held.call);
      else ids.push(r.id);
    }
    if (ids.length > 0) this.o.onStored?.(ids);
    const detect = this.o.detect;
    if (!detect || calls.length === 0) return;
    this.detectBacklog++;
    this.detecting = this.detecting.then(() =>
      detect(calls)
        .then(
          () => undefined,
          (err: unknown) => {
            this.o.logger.warn({ err, calls: calls.length }, 'could not check stored calls in hand; handing them to the detection jobs');
            this.o.onStored?.(calls.map((c) => c.view.id));
          },
        )
        .finally(() => this.detectBacklog--),
    );
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
    const slice = new TimeSlice(FINALIZE_SLICE_MS);
    for (let i = 0; i < count; i++) {
      if (slice.spent) await slice.yield();
      const entry = this.queue[i] as CallCapture | FinalRecord;
      if ('values' in entry) continue;
      this.queue[i] = this.prepare(entry);
    }
    return this.queue.slice(0, count) as FinalRecord[];
  }

  /** False when calls can no longer be recorded (database down and spool unwritable, buffer full). */
  get accepting(): boolean {
    if (this.failedFlushes >= STUCK_AFTER_FAILED_FLUSHES) return false;
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
    this.flushing = this.drain(true).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
    await this.detecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    if (this.queue.length > 0) await this.spill(this.queue.length);
    await this.o.spool.close();
    await this.o.afterClose?.();
  }

  /**
   * A flush from the timer or an arrival. One that fails counts; a run of them makes the recorder
   * stuck (`accepting` false: calls get 503 and /readyz turns red) until one succeeds again.
   */
  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
    });
    this.flushing.then(
      () => {
        if (this.failedFlushes >= STUCK_AFTER_FAILED_FLUSHES) this.o.logger.info('recorder flushing again');
        this.failedFlushes = 0;
      },
      (err: unknown) => {
        this.failedFlushes++;
        const level = this.failedFlushes === STUCK_AFTER_FAILED_FLUSHES ? 'fatal' : 'error';
        this.o.logger[level]({ err, failedFlushes: this.failedFlushes, waiting: this.queue.length }, 'recorder flush failed');
      },
    );
  }

  /**
   * The record of a capture, whatever it holds: in full; else without the response (unreadable);
   * else in minimal form (ids, times, status, the error), counted. Never throws, so one call that
   * cannot be finalized (a body nested too deeply to encode) costs no other call its record.
   */
  private finalizeSafely(c: CallCapture): { result: FinalizeResult; whole: boolean } {
    try {
      return { result: finalizeCapture(c, this.o.prices), whole: true };
    } catch (err) {
      try {
        const result = finalizeCapture({ ...c, response: { shape: 'none', stream: false, body: null }, error: c.error ?? 'response unreadable' }, this.o.prices);
        this.o.logger.error({ err, callId: c.id }, 'could not read call response; recording it without');
        return { result, whole: false };
      } catch (again) {
        this.o.metrics.recordsMinimal.inc();
        this.o.logger.error({ err: again, callId: c.id }, 'could not finalize the call record; storing it in minimal form');
        const empty = { inputTokens: null, outputTokens: null, totalTokens: null, cachedTokens: null };
        const response = { body: null, usage: empty, finishReasons: [], servedModel: null };
        return { result: { record: minimalRecord(c, reasonOf(again)), usage: empty, cost: null, response, error: c.error === null ? null : redactKeys(c.error), responseView: null }, whole: false };
      }
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

  /**
   * With the database down, what is buffered goes to the spool first, then the database is checked:
   * in the background from the timer (nothing waits on the check), awaited by an explicit flush.
   */
  private async drain(explicit = false): Promise<void> {
    if (!this.dbUp) {
      await this.spillOverflow(true);
      const probe = this.probe();
      if (!explicit || !(await probe)) return;
    }
    while (this.queue.length > 0 && this.dbUp) {
      const batch = await this.take(this.o.batchSize);
      this.o.metrics.recordBatchSize.observe(batch.length);
      const ok = await this.writeBatch(batch);
      if (!ok) break;
      // Settled: stored (and handed on), or a row dropped as poison, which no detection will see.
      for (const r of batch) this.inHand.delete(r.id);
      this.queue.splice(0, batch.length);
      this.o.metrics.recordQueueDepth.set(this.queue.length);
    }
    if (!this.dbUp) await this.spillOverflow(true);
    else if (this.o.spool.hasPending() && !this.closed) await this.replaySpool();
  }

  /** True when the batch is settled (stored, or each row stored cleaned, minimal or dropped). False: database down. */
  private writeBatch(batch: FinalRecord[]): Promise<boolean> {
    return this.writer.write(batch);
  }

  private markDown(err: unknown): void {
    if (this.dbUp) this.o.logger.warn({ err }, 'database unreachable: spooling records until it returns');
    this.dbUp = false;
    this.lastProbe = Date.now();
  }

  /**
   * Checks the database at most every probeMs, one check at a time, bounded by the write timeout.
   * Resolves true once it answers (and the next flush writes and replays the spool). Never before
   * the schema is migrated: until then everything is spooled.
   */
  private probe(): Promise<boolean> {
    if (!this.schemaReady) return Promise.resolve(false);
    if (this.probing) return this.probing;
    if (Date.now() - this.lastProbe < (this.o.probeMs ?? 1000)) return Promise.resolve(false);
    this.lastProbe = Date.now();
    this.probing = withTimeout(this.o.ping(), this.o.writeTimeoutMs)
      .catch(() => false)
      .then((up) => {
        this.probing = null;
        this.lastProbe = Date.now();
        if (up && !this.dbUp) {
          this.dbUp = true;
          this.o.logger.info('database reachable again: writing and replaying the spool');
        }
        return up;
      });
    return this.probing;
  }

  /** With the database down, everything buffered goes to the durable spool (or, on close, all of it). */
  private async spillOverflow(all: boolean): Promise<void> {
    const count = all ? this.queue.length : this.queue.length - this.o.bufferMax;
    if (count > 0) await this.spill(count);
  }

  private async spill(count: number): Promise<void> {
    const batch = await this.take(count);
    // Spooled, they come back as other records: detected from the database once replayed.
    for (const r of batch) this.inHand.delete(r.id);
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
