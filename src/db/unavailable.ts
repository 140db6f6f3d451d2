import type { Logger } from '../telemetry/index.ts';

const unavailableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
]);

/** The error and the errors it wraps (drizzle puts the driver's error in `cause`), at most five deep. */
function* causeChain(err: unknown): Generator<{ code?: unknown; message?: unknown; syscall?: unknown }> {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    yield e as { code?: unknown; message?: unknown; syscall?: unknown };
    e = (e as { cause?: unknown }).cause;
  }
}

/**
 * True when an insert failed because the database could not be reached or is going away
 * (as opposed to a row it refused). Looks through wrappers.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const { code, message, syscall } of causeChain(err)) {
    if (typeof code === 'string') {
      if (unavailableCodes.has(code)) return true;
      // A Unix socket with no server behind it (Postgres stopped, the embedded database's thread restarting).
      if (code === 'ENOENT' && syscall === 'connect') return true;
      // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P admin shutdown / cannot connect now.
      if (/^(08|53|57P)/.test(code)) return true;
    }
    if (typeof message === 'string' && /PGlite is closed|connection (terminated|closed|ended)/i.test(message)) return true;
  }
  return false;
}

/**
 * A short, safe name for a database error: the first code in its cause chain (`ECONNREFUSED`,
 * `CONNECT_TIMEOUT`, a SQLSTATE), or its class name. Never the message, which names hosts and users.
 */
export function databaseErrorCode(err: unknown): string {
  for (const { code } of causeChain(err)) if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return err instanceof Error ? err.name : 'error';
}

/** True when a statement failed on a unique constraint (SQLSTATE 23505). Looks through wrappers. */
export function isUniqueViolation(err: unknown): boolean {
  for (const { code } of causeChain(err)) if (code === '23505') return true;
  return false;
}

/**
 * postgres-js 3.4 writes on a socket it has already dropped when a connection dies inside a
 * transaction: `begin()` sends its own ROLLBACK after the failed query, and the write throws from a
 * timer (porsager/postgres#1208; unfixed in 3.4.9). The transaction itself has already been rejected
 * with CONNECTION_CLOSED by then, which its caller handles.
 */
function isWriteOnDroppedDriverSocket(err: unknown): boolean {
  if (!(err instanceof TypeError)) return false;
  const stack = err.stack ?? '';
  return err.message.includes("reading 'write'") && stack.includes('nextWrite') && /[\\/]postgres[\\/]src[\\/]connection\.js/.test(stack);
}

/**
 * The Postgres driver (postgres-js 3.4) lets a connection failure escape in addition to failing the
 * query that met it through that query's own promise: as an unhandled rejection on some paths (a
 * connection that fails while it is set up: porsager/postgres#1192), and as an exception thrown from
 * a timer when a connection dies inside a transaction (#1208). Node ends a thread on either, so a
 * database outage, which the recorder is built to ride out (it spools), could take the thread with
 * it. Those two pass with a warning; anything else still ends the thread (the process, on the main
 * thread) with its error, as Node would. Installed once per thread, by the long-running processes
 * and the recorder's thread.
 */
export function surviveLeakedDatabaseErrors(logger: Logger): void {
  process.on('uncaughtException', (err, origin) => {
    const leaked = origin === 'unhandledRejection' ? isDatabaseUnavailable(err) : isWriteOnDroppedDriverSocket(err);
    if (leaked) {
      logger.warn({ err, origin }, 'a database connection error escaped the driver (the query it failed has failed on its own); going on');
      return;
    }
    process.stderr.write(`${origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception'}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
