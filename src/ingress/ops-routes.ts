import { createHash, timingSafeEqual } from 'node:crypto';
import type { Hono, MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import { AppError } from '../core/errors.ts';
import type { IngressDeps } from './deps.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** What `/readyz` answers; `degraded` still takes calls (they are proxied and spooled). */
export interface Readiness {
  status: 'ready' | 'degraded' | 'not ready';
  draining: boolean;
  /** `up`, or what is wrong: `unreachable`, `unreachable: ECONNREFUSED, migrations pending`. */
  database: string;
  recording: boolean;
}

export function readiness(deps: Pick<IngressDeps, 'lifecycle' | 'recorder' | 'schema' | 'database'>): Readiness {
  const { schema, recorder, lifecycle } = deps;
  let database = 'up';
  if (!schema.migrated) database = `${schema.lastError ? `unreachable: ${schema.lastError}` : 'up'}, migrations pending`;
  // The recorder finds out on its next write; the embedded database's restart is known at once.
  else if (!recorder.databaseUp || deps.database.knownDown()) database = 'unreachable';
  const recording = recorder.accepting;
  const status = lifecycle.draining || !recording ? 'not ready' : database === 'up' ? 'ready' : 'degraded';
  return { status, draining: lifecycle.draining, database, recording };
}

/**
 * Tables are there only once migrations ran: until then (the database was unreachable at start),
 * what reads or writes them answers 503 with Retry-After instead of failing on a missing relation.
 */
export function schemaGate(schema: IngressDeps['schema']): MiddlewareHandler<{ Bindings: HttpBindings }> {
  return async (_c, next) => {
    if (!schema.migrated) throw new AppError('overloaded', 'the database is not available yet; retry later', { headers: { 'retry-after': '5' } });
    await next();
  };
}

/** Whether an Authorization header may read /metrics: anyone without a token set, else `Bearer <token>` only. */
export function metricsAccess(token: string | undefined): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  const expected = digest(token);
  return (authorization) => {
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    return !!m?.[1] && timingSafeEqual(digest(m[1].trim()), expected);
  };
}

/**
 * The gateway thread's metrics, ready to merge with the recorder thread's: a metric only this thread
 * has keeps its value as it is (`first`), where its own aggregator (`omit` for the process start
 * time) would drop it from the merged output.
 */
async function ownMetricsForMerge(registry: Registry, foreign: readonly MetricObjectWithValues<MetricValue<string>>[]) {
  const foreignNames = new Set(foreign.map((m) => m.name));
  const own = await registry.getMetricsAsJSON();
  return own.map((m) => (foreignNames.has(m.name) ? m : { ...m, aggregator: 'first' as const }));
}

/** /metrics (behind `FIXPOINT_METRICS_TOKEN` when set), /healthz and /readyz. */
export function opsRoutes(app: Hono<{ Bindings: HttpBindings }>, deps: IngressDeps): void {
  const allowed = metricsAccess(deps.config.env.FIXPOINT_METRICS_TOKEN);
  app.get('/metrics', async (c) => {
    if (!allowed(c.req.header('authorization'))) throw new AppError('unauthorized', 'metrics: send Authorization: Bearer <FIXPOINT_METRICS_TOKEN>');
    const foreign = await deps.recorder.foreignMetrics().catch((err: unknown) => {
      deps.logger.warn({ err }, 'recorder metrics unavailable');
      return [];
    });
    const registry = foreign.length > 0 ? AggregatorRegistry.aggregate([await ownMetricsForMerge(deps.metrics.registry, foreign), foreign]) : deps.metrics.registry;
    const body = await registry.metrics();
    return c.body(body, 200, { 'content-type': deps.metrics.registry.contentType });
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // 200 for ready and degraded (calls are served: keep it in the load balancer), 503 for not ready.
  app.get('/readyz', (c) => {
    const r = readiness(deps);
    return c.json(r, r.status === 'not ready' ? 503 : 200);
  });
}
