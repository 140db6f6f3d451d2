import { isDatabaseUnavailable } from '../db/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import { cleanRecord, minimalOf, reasonOf, type FinalRecord } from './finalize.ts';
import { sanitizeForPostgres } from './sanitize.ts';
import type { RecordStore } from './store.ts';

/**
 * The gateway's write timeout unless FIXPOINT_RECORD_WRITE_TIMEOUT_MS sets one. A Postgres server
 * that has not answered in 500 ms is taken as unreachable. The embedded database runs in this
 * process: a write that waits there waits for its thread (a long statement holding its one session,
 * its thread kept off the cores by the calls being proxied), not for a server that went away — its
 * thread's death is seen at once (connections refused) — so it gets 10 s. At 500 ms, a 10-minute
 * `npm run bench` took it for unreachable and spooled three times.
 */
export function gatewayWriteTimeoutMs(database: 'postgres' | 'pglite', configured: number | undefined): number {
  return configured ?? (database === 'pglite' ? 10_000 : 500);
}

/** A database write or check that did not answer within the write timeout: taken as the database being unreachable. */
export class WriteTimeout extends Error {
  constructor(ms: number) {
    super(`no answer from the database within ${ms} ms`);
    this.name = 'WriteTimeout';
  }
}

/**
 * The promise, or a WriteTimeout after `ms`; a late failure of the promise is swallowed (its outcome
 * no longer matters).
 *
 * The time counts while this thread is there to hear the answer. An event loop runs its timers
 * before it reads its sockets, so a thread that could not run for a while (the recorder's thread is
 * niced: on a saturated machine it waits for a core) would, once back, see the timer expire before
 * reading the answer already waiting on the socket, and take a database that answered in time as
 * unreachable (spooling, then replaying, everything it holds). So when the timer fires, the verdict
 * waits for one turn of the loop (`setImmediate` runs after the sockets are read); and a timer that
 * fired late by more than `ms` itself (the thread was away longer than the database was given) is
 * set again, once, for another `ms`.
 */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  const timeout = new Promise<never>((_, reject) => {
    const arm = (rearmed: boolean) => {
      const due = performance.now() + ms;
      timer = setTimeout(() => {
        const late = performance.now() - due;
        setImmediate(() => {
          if (settled) return;
          if (!rearmed && late > ms) arm(true);
          else reject(new WriteTimeout(ms));
        });
      }, ms);
    };
    arm(false);
  });
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface BatchWriterOptions {
  store: RecordStore;
  metrics: Metrics;
  logger: Logger;
  writeTimeoutMs: number;
  /** The database did not answer (refused, dropped, or timed out): the caller spools. */
  onDown: (err: unknown) => void;
  /** Each batch the database acknowledged, as written (a row stored cleaned or minimal is a record of its own). */
  onStored?: (records: FinalRecord[]) => void;
}

type Outcome = { kind: 'stored' } | { kind: 'down' } | { kind: 'refused'; err: unknown };

/**
 * Writes batches of records, each write bounded by the write timeout. A batch the database refuses
 * is split in halves until the bad row is alone; that row is stored cleaned (NUL bytes and lone
 * surrogates replaced), else in minimal form (no bodies), else dropped, each counted. One bad row
 * never costs the others their records.
 */
export class BatchWriter {
  constructor(private readonly o: BatchWriterOptions) {}

  /** True when the batch is settled (stored, or each row stored cleaned, minimal or dropped). False: database down. */
  async write(batch: FinalRecord[]): Promise<boolean> {
    const outcome = await this.insert(batch);
    if (outcome.kind !== 'refused') return outcome.kind === 'stored';
    if (batch.length > 1) {
      const mid = Math.ceil(batch.length / 2);
      return (await this.write(batch.slice(0, mid))) && (await this.write(batch.slice(mid)));
    }
    return this.writeRefused(batch[0] as FinalRecord, outcome.err);
  }

  /** A row the database refused: stored cleaned, else in minimal form, else dropped as poison. */
  private async writeRefused(record: FinalRecord, firstErr: unknown): Promise<boolean> {
    let lastErr = firstErr;
    let cleaned: FinalRecord | null = null;
    try {
      cleaned = cleanRecord(record, sanitizeForPostgres);
    } catch (err) {
      lastErr = err;
      this.o.logger.error({ err, callId: record.id }, 'could not clean a refused record; storing it in minimal form');
    }
    if (cleaned) {
      const outcome = await this.insert([cleaned]);
      if (outcome.kind === 'stored') this.o.metrics.recordsCleaned.inc();
      if (outcome.kind !== 'refused') return outcome.kind === 'stored';
      lastErr = outcome.err;
    }
    const minimal = await this.insert([minimalOf(record, reasonOf(lastErr))]);
    if (minimal.kind === 'stored') {
      this.o.metrics.recordsMinimal.inc();
      this.o.logger.error({ err: lastErr, firstErr, callId: record.id }, 'record refused by the database; stored in minimal form');
    }
    if (minimal.kind !== 'refused') return minimal.kind === 'stored';
    this.o.metrics.recordsDropped.labels('poison').inc();
    this.o.logger.error({ err: minimal.err, firstErr, callId: record.id }, 'record refused by the database; dropped');
    return true;
  }

  private async insert(records: FinalRecord[]): Promise<Outcome> {
    try {
      await withTimeout(this.o.store.insert(records), this.o.writeTimeoutMs);
    } catch (err) {
      if (err instanceof WriteTimeout || isDatabaseUnavailable(err)) {
        this.o.onDown(err);
        return { kind: 'down' };
      }
      return { kind: 'refused', err };
    }
    this.o.metrics.recordsWritten.inc(records.length);
    this.o.onStored?.(records);
    return { kind: 'stored' };
  }
}
