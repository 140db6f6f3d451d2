import path from 'node:path';
import type { Database } from '../db/index.ts';
import { startCallSpans, type CallSpanSettings, type Logger, type Metrics } from '../telemetry/index.ts';
import type { Price } from '../config/index.ts';
import { createPriceLookup } from '../providers/index.ts';
import { Recorder, type RecorderOptions } from './recorder.ts';
import { openSpool } from './spool.ts';
import { createRecordStore } from './store.ts';

export interface RecorderSettings {
  dataDir: string;
  prices: Record<string, Price>;
  batchSize: number;
  flushMs: number;
  bufferMax: number;
  /** How long a database write or check may take before the records go to the spool (`gatewayWriteTimeoutMs`). */
  writeTimeoutMs: number;
  /** Export one OpenTelemetry span per call from the finalized record (OTLP endpoint set); none when absent. */
  callSpans?: CallSpanSettings | null;
}

/** The recorder over a database: its spool under `<dataDir>/spool`, batched inserts, prices for costs. */
export async function createRecorder(
  s: RecorderSettings & { database: Database; metrics: Metrics; logger: Logger; onStored?: (callIds: string[]) => void; detect?: RecorderOptions['detect']; finalizeOnCapture?: boolean; schemaPending?: boolean },
): Promise<Recorder> {
  const { database, metrics, logger } = s;
  const spool = await openSpool({
    dir: path.join(s.dataDir, 'spool'),
    onTornFrame: (file, offset) => {
      metrics.recordsDropped.labels('torn_spool_frame').inc();
      logger.warn({ file, offset }, 'torn spool frame cut (a crash during a write)');
    },
  });
  const spans = s.callSpans ? await startCallSpans(s.callSpans, logger) : null;
  return new Recorder({
    store: createRecordStore(database),
    spool,
    prices: createPriceLookup(s.prices),
    metrics,
    logger,
    batchSize: s.batchSize,
    flushMs: s.flushMs,
    bufferMax: s.bufferMax,
    writeTimeoutMs: s.writeTimeoutMs,
    ping: () => database.ping(),
    finalizeOnCapture: s.finalizeOnCapture ?? false,
    schemaPending: s.schemaPending ?? false,
    ...(s.onStored ? { onStored: s.onStored } : {}),
    ...(s.detect ? { detect: s.detect } : {}),
    ...(spans ? { onFinalized: (c, f) => spans.add(c, f), afterClose: () => spans.shutdown() } : {}),
  });
}
