import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { KeyMask } from '../../core/redact-keys.ts';
import { failureKindOf, isRetryableStatus, type Provider, responseHeaders, retryAfterMsOfHeaders, totalTimeoutError, upstreamFailure } from '../../providers/index.ts';
import { ANSWERED, finishWithFailure, type AttemptOptions, type AttemptResult } from './attempt-result.ts';
import type { CallContext } from './call-context.ts';
import type { ClientHangup } from './client-hangup.ts';
import type { ErrorDialect } from './respond.ts';
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
  /** The client going away aborts the upstream request. */
  hangup: ClientHangup;
  /** Drop the usage-only chunk the gateway asked for on the client's behalf. */
  stripUsage: boolean;
  dialect: ErrorDialect;
  /** Fixpoint's own response headers (call id, ...). */
  extraHeaders: OutgoingHttpHeaders;
  /** The key the call goes up with (the client's or the configured one): masked in what comes back, should the upstream quote it. */
  key: string | null;
}

/**
 * Transparent forwarding for a provider that speaks the client's dialect: the body goes up as given,
 * status, headers and bytes come back as the upstream sent them, each chunk written as it arrives.
 * A copy of the upstream bytes is kept for the record. With `o.hold`, a 429/5xx answer or a failure
 * before the response head is held back and returned as `failed` (another attempt may follow);
 * otherwise resolves once the call is recorded as finished.
 */
export function forwardRaw(f: ForwardRequest, o: AttemptOptions): Promise<AttemptResult> {
  f.ctx.upstreamStarted();
  return new Promise((resolve) => {
    f.provider.pool.dispatch(
      { path: f.provider.basePath + f.path, method: f.method, headers: f.headers, body: f.body, headersTimeout: o.headersMs, bodyTimeout: o.idleMs },
      new Relay(f, o, resolve),
    );
  });
}

/** A held-back upstream answer: status, headers and body, sent as they came if no other attempt follows. */
interface Held {
  status: number;
  headers: IncomingHttpHeaders;
}

function clientClosed(): Error {
  return Object.assign(new Error('client closed the connection'), { name: 'AbortError' });
}

/**
 * undici's dispatch handler for one forwarded call: the response's chunks go to the client's socket
 * straight from the HTTP parser, with no Readable, promise or AbortSignal per call in between
 * (bench/compare.ts; see the README's Benchmark section). A full client socket pauses the upstream
 * until it drains.
 */
class Relay implements Dispatcher.DispatchHandler {
  private readonly chunks: Buffer[] = [];
  private readonly mask: KeyMask | null;
  private filter: UsageChunkFilter | null = null;
  private responding = false;
  private settled = false;
  private held: Held | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly f: ForwardRequest,
    private readonly o: AttemptOptions,
    private readonly resolve: (r: AttemptResult) => void,
  ) {
    this.mask = KeyMask.for(f.key);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.f.hangup.onHangup(() => {
      if (!this.settled) controller.abort(clientClosed());
    });
    const total = this.o.totalMs;
    if (total !== null) {
      this.timer = setTimeout(() => {
        if (!this.settled) controller.abort(totalTimeoutError(total));
      }, total);
    }
  }

  private settle(r: AttemptResult): void {
    if (this.timer) clearTimeout(this.timer);
    this.resolve(r);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, upstreamHeaders: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // informational (100 Continue, 103 Early Hints): the final head follows
    const { ctx, res } = this.f;
    ctx.upstreamAnswered = true;
    if (this.o.hold && isRetryableStatus(statusCode)) {
      this.held = { status: statusCode, headers: upstreamHeaders };
      return;
    }
    const isSse = String(upstreamHeaders['content-type'] ?? '').includes('text/event-stream');
    this.filter = this.f.stripUsage && isSse && statusCode < 400 ? new UsageChunkFilter() : null;
    const headers = responseHeaders(upstreamHeaders, { keepLength: this.filter === null });
    if (isSse) headers['x-accel-buffering'] = 'no';
    for (const name in this.f.extraHeaders) headers[name] = this.f.extraHeaders[name];
    this.responding = true;
    ctx.httpStatus = statusCode;
    res.writeHead(statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const masked = this.mask ? this.mask.push(chunk) : chunk;
    if (masked.length === 0) return;
    this.chunks.push(masked);
    if (this.held) return;
    const out = this.filter ? this.filter.push(masked) : masked;
    if (out.length === 0) return;
    this.f.ctx.firstChunkWritten();
    const { res } = this.f;
    if (!res.write(out)) {
      controller.pause();
      res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    const { ctx, res } = this.f;
    ctx.upstreamFinished();
    if (this.held) {
      this.settleHeld(this.held);
      return;
    }
    const held = this.mask?.end();
    if (held && held.length > 0) {
      this.chunks.push(held);
      const out = this.filter ? this.filter.push(held) : held;
      if (out.length > 0) res.write(out);
    }
    const rest = this.filter?.end();
    if (rest && rest.length > 0) res.write(rest);
    res.end();
    ctx.responseBody = this.received();
    ctx.finish(ctx.httpStatus >= 400 ? 'upstream_error' : 'success');
    this.settle(ANSWERED);
  }

  /** The held-back 429/5xx: returned as a failure whose answer is the upstream's own, should no other attempt follow. */
  private settleHeld(h: Held): void {
    const rest = this.mask?.end();
    if (rest && rest.length > 0) this.chunks.push(rest);
    const body = this.received();
    const { ctx, res } = this.f;
    this.settle({
      kind: 'failed',
      failure: { kind: 'status', status: h.status, retryAfterMs: retryAfterMsOfHeaders(h.headers) },
      httpStatus: h.status,
      answer: () => {
        const headers = responseHeaders(h.headers, { keepLength: false });
        for (const name in this.f.extraHeaders) headers[name] = this.f.extraHeaders[name];
        headers['content-length'] = body.length;
        ctx.httpStatus = h.status;
        res.writeHead(h.status, headers);
        res.end(body);
        ctx.responseBody = body;
        ctx.finish('upstream_error');
      },
    });
  }

  /** The upstream's bytes as received, for the record. */
  private received(): Buffer {
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.settled) return;
    this.settled = true;
    const { ctx, res, hangup } = this.f;
    ctx.upstreamFinished();
    const failure = upstreamFailure(err, this.f.provider.name, hangup.happened || res.destroyed);
    if (!this.responding) {
      const send = (): void => finishWithFailure(ctx, res, failure, this.f.dialect, this.f.extraHeaders);
      if (this.o.hold && failure.status !== 'client_abort') {
        // A held 5xx whose body broke off is still that 5xx; otherwise the connection failed before any head.
        const h = this.held;
        this.settle(h ? { kind: 'failed', failure: { kind: 'status', status: h.status, retryAfterMs: retryAfterMsOfHeaders(h.headers) }, httpStatus: h.status, answer: send } : { kind: 'failed', failure: failureKindOf(err), httpStatus: null, answer: send });
        return;
      }
      send();
    } else {
      ctx.responseBody = this.received();
      // Headers and part of the body are out: the only honest signal left is to cut the connection.
      res.destroy();
      ctx.finish(failure.status, failure.status === 'client_abort' ? failure.message : `${failure.message} mid-response`);
    }
    this.settle(ANSWERED);
  }
}
