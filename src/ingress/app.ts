import { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { AppError, toOpenAIErrorBody } from '../core/errors.ts';
import { adminAuth } from './admin-auth.ts';
import { callsApi } from './admin/calls-api.ts';
import type { IngressDeps } from './deps.ts';
import { createModelsHandler } from './models.ts';
import { createProxyHandler } from './proxy/handle-proxy.ts';
import { proxyRoutes } from './proxy/routes.ts';

/** The whole HTTP surface: OpenAI- and Anthropic-compatible /v1, admin /api, /metrics, health. */
export function createApp(deps: IngressDeps): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.post('/v1/chat/completions', createProxyHandler(deps, proxyRoutes.chat));
  app.post('/v1/responses', createProxyHandler(deps, proxyRoutes.responses));
  app.post('/v1/embeddings', createProxyHandler(deps, proxyRoutes.embeddings));
  app.post('/v1/messages', createProxyHandler(deps, proxyRoutes.messages));
  app.get('/v1/models', createModelsHandler(deps));

  app.use('/api/*', adminAuth(deps.config.env.FIXPOINT_ADMIN_TOKEN));
  app.route('/api/calls', callsApi(deps.database.db));

  app.get('/metrics', async (c) => {
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': deps.metrics.registry.contentType });
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const ready = !deps.lifecycle.draining && deps.recorder.accepting;
    return c.json(
      { status: ready ? 'ready' : 'not ready', draining: deps.lifecycle.draining, database: deps.recorder.databaseUp ? 'up' : 'down', recording: deps.recorder.accepting },
      ready ? 200 : 503,
    );
  });

  app.notFound((c) => c.json(toOpenAIErrorBody(new AppError('not_found', `no route ${c.req.method} ${c.req.path}`)), 404));
  app.onError((err, c) => {
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json(toOpenAIErrorBody(err), err.status as 400);
    }
    deps.logger.error({ err, path: c.req.path }, 'unhandled error');
    return c.json(toOpenAIErrorBody(new AppError('internal', 'internal gateway error')), 500);
  });
  return app;
}
