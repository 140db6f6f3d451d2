import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { responseHeaders, upstreamFailure, type Provider } from '../../providers/index.ts';
import type { CallContext } from './call-context.ts';
import { sendError, type ErrorDialect } from './respond.ts';
import { UsageChunkFilter } from './strip-usage.ts';

export interface ForwardRequest {
  ctx: CallContext;
  res: ServerResponse;
  provider: Provider;
  /** Path under the provider's base path, e.g. "/chat/completions". */
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: Buffer | null;
  signal: AbortSignal;
  /** Drop the usage-only chunk the gateway asked for on the client's behalf. */
  stripUsage: boolean;
  dialect: ErrorDialect;
  /** Fixpoint's own response headers (call id, ...). */
  extraHeaders: OutgoingHttpHeaders;
}

/**
 * Transparent forwarding for a provider that speaks the client's dialect: the body goes up as given,
 * status, headers and bytes come back as the upstream sent them, each chunk written as it arrives.
 * A copy of the upstream bytes is kept for the record.
 */
export async function forwardRaw(f: ForwardRequest): Promise<void> {
  const { ctx, res } = f;
  let up: Dispatcher.ResponseData;
  ctx.upstreamStarted();
  try {
    up = await f.provider.pool.request({
      path: f.provider.basePath + f.path,
      method: f.method,
      headers: f.headers,
      body: f.body,
      signal: f.signal,
    });
  } catch (err) {
    const failure = upstreamFailure(err, f.provider.name, f.signal.aborted);
    ctx.upstreamFinished();
    ctx.httpStatus = failure.status === 'client_abort' ? 499 : failure.error.status;
    if (failure.status !== 'client_abort') ctx.responseBody = sendError(res, failure.error, f.dialect, f.extraHeaders);
    ctx.finish(failure.status, failure.message);
    return;
  }
  await relay(f, up);
}

async function relay(f: ForwardRequest, up: Dispatcher.ResponseData): Promise<void> {
  const { ctx, res } = f;
  const contentType = String(up.headers['content-type'] ?? '');
  const isSse = contentType.includes('text/event-stream');
  const filter = f.stripUsage && isSse && up.statusCode < 400 ? new UsageChunkFilter() : null;
  const headers = responseHeaders(up.headers, { keepLength: filter === null });
  if (isSse) headers['x-accel-buffering'] = 'no';
  for (const name in f.extraHeaders) headers[name] = f.extraHeaders[name];
  res.writeHead(up.statusCode, headers);
  ctx.httpStatus = up.statusCode;
  const chunks: Buffer[] = [];
  try {
    await pump(up.body, res, (chunk) => {
      chunks.push(chunk);
      const out = filter ? filter.push(chunk) : chunk;
      if (out.length > 0) ctx.firstChunkWritten();
      return out;
    });
    ctx.upstreamFinished();
    const rest = filter?.end();
    if (rest && rest.length > 0) res.write(rest);
    res.end();
    ctx.responseBody = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    ctx.finish(up.statusCode >= 400 ? 'upstream_error' : 'success');
  } catch (err) {
    ctx.upstreamFinished();
    const failure = upstreamFailure(err, f.provider.name, f.signal.aborted || res.destroyed);
    ctx.responseBody = Buffer.concat(chunks);
    // Headers and part of the body are out: the only honest signal left is to cut the connection.
    res.destroy();
    up.body.destroy();
    ctx.finish(failure.status, failure.status === 'client_abort' ? failure.message : `${failure.message} mid-response`);
  }
}

/**
 * Copies the upstream body to the client chunk by chunk (each written as it arrives), pausing the
 * upstream while the client's socket is full. Event-driven rather than `for await`: no promise per chunk.
 */
function pump(body: Dispatcher.ResponseData['body'], res: ForwardRequest['res'], map: (chunk: Buffer) => string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    // Anonymous callbacks only: tsx keeps function names, and naming a closure costs a defineProperty per call.
    body.on('data', (chunk: Buffer) => {
      const out = map(chunk);
      if (out.length > 0 && !res.write(out)) {
        body.pause();
        res.once('drain', () => body.resume());
      }
    });
    body.once('end', resolve);
    body.once('error', reject);
    res.once('close', () => {
      if (!res.writableFinished) reject(Object.assign(new Error('client closed the connection'), { name: 'AbortError' }));
    });
  });
}
