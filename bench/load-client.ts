/** The parent's side of the load generator process: fork it once, then run loads through IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface LoadRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
  /** An SSE answer: checked to end with `data: [DONE]`. */
  stream: boolean;
}

export interface LoadSpec {
  /** e.g. http://127.0.0.1:8787 */
  origin: string;
  /** Cycled through by every connection. */
  requests: LoadRequest[];
  connections: number;
  /** Total requests per second across all connections; absent: closed loop. */
  ratePerSecond?: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  measuredS: number;
  /** Latency of each measured successful request, microseconds. */
  latenciesUs: number[];
  /** Every answered request, warm-up included (for CPU per request). */
  completed: number;
  errors: number;
  incomplete: number;
  statuses: Record<string, number>;
  firstError?: string;
}

export interface LoadGenerator {
  pid: number;
  run(spec: LoadSpec): Promise<LoadResult>;
  close(): void;
}

type Reply = { id: number; result?: LoadResult; error?: string };

export function startLoadGenerator(): LoadGenerator {
  const file = fileURLToPath(new URL('./load-worker.ts', import.meta.url));
  const child: ChildProcess = fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on('message', (msg: Reply) => {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.result) p.resolve(msg.result);
    else p.reject(new Error(`load generator: ${msg.error ?? 'no result'}`));
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`load generator exited with ${code}`));
    pending.clear();
  });
  return {
    pid: child.pid ?? 0,
    run: (spec) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, spec });
      }),
    close: () => {
      if (child.connected) child.disconnect();
    },
  };
}
