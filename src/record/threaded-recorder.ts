import { Worker } from 'node:worker_threads';
import type { CallCapture } from '../core/call-capture.ts';
import { RestartBackoff } from '../core/restart-backoff.ts';
import type { Logger } from '../telemetry/index.ts';
import type { CallRecorder, MetricsJson, PendingCall } from './call-recorder.ts';
import { CapturePacker, type PackedCaptures } from './capture-wire.ts';
import type { RecorderSettings } from './create-recorder.ts';
import type { Config } from '../config/index.ts';
import { THREAD_NAMES } from '../core/os-threads.ts';
import type { JobName, JobOptions, JobPayload } from '../jobs/index.ts';

/** What the recorder's thread is started with (structured-cloneable). */
export interface ThreadOptions extends RecorderSettings {
  databaseUrl: string;
  logLevel: string;
  /** Nice steps below the gateway's CPU priority for the thread (Linux; 0: the same). */
  nice: number;
  /** Where the thread writes a V8 CPU profile when it stops (BENCH_GATEWAY_PROFILE); none when unset. */
  cpuProfileDir?: string;
  /** The schema is not migrated yet: the thread spools until told `schema-migrated`. */
  schemaPending?: boolean;
  /**
   * The gateway runs the detection jobs itself (no Redis): the thread checks the calls it has just
   * stored, in hand, with this configuration, and hands only the rest over as `stored`.
   */
  detection?: { config: Config };
}

/** A job the thread enqueues through the gateway's job system (detection's judge jobs). */
export interface JobFromThread {
  name: JobName;
  payload: JobPayload<JobName>;
  opts?: JobOptions;
}

/** What the gateway gives the thread: its entry module (main wires it), and where stored calls and jobs go. */
export interface ThreadHooks {
  /** The thread's entry: a module that registers the TypeScript loader and runs the thread (src/main/recorder-thread-boot.mjs). */
  entry: URL;
  /** Ids of calls stored and not checked in the thread: for the detection jobs. */
  onStored?: (callIds: string[]) => void;
  /** A job from the thread's detection, for the gateway's job system. */
  enqueue?: (job: JobFromThread) => void;
}

export type ToThread =
  | ({ t: 'captures' } & PackedCaptures)
  | { t: 'start' }
  | { t: 'schema-migrated' }
  | { t: 'flush'; id: number }
  | { t: 'close'; id: number }
  | { t: 'metrics'; id: number }
  | { t: 'find'; id: number; callId: string };

export type FromThread =
  | { t: 'ready' }
  | { t: 'state'; accepting: boolean; databaseUp: boolean }
  | { t: 'stored'; ids: string[] }
  | ({ t: 'enqueue' } & JobFromThread)
  | { t: 'reply'; id: number; value?: unknown; error?: string };

/**
 * Captures are handed over in batches: at most HANDOFF_MS after the first one waiting, or as soon as
 * HANDOFF_MAX are (or HANDOFF_MAX_BYTES of bodies). Each message wakes the worker, which costs both
 * threads far more than copying a capture (bench/compare.ts, streaming: every 2 ms 350 µs of the
 * proxying thread per call, every 10 ms 334, every 50 ms 309).
 */
const HANDOFF_MS = 50;
const HANDOFF_MAX = 1024;
const HANDOFF_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The recorder in a worker thread of its own (gateway on Postgres). The proxying thread only hands
 * each capture over (in batches); finalizing, the inserts, the spool and the recorder's metrics
 * happen in the worker, on another core, and their garbage is collected there (bench/compare.ts,
 * non-streaming: the proxying thread's CPU per call 369 → 264 µs). A worker that dies is started
 * again (it replays its spool); calls are refused (503) until it is back.
 */
export class ThreadedRecorder implements CallRecorder {
  private worker!: Worker;
  private outbox = new CapturePacker();
  private handoffScheduled = false;
  private state = { accepting: true, databaseUp: true };
  private ready = false;
  private started = false;
  private closing = false;
  private nextId = 1;
  private readonly restarts = new RestartBackoff();
  private readonly replies = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly options: ThreadOptions,
    private readonly logger: Logger,
    private readonly hooks: ThreadHooks,
  ) {}

  /** Starts the thread and waits until it has opened the database and its spool. */
  static async start(options: ThreadOptions, logger: Logger, hooks: ThreadHooks): Promise<ThreadedRecorder> {
    const r = new ThreadedRecorder(options, logger, hooks);
    try {
      await r.spawn();
    } catch (err) {
      r.closing = true; // a gateway that cannot start its recorder does not start
      throw err;
    }
    return r;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      // BENCH_GATEWAY_PROFILE (bench/gateway.ts): this thread writes a V8 CPU profile there too.
      const profile = this.options.cpuProfileDir;
      const execArgv = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
      const worker = new Worker(this.hooks.entry, { workerData: this.options, execArgv, name: THREAD_NAMES.recorder });
      this.worker = worker;
      worker.on('message', (m: FromThread) => {
        if (m.t === 'ready') {
          this.ready = true;
          this.restarts.reset();
          if (this.started) worker.postMessage({ t: 'start' } satisfies ToThread);
          if (!this.options.schemaPending) worker.postMessage({ t: 'schema-migrated' } satisfies ToThread);
          this.handoff(); // what piled up while it was away
          resolve();
        } else if (m.t === 'state') this.state = { accepting: m.accepting, databaseUp: m.databaseUp };
        else if (m.t === 'stored') this.hooks.onStored?.(m.ids);
        else if (m.t === 'enqueue') this.hooks.enqueue?.({ name: m.name, payload: m.payload, ...(m.opts ? { opts: m.opts } : {}) });
        else if (m.t === 'reply') {
          const p = this.replies.get(m.id);
          this.replies.delete(m.id);
          if (m.error !== undefined) p?.reject(new Error(m.error));
          else p?.resolve(m.value);
        }
      });
      worker.on('error', (err) => this.logger.error({ err }, 'recorder thread failed'));
      worker.on('exit', (code) => {
        const wasReady = this.ready;
        this.ready = false;
        for (const p of this.replies.values()) p.reject(new Error(`recorder thread exited (code ${code})`));
        this.replies.clear();
        if (!wasReady) reject(new Error(`recorder thread exited (code ${code}) before it was ready`));
        if (this.closing) return;
        if (wasReady) this.logger.error({ code, waiting: this.outbox.count }, 'recorder thread exited: starting it again; calls are refused until it is back');
        this.scheduleRestart();
      });
    });
  }

  /** Start the thread again after a delay that grows while it keeps failing (at most 10 s). */
  private scheduleRestart(): void {
    const delay = this.restarts.next();
    setTimeout(() => {
      if (this.closing) return;
      // A failed start ends in 'exit', which schedules the next attempt.
      this.spawn().catch((err: unknown) => this.logger.error({ err }, 'recorder thread could not be started'));
    }, delay).unref();
  }

  capture(c: CallCapture): void {
    // The request crosses as the bytes it was parsed from (re-parsed there), not as an object graph.
    this.outbox.add(c);
    if (this.outbox.count >= HANDOFF_MAX || this.outbox.byteSize >= HANDOFF_MAX_BYTES) this.handoff();
    else if (!this.handoffScheduled) {
      this.handoffScheduled = true;
      setTimeout(this.handoff, HANDOFF_MS).unref();
    }
  }

  private readonly handoff = (): void => {
    this.handoffScheduled = false;
    if (this.outbox.count === 0 || !this.ready) return;
    const packed = this.outbox.take();
    this.worker.postMessage({ t: 'captures', ...packed } satisfies ToThread, [packed.bytes]);
  };

  get accepting(): boolean {
    return this.ready && this.state.accepting;
  }

  get databaseUp(): boolean {
    return this.state.databaseUp;
  }

  async findPending(id: string): Promise<PendingCall | null> {
    const waiting = this.outbox.find(id);
    if (waiting) return waiting;
    const found = (await this.call({ t: 'find', callId: id })) as (Omit<PendingCall, 'startedAt'> & { startedAt: number }) | null;
    return found && { ...found, startedAt: new Date(found.startedAt) };
  }

  start(): void {
    this.started = true;
    if (this.ready) this.worker.postMessage({ t: 'start' } satisfies ToThread);
  }

  schemaMigrated(): void {
    // A thread started from now on is told so by its options; a running one by a message.
    this.options.schemaPending = false;
    if (this.ready) this.worker.postMessage({ t: 'schema-migrated' } satisfies ToThread);
  }

  async flush(): Promise<void> {
    this.handoff();
    await this.call({ t: 'flush' });
  }

  async close(): Promise<void> {
    this.handoff();
    this.closing = true;
    try {
      await this.call({ t: 'close' });
    } catch (err) {
      if (this.outbox.count > 0) this.logger.error({ err, lost: this.outbox.count }, 'recorder thread not running at shutdown: calls not recorded');
      throw err;
    } finally {
      await this.worker.terminate();
    }
  }

  /**
   * The thread's metrics. Captures still waiting here for their hand-over count in the queue depth
   * too: they are records not yet in the database as much as the thread's own. Counted when the
   * thread is asked, so a hand-over during the round trip counts neither twice nor not at all.
   */
  async foreignMetrics(): Promise<MetricsJson> {
    const waiting = this.outbox.count;
    const metrics = (await this.call({ t: 'metrics' })) as MetricsJson;
    const depth = metrics.find((m) => m.name === 'fixpoint_record_queue_depth')?.values[0];
    if (depth) depth.value += waiting;
    return metrics;
  }

  private call(m: { t: 'flush' } | { t: 'close' } | { t: 'metrics' } | { t: 'find'; callId: string }): Promise<unknown> {
    if (!this.ready) return Promise.reject(new Error('recorder thread is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.worker.postMessage({ ...m, id } as ToThread);
    });
  }
}
