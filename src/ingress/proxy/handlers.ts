import { breakerStates } from '../../providers/index.ts';
import type { IngressDeps } from '../deps.ts';
import { createModelsHandler } from '../models.ts';
import { createProxyHandler, type NodeHandler } from './handle-proxy.ts';
import { proxyRoutes } from './routes.ts';

/** The /v1 routes, keyed "METHOD /path": one table for the fast path and for the Hono app. */
export function createProxyHandlers(deps: IngressDeps): Map<string, NodeHandler> {
  deps.registry.resilience.watchBreakers((provider, state) => deps.metrics.upstreamBreakerState.set({ provider }, breakerStates[state]));
  return new Map<string, NodeHandler>([
    ['POST /v1/chat/completions', createProxyHandler(deps, proxyRoutes.chat)],
    ['POST /v1/responses', createProxyHandler(deps, proxyRoutes.responses)],
    ['POST /v1/embeddings', createProxyHandler(deps, proxyRoutes.embeddings)],
    ['POST /v1/messages', createProxyHandler(deps, proxyRoutes.messages)],
    ['GET /v1/models', createModelsHandler(deps)],
  ]);
}
