import type { ServerResponse } from 'node:http';
import { AppError } from '../../core/errors.ts';
import type { NodeHandler } from './handle-proxy.ts';
import { errorBody, sendJson, type ErrorDialect } from './respond.ts';
import { proxyRoutes } from './routes.ts';

/**
 * The /v1 routes by path: the handler for each method, and what a request with another method gets
 * (405 with `Allow`). A path matches with or without one trailing slash (`/v1/chat/completions/`).
 */
export interface ProxyRouteTable {
  /** The handler for this method and path (the path without its query string), if any. */
  handler(method: string | undefined, path: string): NodeHandler | undefined;
  /** The methods a /v1 route takes, when `path` is one (sorted, comma-separated); else undefined. */
  allowed(path: string): string | undefined;
}

/** The path of a request URL without its query string and without one trailing slash. */
export function routePathOf(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** `proxy` is keyed "METHOD /path" (createProxyHandlers). */
export function createProxyRouteTable(proxy: ReadonlyMap<string, NodeHandler>): ProxyRouteTable {
  const methods = new Map<string, string[]>();
  for (const key of proxy.keys()) {
    const [method, path] = key.split(' ') as [string, string];
    methods.set(path, [...(methods.get(path) ?? []), method]);
  }
  const allow = new Map([...methods].map(([path, list]) => [path, list.sort().join(', ')]));
  return {
    handler: (method, path) => proxy.get(`${method} ${path}`),
    allowed: (path) => allow.get(path),
  };
}

/** The error shape of a /v1 path: Anthropic's on the Messages route, OpenAI's elsewhere. */
export function dialectOfPath(path: string): ErrorDialect {
  return path === `/v1${proxyRoutes.messages.path}` ? proxyRoutes.messages.dialect : 'openai';
}

/** 405 for a /v1 route asked with a method it does not take (Allow lists those it takes). */
export function methodNotAllowed(method: string | undefined, path: string, allow: string): { body: object; headers: Record<string, string> } {
  const err = new AppError('method_not_allowed', `${method ?? 'this method'} is not allowed on ${path}; use ${allow}`, { headers: { allow } });
  return { body: errorBody(err, dialectOfPath(path)), headers: err.headers };
}

/** Sends methodNotAllowed's answer; nothing is recorded (no model was called). */
export function sendMethodNotAllowed(res: ServerResponse, method: string | undefined, path: string, allow: string): void {
  const { body, headers } = methodNotAllowed(method, path, allow);
  sendJson(res, 405, body, headers);
}
