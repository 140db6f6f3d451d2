import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Provider } from './registry.ts';

/** Headers that describe one connection, not the message: never forwarded either way (RFC 9110 §7.6.1). */
const hopByHop = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

/** Request headers the gateway sets itself or must not pass on. */
const notForwarded = new Set([
  ...hopByHop, 'host', 'content-length', 'authorization', 'x-api-key', 'accept-encoding', 'cookie', 'expect',
  'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip',
]);

export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** The request header a client's own key came in. */
export type CredentialHeader = 'authorization' | 'x-api-key';

/** Authentication as the provider expects it: OpenAI-style bearer, or Anthropic's x-api-key. */
export function authHeaders(provider: Provider, key: string | null, clientHeaders: IncomingHttpHeaders = {}): Record<string, string> {
  return setAuthHeaders({}, provider, key, clientHeaders);
}

/** `authHeaders`, set on an existing header object (the hot path builds one object per call). */
function setAuthHeaders(out: Record<string, string>, provider: Provider, key: string | null, clientHeaders: IncomingHttpHeaders): Record<string, string> {
  if (provider.kind === 'anthropic') {
    if (key) out['x-api-key'] = key;
    const version = clientHeaders['anthropic-version'];
    out['anthropic-version'] = typeof version === 'string' ? version : DEFAULT_ANTHROPIC_VERSION;
  } else if (key) out['authorization'] = `Bearer ${key}`;
  return out;
}

/**
 * The client's headers as they go upstream: end-to-end ones only, without Fixpoint's own, plus auth.
 * `clientCredential` names the header the client's own key came in: that header goes up exactly as the
 * client sent it (an Anthropic OAuth token is only valid as `Authorization: Bearer`, an API key as
 * `x-api-key`; the client knows which it holds). Without it (the configured key serves the call), the
 * key is sent the way the provider expects.
 */
export function forwardRequestHeaders(
  provider: Provider,
  clientHeaders: IncomingHttpHeaders,
  key: string | null,
  bodyLength: number | null,
  clientCredential: CredentialHeader | null = null,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in clientHeaders) {
    const value = clientHeaders[name];
    if (value === undefined || notForwarded.has(name) || name.startsWith('x-fixpoint-')) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  for (const name in provider.headers) out[name] = provider.headers[name] as string;
  const sent = clientCredential === null ? undefined : clientHeaders[clientCredential];
  if (typeof sent === 'string') {
    setAuthHeaders(out, provider, null, clientHeaders);
    out[clientCredential as CredentialHeader] = sent;
  } else setAuthHeaders(out, provider, key, clientHeaders);
  out['accept-encoding'] = 'identity';
  if (bodyLength !== null) out['content-length'] = String(bodyLength);
  return out;
}

/** Headers for a request the gateway composed itself (translations): JSON body, auth, provider extras. */
export function composedRequestHeaders(provider: Provider, key: string | null, clientHeaders: IncomingHttpHeaders, bodyLength: number): Record<string, string> {
  const out: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'accept-encoding': 'identity' };
  const beta = clientHeaders['anthropic-beta'];
  if (provider.kind === 'anthropic' && typeof beta === 'string') out['anthropic-beta'] = beta;
  Object.assign(out, provider.headers, authHeaders(provider, key, clientHeaders));
  out['content-length'] = String(bodyLength);
  return out;
}

/**
 * Upstream response headers as they go back to the client: a fresh object (never the upstream's),
 * without hop-by-hop headers; Content-Length only when the body passes through unchanged.
 */
export function responseHeaders(upstream: IncomingHttpHeaders, opts: { keepLength: boolean }): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || hopByHop.has(name)) continue;
    if (name === 'content-length' && !opts.keepLength) continue;
    out[name] = value;
  }
  return out;
}

/** Rate-limit and request-id headers worth keeping when the gateway rewrites a response (translations). */
export function rateLimitHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined) continue;
    if (name === 'retry-after' || name === 'retry-after-ms' || name.startsWith('x-ratelimit-') || name.startsWith('anthropic-ratelimit-') || name === 'x-request-id' || name === 'request-id') {
      out[name] = value;
    }
  }
  return out;
}
