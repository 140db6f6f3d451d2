import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RestartBackoff } from '../core/restart-backoff.ts';
import { THREAD_NAMES } from '../core/os-threads.ts';

/** What the embedded database's thread is started with. */
export interface EmbeddedThreadOptions {
  /** PGlite's data directory. */
  dir: string;
  /** The Unix socket it serves the Postgres wire protocol on. */
  socketPath: string;
  /** Nice steps below the process's CPU priority for the thread (Linux; 0: the same). */
  nice: number;
}

export type EmbeddedFromThread =
  | { t: 'ready' }
  | { t: 'failed'; message: string }
  | { t: 'error'; message: string }
  | { t: 'closed'; error?: string };

/** What the owner of the embedded database hears from it (logs, metrics). */
export interface EmbeddedDatabaseHooks {
  /** A connection's error inside the thread (the other connections go on). */
  onError?(message: string): void;
  /** Its thread died (or a restart failed) after it had served: it is started again after `delayMs`. */
  onRestart?(reason: string, delayMs: number): void;
}

export interface EmbeddedDatabase {
  /** A postgres:// URL that reaches it (its host is the socket's folder), for other threads. */
  url: string;
  socketPath: string;
  /** Resolves once it first serves; rejects when it could not be opened (the start fails then: no restart). */
  ready: Promise<void>;
  /** True from its thread's death until the restarted thread serves (connections are refused meanwhile). */
  readonly restarting: boolean;
  /** Closes PGlite (after the clients have ended their connections) and stops the thread. */
  close(): Promise<void>;
  /** Tests only: ends the thread as a crash would; it is started again like after any death. */
  terminateThreadForTests(): Promise<void>;
}

const bootFile = new URL('./embedded-thread-boot.mjs', import.meta.url);
const port = 5432;

/**
 * PGlite in a worker thread of its own, serving the Postgres wire protocol on a Unix socket in a
 * private temporary folder (mode 0700: only this user can connect). The gateway, the admin reads,
 * the jobs and the recorder's thread all reach it with postgres.js, as they reach Postgres.
 *
 * A thread that dies after it served (not at close) is started again, with the recorder thread's
 * backoff (RestartBackoff: 0.5 s doubling to 10 s), on the same data directory and socket, so the
 * clients' connections come back by themselves: postgres.js connects again on the next query. The
 * dead thread's PGlite is gone before the new one opens the folder (a restart waits for 'exit').
 */
export function startEmbeddedDatabase(dir: string, nice = 0, hooks: EmbeddedDatabaseHooks = {}): EmbeddedDatabase {
  return new EmbeddedThread(dir, nice, hooks);
}

class EmbeddedThread implements EmbeddedDatabase {
  readonly url: string;
  readonly socketPath: string;
  readonly ready: Promise<void>;
  restarting = false;
  private worker!: Worker;
  private serving = false;
  private closing = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly restarts = new RestartBackoff();
  private readonly socketDir: string;
  private onClosed: (m: Extract<EmbeddedFromThread, { t: 'closed' }> | undefined) => void = () => undefined;
  private readonly removeSocketDir = () => rmSync(this.socketDir, { recursive: true, force: true });

  constructor(
    private readonly dir: string,
    private readonly nice: number,
    private readonly hooks: EmbeddedDatabaseHooks,
  ) {
    this.socketDir = mkdtempSync(path.join(tmpdir(), 'fixpoint-db-'));
    this.socketPath = path.join(this.socketDir, `.s.PGSQL.${port}`);
    this.url = `postgres://fixpoint@localhost:${port}/postgres?host=${encodeURIComponent(this.socketDir)}`;
    // A process that exits without closing the database (a crash, process.exit) leaves no socket folder behind.
    process.once('exit', this.removeSocketDir);
    this.ready = new Promise((resolve, reject) => this.spawn({ resolve, reject }));
    this.ready.catch(() => undefined);
  }

  /** `first`: the first start's, settled by its outcome; a first start that fails is not retried. */
  private spawn(first?: { resolve: () => void; reject: (err: Error) => void }): void {
    const workerData: EmbeddedThreadOptions = { dir: this.dir, socketPath: this.socketPath, nice: this.nice };
    const worker = new Worker(bootFile, { workerData, name: THREAD_NAMES.database });
    this.worker = worker;
    let served = false;
    let reason: string | undefined;
    worker.on('message', (m: EmbeddedFromThread) => {
      if (m.t === 'ready') {
        served = this.serving = true;
        this.restarting = false;
        this.restarts.reset();
        first?.resolve();
      } else if (m.t === 'failed') {
        reason = `could not be opened: ${m.message}`;
        first?.reject(new Error(`the embedded database under ${this.dir} could not be opened: ${m.message}`));
      } else if (m.t === 'error') this.hooks.onError?.(m.message);
      else this.onClosed(m);
    });
    worker.once('error', (err) => {
      reason = `failed: ${err.message}`;
      first?.reject(err);
      // Make sure its PGlite is gone before another thread opens the folder: the restart waits for 'exit'.
      worker.terminate().catch(() => undefined);
    });
    worker.once('exit', (code) => {
      this.serving = false;
      this.onClosed(undefined);
      first?.reject(new Error(`the embedded database's thread exited (code ${code})`));
      if (this.closing) return;
      if (first && !served) {
        this.removeSocketDir();
        return;
      }
      this.scheduleRestart(reason ?? `its thread exited (code ${code})`);
    });
  }

  private scheduleRestart(reason: string): void {
    this.restarting = true;
    const delayMs = this.restarts.next();
    this.hooks.onRestart?.(reason, delayMs);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      // A failed start ends in 'exit' too, which schedules the next one, later.
      if (!this.closing) this.spawn();
    }, delayMs);
    this.restartTimer.unref();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    let error: string | undefined;
    try {
      await this.ready;
      if (this.serving) {
        const done = new Promise<Extract<EmbeddedFromThread, { t: 'closed' }> | undefined>((resolve) => (this.onClosed = resolve));
        this.worker.postMessage({ t: 'close' });
        error = (await done)?.error;
      }
    } catch {
      // It never opened: nothing to close.
    } finally {
      await this.worker.terminate();
      this.removeSocketDir();
      process.off('exit', this.removeSocketDir);
    }
    if (error) throw new Error(`closing the embedded database: ${error}`);
  }

  async terminateThreadForTests(): Promise<void> {
    await this.worker.terminate();
  }
}
