import { setFlagsFromString } from 'node:v8';

/**
 * The gateway's garbage-collector settings. Under load each call leaves short-lived garbage on the
 * proxying thread and more on the recorder's, and records wait in the recorder's buffer for their
 * batch: with V8's defaults that meant a young-generation collection several times a second on
 * each thread and, in the recorder, a full mark every 0.2–0.6 s (V8 starts one as soon as the old
 * generation is a little above what was live after the last). Measured with `npm run bench`
 * (streaming, 64 connections, runs alternated on one machine): 0.80× / 0.83× / 0.83× of the bare
 * forwarder with these settings, 0.75× / 0.75× / 0.80× / 0.81× without; the gateway's CPU per call
 * 1.24–1.26× the bare forwarder's instead of 1.30–1.32× (README, Benchmark).
 */

/**
 * Node flags for the gateway's process, which only the command line (or NODE_OPTIONS) can set for
 * the main thread's heap: a young generation of 2 × 64 MB semi-spaces (V8's default tops out at
 * 16 MB each), so garbage has time to die before a scavenge copies what is still alive. `npm start`,
 * `bin/fixpoint.js` and the benchmark pass them (a test keeps those in step with this list). The
 * recorder's thread gets the same young generation from its Worker's `resourceLimits`.
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=64'] as const;

/**
 * After a full collection, let the heap grow to 4× what survived before the next one (V8 picks
 * 1.1–4× from its own speed estimates, and under this load picked the low end). A V8 flag that may
 * be set at run time: V8 reads it each time it sets the next limit, for every isolate in the
 * process, the recorder's thread included. Call before the recorder's thread starts.
 */
export function tuneHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=300');
}
