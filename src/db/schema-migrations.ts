import type { Logger } from '../telemetry/index.ts';
import type { Database } from './client.ts';
import { databaseErrorCode, isDatabaseUnavailable } from './unavailable.ts';

/**
 * Whether this process's database has its schema: migrations applied at start when the database
 * answers, else retried in the background while the process serves what needs no schema (the
 * gateway proxies and spools). Everything that reads or writes tables waits for `migrated`.
 */
export interface SchemaMigrations {
  readonly migrated: boolean;
  /**
   * Why migrations have not run yet: the last error's code (`ECONNREFUSED`, a SQLSTATE, ...), never
   * its message (it names hosts and users). Null once migrated or before the first failure.
   */
  readonly lastError: string | null;
  /** Resolves once the migrations are applied; never rejects (a stopped runner leaves it pending). */
  readonly done: Promise<void>;
  /** Runs `fn` once migrated (at once when already so). */
  whenMigrated(fn: () => void | Promise<void>): void;
  /** Stops the retries (shutdown). */
  stop(): void;
}

export interface MigrationRetry {
  /** First retry delay; doubles on each failure up to `maxDelayMs` (with ±20 % jitter). */
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * Applies the migrations now. If the database cannot be reached, returns at once with
 * `migrated: false` and keeps trying in the background with exponential backoff; a database that
 * answers but refuses the migrations (a broken migration, a wrong password) fails the start.
 */
export async function migrateWhenReachable(database: Database, logger: Logger, retry: MigrationRetry): Promise<SchemaMigrations> {
  let migrated = false;
  let lastError: string | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let markDone!: () => void;
  const done = new Promise<void>((resolve) => (markDone = resolve));
  const waiting: (() => void | Promise<void>)[] = [];
  const run = (fn: () => void | Promise<void>) => {
    Promise.resolve()
      .then(fn)
      .catch((err: unknown) => logger.error({ err }, 'start-up step after migrations failed'));
  };
  const succeed = () => {
    migrated = true;
    lastError = null;
    markDone();
    for (const fn of waiting.splice(0)) run(fn);
  };

  try {
    await database.migrate();
    succeed();
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    lastError = databaseErrorCode(err);
    logger.warn({ err, retryInMs: retry.minDelayMs }, 'database unreachable at start: serving without it; migrations will run when it answers');
    let delay = retry.minDelayMs;
    const attempt = () => {
      if (stopped) return;
      database.migrate().then(
        () => {
          if (stopped) return;
          logger.info('database reachable: migrations applied');
          succeed();
        },
        (e: unknown) => {
          lastError = databaseErrorCode(e);
          // Unreachable is expected during an outage (a debug line per attempt); anything else is an error worth a warning.
          if (isDatabaseUnavailable(e)) logger.debug({ code: lastError, retryInMs: delay }, 'database still unreachable; migrations pending');
          else logger.error({ err: e, retryInMs: delay }, 'migrations failed; retrying');
          schedule();
        },
      );
    };
    const schedule = () => {
      if (stopped) return;
      const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
      delay = Math.min(delay * 2, retry.maxDelayMs);
      timer = setTimeout(attempt, jittered);
      timer.unref();
    };
    schedule();
  }

  return {
    get migrated() {
      return migrated;
    },
    get lastError() {
      return lastError;
    },
    done,
    whenMigrated(fn) {
      if (migrated) run(fn);
      else waiting.push(fn);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
