/**
 * The recorder's own thread (a worker_threads Worker started by `ThreadedRecorder`): finalizing
 * captures, the batched inserts, the spool and the recorder's metrics all run here, so none of that
 * work, nor the garbage it makes, lands on the thread that proxies calls. Where the gateway runs the
 * detection jobs itself (no Redis), the calls this thread stores are checked here too, as it has
 * them: no detection job reads them back (embedded, the gateway's CPU per call 268 → 243 µs).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { openDatabase, surviveLeakedDatabaseErrors } from '../db/index.ts';
import { createLogger, createMetrics } from '../telemetry/index.ts';
import { createRecorder, unpackCaptures, type FromThread, type Recorder, type ThreadOptions, type ToThread } from '../record/index.ts';
import { createDetector } from '../detect/index.ts';
import { lowerThreadPriority } from '../core/thread-priority.ts';
import { nameCurrentThread, THREAD_NAMES } from '../core/os-threads.ts';

const port = parentPort;
if (!port) throw new Error('recorder-thread runs as a worker thread');
const o = workerData as ThreadOptions;

const send = (m: FromThread) => port.postMessage(m);
let lastState = '';
function reportState(r: Recorder): void {
  const state = { accepting: r.accepting, databaseUp: r.databaseUp };
  const key = `${state.accepting}/${state.databaseUp}`;
  if (key === lastState) return;
  lastState = key;
  send({ t: 'state', ...state });
}

const logger = createLogger(o.logLevel);
surviveLeakedDatabaseErrors(logger);
nameCurrentThread(THREAD_NAMES.recorder); // what `top -H` shows, and what its CPU is counted under
try {
  const lowered = lowerThreadPriority(o.nice);
  if (lowered) logger.debug(lowered, 'recorder thread priority lowered');
} catch (err) {
  logger.warn({ err }, "could not lower the recorder thread's CPU priority; it runs at the gateway's");
}
const metrics = createMetrics(new Registry(), { defaultMetrics: false });
const database = openDatabase({ databaseUrl: o.databaseUrl, dataDir: o.dataDir });
// Judge jobs go to the gateway's job system (in its main thread); the failures, marks and counts are this thread's.
const detector =
  o.detection &&
  createDetector({
    config: o.detection.config,
    db: database.db,
    metrics,
    logger,
    jobs: {
      enqueue: async (name, payload, opts) => send({ t: 'enqueue', name, payload, ...(opts ? { opts } : {}) }),
    },
  });
const recorder = await createRecorder({
  ...o,
  database,
  metrics,
  logger,
  finalizeOnCapture: true,
  onStored: (ids) => send({ t: 'stored', ids }),
  ...(detector ? { detect: detector.detectRecorded } : {}),
});
const stateTimer = setInterval(() => reportState(recorder), 100);

async function answer(m: Extract<ToThread, { id: number }>): Promise<unknown> {
  switch (m.t) {
    case 'flush':
      return recorder.flush();
    case 'find': {
      const p = await recorder.findPending(m.callId);
      return p && { ...p, startedAt: p.startedAt.getTime() };
    }
    case 'metrics':
      return metrics.registry.getMetricsAsJSON();
    case 'close':
      clearInterval(stateTimer);
      await recorder.close();
      await database.close();
      return null;
  }
}

port.on('message', (m: ToThread) => {
  if (m.t === 'captures') {
    const captures = unpackCaptures(m, (err) => {
      metrics.recordsDropped.labels('unreadable_handover').inc();
      logger.error({ err }, 'a capture handed over could not be read; dropped');
    });
    for (const c of captures) recorder.capture(c);
    recorder.arrived();
    reportState(recorder);
    return;
  }
  if (m.t === 'start') {
    recorder.start();
    return;
  }
  if (m.t === 'schema-migrated') {
    recorder.schemaMigrated();
    return;
  }
  answer(m).then(
    (value) => {
      reportState(recorder);
      send({ t: 'reply', id: m.id, value });
    },
    (err: unknown) => send({ t: 'reply', id: m.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
reportState(recorder);
send({ t: 'ready' });
