export { Recorder, type RecorderOptions } from './recorder.ts';
export { createRecorder, type RecorderSettings } from './create-recorder.ts';
export { ThreadedRecorder } from './threaded-recorder.ts';
export type { CallRecorder, PendingCall, MetricsJson } from './call-recorder.ts';
export { createRecordStore, type RecordStore } from './store.ts';
export { openSpool, type Spool } from './spool.ts';
export { redactKeys, type FinalRecord } from './finalize.ts';
export { sweepRetention } from './retention.ts';
