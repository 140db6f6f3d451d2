/** The measured scenarios and the interleaved rounds that compare targets under the same load. */
import type { LoadGenerator, LoadRequest } from './load-client.ts';
import { THREAD_NAMES } from '../src/core/os-threads.ts';
import { cpuMicros, namedThreadCpuMicros, postgresCpuMicros } from './processes.ts';
import { median, summarizeMicros } from './stats.ts';

export interface Scenario {
  /** For --scenario. */
  key: string;
  name: string;
  requests: LoadRequest[];
  /** Run only when named (`--scenario`), not in the default set. */
  optional?: boolean;
}

export type TargetId = 'upstream' | 'bare' | 'postgres' | 'embedded' | 'peer';

export interface Target {
  /** What kind of server: a Fixpoint gateway (either database) waits out its recording backlog after each round. */
  key: 'upstream' | 'bare' | 'gateway' | 'peer';
  /** Which one, for --targets and the summary table. */
  id: TargetId;
  label: string;
  origin: string;
  /** The process whose CPU is charged to this target. */
  pid: number;
  /** Headers this target needs on every request (the peer gateway's provider and upstream). */
  headers?: Record<string, string>;
}

/** The scenario's requests with the target's own headers added. */
export function requestsFor(t: Target, requests: LoadRequest[]): LoadRequest[] {
  const extra = t.headers;
  return extra ? requests.map((r) => ({ ...r, headers: { ...r.headers, ...extra } })) : requests;
}

/** Each figure is the median of the target's interleaved rounds: a round the machine stalled in moves it little. */
export interface CellResult {
  target: Target;
  rps: number;
  p50: number;
  p99: number;
  /** The p99 of every round's latencies pooled. */
  p99Pooled: number;
  /** CPU of the target's process per answered request, microseconds. */
  cpuUsPerReq: number;
  /**
   * CPU of the gateway's database per answered request, microseconds (NaN: none). Embedded, its
   * thread's, already inside `cpuUsPerReq`; on Postgres, the local server's processes', outside it.
   */
  databaseCpuUsPerReq: number;
  requests: number;
  errors: number;
  incomplete: number;
  firstError?: string;
}

export interface Cell {
  scenario: string;
  connections: number;
  /** The moderate load: where added latency is judged. */
  moderate: boolean;
  /** Paced at this many requests/s in all; absent: closed loop. */
  rate?: number;
  results: CellResult[];
}

export function chatRequest(stream: boolean, text: string, history: { role: string; content: string }[] = []): LoadRequest {
  const body = {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a terse assistant used for benchmarks.' },
      ...history,
      { role: 'user', content: text },
    ],
    ...(stream ? { stream: true } : {}),
  };
  return {
    path: '/v1/chat/completions',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    stream,
  };
}

/** 24 earlier turns of a support conversation, about 16 KB of JSON: the size of an agent's requests in production. */
const longHistory = Array.from({ length: 24 }, (_, i) => ({
  role: i % 2 ? 'assistant' : 'user',
  content: `Turn ${i}: ${'the customer describes the billing problem and what they tried so far, in some detail. '.repeat(7)}`,
}));

export const SCENARIOS: Scenario[] = [
  { key: 'chat', name: 'chat, non-streaming', requests: [chatRequest(false, 'Hello, benchmark! Please answer briefly.')] },
  { key: 'chat-stream', name: 'chat, streaming [[words:20]]', requests: [chatRequest(true, '[[words:20]] Hello, benchmark!')] },
  { key: 'chat-long', name: 'chat, non-streaming, 16 KB conversation', requests: [chatRequest(false, 'And now? Please answer briefly.', longHistory)], optional: true },
];

export interface CellOptions {
  connections: number;
  /** Paced load (requests/s in all); absent: closed loop. */
  ratePerSecond?: number;
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
}

const ROUND_WARMUP_MS = 250;

/**
 * How long the gateway takes, after a round's load stops, to write what it has recorded
 * (`fixpoint_record_queue_depth` back to 0). A recorder that fell behind would otherwise finish its
 * work during the next target's round, flattering the gateway and slowing that target.
 */
export async function recordingBacklogSeconds(origin: string): Promise<number> {
  const start = performance.now();
  for (;;) {
    const text = await (await fetch(`${origin}/metrics`)).text();
    const depth = /^fixpoint_record_queue_depth (\S+)$/m.exec(text)?.[1];
    if (depth === undefined || Number(depth) === 0) return (performance.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, 20));
  }
} // each round opens fresh connections; keep their set-up out of the numbers

/** A Fixpoint gateway's database: its thread, inside its process (embedded), or the Postgres server beside it; null for the other targets. */
export const databaseOf = (t: Target): 'inside' | 'beside' | null => (t.id === 'embedded' ? 'inside' : t.id === 'postgres' ? 'beside' : null);

/** CPU time so far of the target's database, microseconds: its thread (embedded) or the Postgres server; NaN for a target without one. */
function databaseCpuMicros(t: Target): number {
  const where = databaseOf(t);
  if (where === 'inside') return namedThreadCpuMicros(t.pid, THREAD_NAMES.database);
  return where === 'beside' ? postgresCpuMicros() : Number.NaN;
}

/** Warm every target up, then rounds a,b,c,a,b,c… so drift hits all targets alike. */
export async function measureCell(load: LoadGenerator, targets: Target[], scenario: Scenario, opts: CellOptions): Promise<CellResult[]> {
  const base = {
    connections: opts.connections,
    ...(opts.ratePerSecond ? { ratePerSecond: opts.ratePerSecond } : {}),
  };
  const requests = targets.map((t) => requestsFor(t, scenario.requests));
  for (const [i, t] of targets.entries()) {
    await load.run({ ...base, requests: requests[i]!, origin: t.origin, warmupMs: opts.warmupSeconds * 1000, durationMs: 0 });
  }
  const acc = targets.map(() => ({ latencies: [] as number[], rps: [] as number[], cpu: [] as number[], db: [] as number[], p50s: [] as number[], p99s: [] as number[], completed: 0, errors: 0, incomplete: 0, firstError: undefined as string | undefined }));
  for (let round = 0; round < opts.rounds; round++) {
    for (const [i, t] of targets.entries()) {
      const a = acc[i]!;
      const cpu0 = cpuMicros(t.pid);
      const db0 = databaseCpuMicros(t);
      const res = await load.run({ ...base, requests: requests[i]!, origin: t.origin, warmupMs: ROUND_WARMUP_MS, durationMs: opts.roundSeconds * 1000 });
      // Recording that fell behind under a closed loop is work of this round: the time until it is
      // written counts too. A paced round only waits (its records sit out the flush interval).
      let seconds = res.measuredS;
      if (t.key === 'gateway') {
        const backlog = await recordingBacklogSeconds(t.origin);
        if (!opts.ratePerSecond) seconds += backlog;
      }
      const cpu = cpuMicros(t.pid) - cpu0;
      const db = databaseCpuMicros(t) - db0;
      for (const l of res.latenciesUs) a.latencies.push(l);
      const round = summarizeMicros(res.latenciesUs);
      a.rps.push(round.count / seconds);
      a.cpu.push(res.completed ? cpu / res.completed : Number.NaN);
      a.db.push(res.completed ? db / res.completed : Number.NaN);
      a.p50s.push(round.p50);
      a.p99s.push(round.p99);
      a.completed += res.completed;
      a.errors += res.errors;
      a.incomplete += res.incomplete;
      a.firstError ??= res.firstError;
    }
  }
  return targets.map((target, i) => {
    const a = acc[i]!;
    const lat = summarizeMicros(a.latencies);
    return {
      target,
      rps: median(a.rps),
      p50: median(a.p50s),
      p99: median(a.p99s),
      p99Pooled: lat.p99,
      cpuUsPerReq: median(a.cpu),
      databaseCpuUsPerReq: median(a.db),
      requests: lat.count,
      errors: a.errors,
      incomplete: a.incomplete,
      ...(a.firstError ? { firstError: a.firstError } : {}),
    };
  });
}
