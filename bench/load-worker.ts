/**
 * The load generator, run in its own process (forked by load-client.ts). Each connection is one
 * undici Client. Closed loop: a connection sends its next request as soon as the previous response
 * has been read to the end. Paced (`ratePerSecond`): requests are sent on a fixed schedule shared
 * by the connections, so every target sees the same rate. Latency is request start to last byte.
 */
import { Client } from 'undici';
import type { LoadResult, LoadSpec } from './load-client.ts';

/** What a run accumulates: the result, less the measured duration added at the end. */
type Accumulator = Omit<LoadResult, 'measuredS'>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Phase {
  start: number;
  measureFrom: number;
  end: number;
}

async function connectionLoop(client: Client, spec: LoadSpec, index: number, phase: Phase, acc: Accumulator): Promise<void> {
  const { measureFrom, end } = phase;
  const bodies = spec.requests.map((r) => Buffer.from(r.body));
  const gapMs = spec.ratePerSecond ? 1000 / spec.ratePerSecond : 0;
  for (let n = 0; ; n++) {
    if (gapMs) {
      const due = phase.start + (n * spec.connections + index) * gapMs;
      if (due >= end) return;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const t0 = performance.now();
    if (t0 >= end) return;
    const k = (index + n) % spec.requests.length;
    const req = spec.requests[k]!;
    try {
      const res = await client.request({ method: 'POST', path: req.path, headers: req.headers, body: bodies[k] });
      const buf = Buffer.from(await res.body.arrayBuffer());
      const t1 = performance.now();
      const status = String(res.statusCode);
      acc.statuses[status] = (acc.statuses[status] ?? 0) + 1;
      acc.completed++;
      if (res.statusCode !== 200) {
        acc.errors++;
        acc.firstError ??= `HTTP ${status}: ${buf.subarray(0, 200).toString('utf8')}`;
      } else if (req.stream && !buf.subarray(-14).toString('latin1').endsWith('data: [DONE]\n\n')) {
        acc.incomplete++;
      }
      if (t0 >= measureFrom && t1 <= end && res.statusCode === 200) acc.latenciesUs.push(Math.round((t1 - t0) * 1000));
    } catch (err) {
      acc.errors++;
      acc.firstError ??= err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      await sleep(20);
    }
  }
}

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const clients = Array.from(
    { length: spec.connections },
    () => new Client(spec.origin, { pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 }),
  );
  const acc: Accumulator = { latenciesUs: [], completed: 0, errors: 0, incomplete: 0, statuses: {} };
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const phase = { start, measureFrom, end: measureFrom + spec.durationMs };
  await Promise.all(clients.map((c, i) => connectionLoop(c, spec, i, phase, acc)));
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  return {
    measuredS: spec.durationMs / 1000,
    latenciesUs: acc.latenciesUs,
    completed: acc.completed,
    errors: acc.errors,
    incomplete: acc.incomplete,
    statuses: acc.statuses,
    ...(acc.firstError ? { firstError: acc.firstError } : {}),
  };
}

process.on('message', (msg: { id: number; spec: LoadSpec }) => {
  runLoad(msg.spec).then(
    (result) => process.send?.({ id: msg.id, result }),
    (err: unknown) => process.send?.({ id: msg.id, error: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
