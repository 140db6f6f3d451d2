import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';

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

export interface EmbeddedDatabase {
  /** A postgres:// URL that reaches it (its host is the socket's folder), for other threads. */
  url: string;
  socketPath: string;
  /** Resolves once it serves; rejects when it could not be opened. */
  ready: Promise<void>;
  /** Closes PGlite (after the clients have ended their connections) and stops the thread. */
  close(): Promise<void>;
}

const bootFile = new URL('./embedded-thread-boot.mjs', import.meta.url);

/**
 * PGlite in a worker thread of its own, serving the Postgres wire protocol on a Unix socket in a
 * private temporary folder (mode 0700: only this user can connect). The gateway, the admin reads,
 * the jobs and the recorder's thread all reach it with postgres.js, as they reach Postgres.
 */
export function startEmbeddedDatabase(dir: string, nice = 0, onError: (message: string) => void = () => undefined): EmbeddedDatabase {
  const socketDir = mkdtempSync(path.join(tmpdir(), 'fixpoint-db-'));
  const port = 5432;
  const socketPath = path.join(socketDir, `.s.PGSQL.${port}`);
  const worker = new Worker(bootFile, { workerData: { dir, socketPath, nice } satisfies EmbeddedThreadOptions, name: 'fixpoint-embedded-db' });
  let closed: (m: Extract<EmbeddedFromThread, { t: 'closed' }>) => void = () => undefined;
  const removeSocketDir = () => rmSync(socketDir, { recursive: true, force: true });
  // A process that exits without closing the database (a crash, process.exit) leaves no socket folder behind.
  process.once('exit', removeSocketDir);
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: EmbeddedFromThread) => {
      if (m.t === 'ready') resolve();
      else if (m.t === 'failed') reject(new Error(`the embedded database under ${dir} could not be opened: ${m.message}`));
      else if (m.t === 'error') onError(m.message);
      else closed(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      removeSocketDir();
      reject(new Error(`the embedded database's thread exited (code ${code})`));
    });
  });
  ready.catch(() => undefined);
  return {
    url: `postgres://fixpoint@localhost:${port}/postgres?host=${encodeURIComponent(socketDir)}`,
    socketPath,
    ready,
    async close() {
      let error: string | undefined;
      try {
        await ready;
        const done = new Promise<Extract<EmbeddedFromThread, { t: 'closed' }>>((resolve) => (closed = resolve));
        worker.postMessage({ t: 'close' });
        error = (await done).error;
      } catch {
        // It never opened or its thread is gone: nothing to close.
      } finally {
        await worker.terminate();
        removeSocketDir();
        process.off('exit', removeSocketDir);
      }
      if (error) throw new Error(`closing the embedded database: ${error}`);
    },
  };
}
