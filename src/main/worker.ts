import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/index.ts';
import { AppError } from '../core/index.ts';
import { checkDeclaredRules } from '../evaluate/index.ts';
import { createProviderRegistry } from '../providers/index.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { buildCoreDeps, type BuildOptions, type CoreDeps } from './deps.ts';
import { createLivePrompts } from '../hotswap/index.ts';
import { metricsAccess } from '../ingress/index.ts';
import { registerJobHandlers, scheduleRecurringJobs } from './job-handlers.ts';
import { assertCanListen, hostPort, listenError } from './port-check.ts';

export interface RunningWorker {
  deps: CoreDeps;
  /** Where the worker's /metrics and /healthz answer. */
  metricsUrl: string;
  close(deadlineMs?: number): Promise<void>;
}

/** The worker's own small HTTP listener: Prometheus scrapes the job metrics here. */
async function serveMetrics(deps: CoreDeps): Promise<Server> {
  const allowed = metricsAccess(deps.config.env.FIXPOINT_METRICS_TOKEN);
  const server = createServer((req, res) => {
    if (req.url === '/metrics' && !allowed(req.headers.authorization)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"metrics: send Authorization: Bearer <FIXPOINT_METRICS_TOKEN>","type":"authentication_error"}}');
    } else if (req.url === '/metrics') {
      deps.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': deps.metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (req.url === '/healthz') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    else res.writeHead(404).end();
  });
  const { HOST, FIXPOINT_WORKER_METRICS_PORT: port } = deps.config.env;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenError(err, HOST, port, 'FIXPOINT_WORKER_METRICS_PORT')));
    server.listen(port, HOST, () => resolve());
  });
  return server;
}

/** `fixpoint worker`: runs background jobs from BullMQ (needs REDIS_URL). */
export async function startWorker(config: Config, opts: BuildOptions = {}): Promise<RunningWorker> {
  if (!config.env.REDIS_URL) throw new AppError('invalid_request', 'the worker needs REDIS_URL (the job queues live in Redis); without Redis, `fixpoint serve` runs the jobs in-process');
  const { env } = config;
  // Before anything opens, migrates or runs: a busy metrics port, a data folder in use or a rule module that does not load is one line.
  await assertCanListen(env.HOST, env.FIXPOINT_WORKER_METRICS_PORT, 'FIXPOINT_WORKER_METRICS_PORT');
  await checkDeclaredRules(config);
  const lock = env.DATABASE_URL ? null : lockDataDir(env.FIXPOINT_DATA_DIR);
  const deps = await buildCoreDeps(config, opts).catch((err: unknown) => {
    lock?.release();
    throw err;
  });
  if (!deps.schema.migrated) {
    // Every job reads or writes tables: the worker waits for the database (retried with backoff) before taking any.
    deps.logger.warn('waiting for the database before taking jobs');
    await deps.schema.done;
  }
  const registry = createProviderRegistry(config, { connectTimeoutMs: config.env.FIXPOINT_CONNECT_TIMEOUT_MS, idleTimeoutMs: config.env.FIXPOINT_IDLE_TIMEOUT_MS });
  // The worker moves prompt pointers too (the canary monitor): it announces them like a gateway.
  const prompts = createLivePrompts({ db: deps.database.db, redis: deps.redis, channel: `${deps.prefix}:prompts`, reloadMs: 60_000, logger: deps.logger });
  await prompts.start();
  registerJobHandlers(deps.jobs, { config, db: deps.database.db, registry, metrics: deps.metrics, logger: deps.logger, announcePrompts: () => prompts.changed() });
  await scheduleRecurringJobs(deps.jobs, config);
  await deps.jobs.start();
  const server = await serveMetrics(deps);
  const metricsUrl = `http://${hostPort(config.env.HOST, (server.address() as AddressInfo).port)}`;
  deps.logger.info({ jobs: deps.jobs.kind, metrics: `${metricsUrl}/metrics` }, 'fixpoint worker running');
  return {
    deps,
    metricsUrl,
    async close(deadlineMs = config.env.FIXPOINT_DRAIN_TIMEOUT_MS) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.jobs.close(deadlineMs);
      await prompts.close();
      await deps.redis?.close();
      await registry.close();
      await deps.database.close();
      lock?.release();
    },
  };
}
