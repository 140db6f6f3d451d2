import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { CallCapture } from '../core/call-capture.ts';

/** A call still in the write buffer (not yet in the database): who made it and where it belongs. */
export interface PendingCall {
  component: string;
  startedAt: Date;
  clientKeyHash: string | null;
}

/** Who made a call waiting in a buffer (as a capture or already as a record) and where it belongs. */
export function pendingCallOf(e: { component: string; startedAt: number; clientKeyHash: string | null }): PendingCall {
  return { component: e.component, startedAt: new Date(e.startedAt), clientKeyHash: e.clientKeyHash };
}

/** Metrics as prom-client's JSON (`Registry.getMetricsAsJSON`), for merging registries. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/**
 * What the gateway needs from the recorder, whichever thread it runs in: `Recorder` in the gateway's
 * own thread (embedded PGlite), `ThreadedRecorder` in a worker thread of its own (Postgres).
 */
export interface CallRecorder {
  /** Hot path: synchronous, never waits. */
  capture(c: CallCapture): void;
  /** False when calls can no longer be recorded (database down and spool unwritable, buffer full). */
  readonly accepting: boolean;
  readonly databaseUp: boolean;
  findPending(id: string): Promise<PendingCall | null>;
  start(): void;
  /** The database's schema is migrated (it was unreachable at start): writing may begin. */
  schemaMigrated(): void;
  /** Write out everything buffered now. */
  flush(): Promise<void>;
  /** Flush, spool what the database did not take, stop. */
  close(): Promise<void>;
  /** Metrics kept outside the gateway's registry (in the recorder's thread), to merge into /metrics. */
  foreignMetrics(): Promise<MetricsJson>;
}
