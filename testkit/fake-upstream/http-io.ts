/** Writing answers: JSON, SSE streams (with gaps and cuts), error shapes and rate-limit headers. */
import type { ServerResponse } from 'node:http';

export type Headers = Record<string, string>;

/** One event of a stream; `delta` marks content-carrying events (what [[cut]] counts). */
export interface StreamEvent {
  text: string;
  delta?: boolean;
}

export interface Exchange {
  res: ServerResponse;
  /** Set when the fake itself destroyed the socket (so it is not counted as a client abort). */
  markSelfDestroyed(): void;
  /** The key the request came with (`Authorization: Bearer` or `x-api-key`), for [[leak-key]]. */
  credential?: string | null;
}

let requestCounter = 0;

export function openaiHeaders(): Headers {
  requestCounter = (requestCounter + 1) % 1e9;
  return {
    'x-request-id': `req_fake${requestCounter.toString(36)}`,
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-reset-requests': '6ms',
    'x-ratelimit-limit-tokens': '2000000',
    'x-ratelimit-remaining-tokens': '1999000',
    'x-ratelimit-reset-tokens': '30ms',
    'openai-processing-ms': '1',
  };
}

export function anthropicHeaders(): Headers {
  requestCounter = (requestCounter + 1) % 1e9;
  return {
    'request-id': `req_fake${requestCounter.toString(36)}`,
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': '3999',
    'anthropic-ratelimit-requests-reset': new Date(Date.now() + 60_000).toISOString(),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sseData(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return event ? `event: ${event}\ndata: ${payload}\n\n` : `data: ${payload}\n\n`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface StreamOptions {
  /** Default 200. */
  status?: number;
  headers: Headers;
  /** Milliseconds between events (0: write all at once). */
  gapMs?: number;
  /** Destroy the socket after this many events. */
  destroyAfter?: number;
  /** Destroy the socket after this many `delta` events. */
  cutAfterDeltas?: number;
}

/** Stream events as `text/event-stream`; stops quietly if the client goes away. */
export async function sendStream(ex: Exchange, events: StreamEvent[], opts: StreamOptions): Promise<void> {
  const { res } = ex;
  res.writeHead(opts.status ?? 200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...opts.headers,
  });
  res.flushHeaders();
  const gap = opts.gapMs ?? 0;
  let sent = 0;
  let deltas = 0;
  for (const ev of events) {
    if (res.destroyed) return;
    if (gap > 0 && sent > 0) {
      await sleep(gap);
      if (res.destroyed) return;
    }
    res.write(ev.text);
    sent++;
    if (ev.delta) deltas++;
    const cut =
      (opts.destroyAfter !== undefined && sent >= opts.destroyAfter) ||
      (opts.cutAfterDeltas !== undefined && deltas >= opts.cutAfterDeltas);
    if (cut) return destroyAfterFlush(ex);
  }
  res.end();
}

/** Destroy the socket once what was written has left, so the client sees the partial stream. */
export function destroyAfterFlush(ex: Exchange): void {
  ex.markSelfDestroyed();
  const socket = ex.res.socket;
  if (!socket) return;
  socket.write('', () => setTimeout(() => socket.destroy(), 20));
}

/** Write the head and half the body of a JSON answer, then destroy the socket. */
export function sendTruncatedJson(ex: Exchange, body: unknown, headers: Headers): void {
  const text = JSON.stringify(body);
  ex.res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  ex.res.write(text.slice(0, Math.floor(text.length / 2)));
  destroyAfterFlush(ex);
}

export async function delay(ms: number): Promise<void> {
  if (ms > 0) await sleep(ms);
}

const openaiErrorByStatus: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
  500: { type: 'server_error', code: null },
  503: { type: 'server_error', code: 'overloaded' },
};

const anthropicTypeByStatus: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function openaiError(status: number, message: string): unknown {
  const known = openaiErrorByStatus[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null };
  return { error: { message, type: known.type, param: null, code: known.code } };
}

export function anthropicError(status: number, message: string): unknown {
  const type = anthropicTypeByStatus[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message } };
}

/** Headers of an [[error:N]] answer: retry-after plus the usual rate-limit headers. */
export function directiveErrorHeaders(base: Headers): Headers {
  return {
    ...base,
    'retry-after': '7',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': '7s',
  };
}
