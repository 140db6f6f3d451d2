import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, ServerResponse } from 'node:http';
import type { Config } from '../config/index.ts';
import { checkDeclaredRules } from '../evaluate/index.ts';
import { createRequestListener } from '../ingress/index.ts';
import { ThreadedRecorder } from '../record/index.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { buildCoreDeps, buildGatewayDeps, type BuildOptions, type Deps } from './deps.ts';
import { registerJobHandlers, scheduleRecurringJobs } from './job-handlers.ts';
import { assertCanListen, hostPort, listenError } from './port-check.ts';
import { shutdownGateway } from './shutdown.ts';

export interface RunningGateway {
  url: string;
  port: number;
  deps: Deps;
  server: Server;
  /** Graceful: drain in-flight calls within the deadline, flush records, close. */
  close(deadlineMs?: number, graceMs?: number): Promise<void>;
}

/**
 * The client-facing HTTP server and its limits: slow requests get 408 (Node's own default lets a
 * body trickle in for 300 s), connections past the cap are closed on arrival, and while draining
 * every response says `Connection: close`, so keep-alive clients stop sending here.
 */
function createGatewayServer(deps: Deps): Server {
  const { env } = deps.config;
  const requestTimeout = env.FIXPOINT_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(env.FIXPOINT_HEADERS_TIMEOUT_MS, requestTimeout);
  const listener = createRequestListener(deps);
  const { lifecycle } = deps;
  /**
   * Decides keep-alive when its headers go out, not when its request came in: a call in flight when
   * draining begins is answered with `Connection: close` too. Every response's headers pass through
   * writeHead (implicit headers included).
   */
  class GatewayResponse extends ServerResponse {}
  const writeHead = ServerResponse.prototype.writeHead as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  // One pass-through for all of writeHead's overloads (a typed override cannot restate them).
  Object.defineProperty(GatewayResponse.prototype, 'writeHead', {
    value(this: ServerResponse, ...args: unknown[]) {
      if (lifecycle.draining) this.shouldKeepAlive = false; // Node then sends `Connection: close` and closes after it
      return writeHead.apply(this, args);
    },
  });
  const server = createServer(
    {
      ServerResponse: GatewayResponse,
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: env.FIXPOINT_KEEPALIVE_TIMEOUT_MS,
      // Node checks the two timeouts on this period (default 30 s, which would let a 1 s limit run 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(headersTimeout / 4))),
    },
    (req: IncomingMessage, res: ServerResponse) => listener(req, res),
  );
  if (env.FIXPOINT_MAX_CONNECTIONS > 0) {
    server.maxConnections = env.FIXPOINT_MAX_CONNECTIONS;
    server.on('drop', () => deps.metrics.connectionsRefused.inc());
  }
  return server;
}

/**
 * Needs the migrated schema: the live prompt versions and, without Redis, the in-process jobs. Runs
 * at start, or once migrations have run when the database was unreachable at start; until then calls
 * are proxied without hot-swapped prompts and records go to the spool.
 */
async function startSchemaDependents(config: Config, deps: Deps): Promise<void> {
  if (deps.jobs.kind === 'in-process') {
    deps.logger.info('starting the background jobs in this process (no REDIS_URL)');
    registerJobHandlers(deps.jobs, { config, db: deps.database.db, registry: deps.registry, metrics: deps.metrics, logger: deps.logger, announcePrompts: () => deps.prompts.changed() });
    await deps.jobs.start();
    await scheduleRecurringJobs(deps.jobs, config).catch((err: unknown) => deps.logger.warn({ err }, 'could not schedule recurring jobs'));
  }
  await deps.prompts.start();
}

/** `fixpoint serve`: the gateway. Without REDIS_URL it also runs the background jobs in-process. */
export async function startGateway(config: Config, opts: BuildOptions = {}): Promise<RunningGateway> {
  const { env } = config;
  // Before anything opens, migrates or runs: a busy port, a data folder in use or a rule module that
  // does not load is one line, not a late crash (with the in-process jobs, detection runs here).
  await assertCanListen(env.HOST, env.PORT, 'PORT');
  await checkDeclaredRules(config);
  const lock = env.DATABASE_URL ? null : lockDataDir(env.FIXPOINT_DATA_DIR);
  let deps: Deps;
  try {
    deps = await buildGatewayDeps(await buildCoreDeps(config, opts));
  } catch (err) {
    lock?.release();
    throw err;
  }
  if (deps.jobs.kind !== 'in-process') {
    await scheduleRecurringJobs(deps.jobs, config).catch((err: unknown) => deps.logger.warn({ err }, 'could not schedule recurring jobs (Redis down?); the worker will'));
  }
  if (deps.schema.migrated) await startSchemaDependents(config, deps);
  else deps.schema.whenMigrated(() => (deps.lifecycle.draining ? undefined : startSchemaDependents(config, deps)));
  deps.recorder.start();
  const server = createGatewayServer(deps);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenError(err, env.HOST, env.PORT, 'PORT')));
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${hostPort(env.HOST, port)}`;
  deps.logger.info(
    { url, database: deps.database.kind, migrated: deps.schema.migrated, jobs: deps.jobs.kind, recorder: deps.recorder instanceof ThreadedRecorder ? 'thread' : 'inline' },
    'fixpoint gateway listening',
  );
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    deps,
    server,
    close: (deadlineMs = env.FIXPOINT_DRAIN_TIMEOUT_MS, graceMs = env.FIXPOINT_SHUTDOWN_GRACE_MS) =>
      (closing ??= shutdownGateway(server, deps, deadlineMs, graceMs).finally(() => lock?.release())),
  };
}
