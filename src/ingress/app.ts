import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono } from 'hono';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { AppError, toOpenAIErrorBody } from '../core/errors.ts';
import { adminAuth } from './admin-auth.ts';
import { callsApi } from './admin/calls-api.ts';
import { componentsApi } from './admin/components-api.ts';
import { componentTrafficApi } from './admin/component-traffic-api.ts';
import { datasetsApi } from './admin/datasets-api.ts';
import { failuresApi } from './admin/failures-api.ts';
import { openApiRoute } from './admin/openapi.ts';
import { optimizationsApi, optimizeTriggerApi } from './admin/optimizations-api.ts';
import { patternsApi } from './admin/patterns-api.ts';
import { promptPointersApi, promptsApi } from './admin/prompts-api.ts';
import { recommendationsApi } from './admin/recommendations-api.ts';
import { consoleApp } from './console/index.ts';
import { feedbackApi } from './feedback.ts';
import { opsRoutes, schemaGate } from './ops-routes.ts';
import type { IngressDeps } from './deps.ts';
import type { NodeHandler } from './proxy/handle-proxy.ts';
import { createProxyHandlers } from './proxy/handlers.ts';
import { createProxyRouteTable, methodNotAllowed, routePathOf, sendMethodNotAllowed } from './proxy/route-table.ts';

/** The whole HTTP surface: OpenAI- and Anthropic-compatible /v1, admin /api, /metrics, health. */
export function createApp(deps: IngressDeps, proxy: Map<string, NodeHandler> = createProxyHandlers(deps)): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();

  const routes = createProxyRouteTable(proxy);
  for (const [key, handler] of proxy) {
    const [method, path] = key.split(' ') as [string, string];
    for (const p of [path, `${path}/`]) {
      app.on(method, p, async (c) => {
        await handler(c.env.incoming, c.env.outgoing);
        return RESPONSE_ALREADY_SENT;
      });
    }
  }
  for (const path of new Set([...proxy.keys()].map((k) => k.slice(k.indexOf(' ') + 1)))) {
    const allow = routes.allowed(path) ?? '';
    for (const p of [path, `${path}/`]) {
      app.all(p, (c) => {
        const { body, headers } = methodNotAllowed(c.req.method, path, allow);
        return c.json(body, 405, headers);
      });
    }
  }

  app.use('/v1/feedback', schemaGate(deps.schema));
  app.use('/v1/feedback/*', schemaGate(deps.schema));
  app.route('/v1/feedback', feedbackApi(deps));
  app.use('/api/*', adminAuth(deps.config.env.FIXPOINT_ADMIN_TOKEN));
  app.use('/api/*', schemaGate(deps.schema));
  app.route('/api/calls', callsApi(deps.database.db));
  app.route('/api/failures', failuresApi(deps.database.db));
  app.route('/api/patterns', patternsApi(deps.database.db));
  app.route('/api/patterns', optimizeTriggerApi(deps.database.db, deps.jobs));
  app.route('/api/optimizations', optimizationsApi(deps.database.db));
  app.route('/api/components', componentsApi(deps.database.db, deps.config));
  app.route('/api/components', promptsApi(deps.database.db));
  app.route('/api/components', componentTrafficApi(deps.database.db));
  app.route('/api/prompts', promptPointersApi(deps.database.db, deps.prompts));
  app.route('/api/recommendations', recommendationsApi(deps.database.db, deps.jobs, deps.config.file.retrain.webhook.url !== undefined));
  app.route('/api/datasets', datasetsApi(deps.database.db));
  app.route('/api/openapi.json', openApiRoute());

  // The web console reads and acts through the admin API above, in-process (console/api-client.ts).
  app.route('/console', consoleApp(deps, app));

  opsRoutes(app, deps);

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

/**
 * The Node request listener: the /v1 proxy routes go straight to their handlers (no Request/Response
 * objects on the hot path: about 40 µs a call saved, measured with `npm run bench`), with or without a
 * trailing slash; another method on one of them gets 405 with `Allow`; everything else goes through
 * the Hono app.
 */
export function createRequestListener(deps: IngressDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const proxy = createProxyHandlers(deps);
  const routes = createProxyRouteTable(proxy);
  const app = createApp(deps, proxy);
  const rest = getRequestListener(app.fetch);
  return (req, res) => {
    const path = routePathOf(req.url ?? '/');
    const handler = routes.handler(req.method, path);
    // HEAD of a GET route is left to the app (Hono answers it as the GET)
    const allow = handler || (req.method === 'HEAD' && routes.handler('GET', path)) ? undefined : routes.allowed(path);
    const done = handler ? handler(req, res) : allow ? Promise.resolve(sendMethodNotAllowed(res, req.method, path, allow)) : rest(req, res);
    done.catch((err: unknown) => {
      deps.logger.error({ err }, 'request failed outside the error handlers');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"internal gateway error","type":"api_error"}}');
      else res.destroy();
    });
  };
}
