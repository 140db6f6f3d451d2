/**
 * The embedded database's own thread (a worker_threads Worker started by `startEmbeddedDatabase`):
 * PGlite lives here, behind the Postgres wire protocol on a Unix socket, so its work (it runs
 * synchronously, in WebAssembly) never stalls the thread that proxies calls.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mkdirSync, rmSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { lowerThreadPriority } from '../core/thread-priority.ts';
import { nameCurrentThread, THREAD_NAMES } from '../core/os-threads.ts';
import { serveWireProtocol } from './wire-server.ts';
import type { EmbeddedFromThread, EmbeddedThreadOptions } from './embedded.ts';

const port = parentPort;
if (!port) throw new Error('embedded-thread runs as a worker thread');
const o = workerData as EmbeddedThreadOptions;
const send = (m: EmbeddedFromThread) => port.postMessage(m);

nameCurrentThread(THREAD_NAMES.database); // what `top -H` shows, and what its CPU is counted under
try {
  // Its work is the recording's and the jobs' (the calls in flight never wait on it): on a busy
  // machine the thread that proxies calls goes first.
  try {
    lowerThreadPriority(o.nice);
  } catch {
    // It runs at the process's priority then.
  }
  mkdirSync(o.dir, { recursive: true });
  const pg = await PGlite.create(o.dir);
  const server = serveWireProtocol(pg, (err) => send({ t: 'error', message: err instanceof Error ? err.message : String(err) }));
  // A thread that died before this one (restarted on the same socket) may have left its socket file.
  rmSync(o.socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.socketPath, () => resolve());
  });
  port.on('message', (m: { t: 'close' }) => {
    if (m.t !== 'close') return;
    server.close();
    // Open client connections were ended before this message; what is left is closed with the server.
    pg.close().then(
      () => send({ t: 'closed' }),
      (err: unknown) => send({ t: 'closed', error: err instanceof Error ? err.message : String(err) }),
    );
  });
  send({ t: 'ready' });
} catch (err) {
  send({ t: 'failed', message: err instanceof Error ? err.message : String(err) });
}
