import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { Config } from '../config/index.ts';
import { createRequestListener } from '../ingress/index.ts';
import { ThreadedRecorder } from '../record/index.ts';
import { buildCoreDeps, buildGatewayDeps, type BuildOptions, type Deps } from './deps.ts';
import { registerJobHandlers, scheduleRecurringJobs } from './job-handlers.ts';
import { shutdownGateway } from './shutdown.ts';

export interface RunningGateway {
  url: string;
  port: number;
  deps: Deps;
  server: Server;
  /** Graceful: drain in-flight calls within the deadline, flush records, close. */
  close(deadlineMs?: number, graceMs?: number): Promise<void>;
}

/** `fixpoint serve`: the gateway. Without REDIS_URL it also runs the background jobs in-process. */
export async function startGateway(config: Config, opts: BuildOptions = {}): Promise<RunningGateway> {
  const deps = await buildGatewayDeps(await buildCoreDeps(config, opts));
  if (deps.jobs.kind === 'in-process') {
    registerJobHandlers(deps.jobs, { config, db: deps.database.db, registry: deps.registry, metrics: deps.metrics, logger: deps.logger, announcePrompts: () => deps.prompts.changed() });
    await deps.jobs.start();
  }
  await scheduleRecurringJobs(deps.jobs, config).catch((err: unknown) => deps.logger.warn({ err }, 'could not schedule recurring jobs (Redis down?); the worker will'));
  deps.recorder.start();
  await deps.prompts.start();
  const { env } = config;
  const server = createServer(createRequestListener(deps));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  server.keepAliveTimeout = env.FIXPOINT_KEEPALIVE_TIMEOUT_MS;
  server.headersTimeout = 60_000;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${port}`;
  deps.logger.info({ url, database: deps.database.kind, jobs: deps.jobs.kind, recorder: deps.recorder instanceof ThreadedRecorder ? 'thread' : 'inline' }, 'fixpoint gateway listening');
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    deps,
    server,
    close: (deadlineMs = env.FIXPOINT_DRAIN_TIMEOUT_MS, graceMs = env.FIXPOINT_SHUTDOWN_GRACE_MS) =>
      (closing ??= shutdownGateway(server, deps, deadlineMs, graceMs)),
  };
}
