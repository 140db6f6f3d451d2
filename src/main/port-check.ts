import { createServer } from 'node:net';
import { AppError } from '../core/index.ts';

/** HOST:PORT as people write it (an IPv6 host in brackets). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The one line a failed listen becomes: which address, and what to do about it. `setting` names
 * the variable that chose the port (PORT, FIXPOINT_WORKER_METRICS_PORT).
 */
export function listenError(err: unknown, host: string, port: number, setting: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = hostPort(host, port);
  if (code === 'EADDRINUSE') return new AppError('conflict', `${where} is already in use (another fixpoint, or another program, listens there); stop it, or set ${setting} to another port`, { cause: err });
  if (code === 'EACCES') return new AppError('forbidden', `not allowed to listen on ${where}; use a port above 1023 (${setting})`, { cause: err });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new AppError('invalid_request', `cannot listen on ${where}: HOST is not an address of this machine`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Fails at once when HOST:PORT cannot be listened on, before the process opens its database,
 * migrates or starts jobs: a second gateway on a busy port stops with one line instead of dying
 * later with EADDRINUSE. Port 0 (any free port) always passes.
 */
export async function assertCanListen(host: string, port: number, setting: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => reject(listenError(err, host, port, setting)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
