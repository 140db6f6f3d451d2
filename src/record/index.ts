export { Recorder, type RecorderOptions } from './recorder.ts';
export { createRecordStore, isDatabaseUnavailable, type RecordStore } from './store.ts';
export { openSpool, type Spool } from './spool.ts';
export { createPriceLookup, estimateCost, type PriceLookup } from './prices.ts';
export { hydratePrompts, promptRefsIn, hashPrompt } from './prompt-refs.ts';
export { redactKeys, type FinalRecord } from './finalize.ts';
export { sweepRetention } from './retention.ts';
