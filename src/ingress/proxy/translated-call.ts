import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { AppError } from '../../core/errors.ts';
import { redactExactKey } from '../../core/redact-keys.ts';
import { parseSseEvent, SseFramer } from '../../core/sse.ts';
import { composedRequestHeaders, failureKindOf, isRetryableStatus, type Provider, rateLimitHeaders, retryAfterMsOfHeaders, upstreamFailure } from '../../providers/index.ts';
import { ANSWERED, finishWithFailure, type AttemptOptions, type AttemptResult } from './attempt-result.ts';
import type { CallContext } from './call-context.ts';
import { sendError, sendJson, sseHeaders, write, type ErrorDialect } from './respond.ts';
import { readJson, sendComposed } from './upstream-json.ts';

/**
 * The parts of a translated call that differ by direction: how to turn the upstream's whole answer,
 * its error body and its stream events into the client's dialect.
 */
export interface Translation {
  dialect: ErrorDialect;
  /** Path under the provider base, e.g. "/messages". */
  path: string;
  body: object;
  stream: boolean;
  translateResponse(upstream: unknown): object;
  translateError(upstream: unknown): object;
  /** Stream: one upstream SSE event's parsed data in, SSE text for the client out (and objects to record). */
  createStream(): { push(data: unknown, event: string | null): StreamOut; finish(): StreamOut };
}

/** SSE text for the client, objects to record, and the upstream's error message if it sent an error event. */
export interface StreamOut {
  text: string;
  record: unknown[];
  error?: string;
}

export interface TranslatedCall {
  ctx: CallContext;
  res: ServerResponse;
  provider: Provider;
  key: string | null;
  clientHeaders: IncomingHttpHeaders;
  signal: AbortSignal;
  extraHeaders: OutgoingHttpHeaders;
}

/**
 * Calls a provider in its own dialect and answers the client in the client's, streaming or not.
 * With `o.hold`, a 429/5xx answer or a failure before the response head is held back and returned as
 * `failed` (another attempt may follow).
 */
export async function runTranslated(call: TranslatedCall, t: Translation, o: AttemptOptions): Promise<AttemptResult> {
  const { ctx, res } = call;
  const payload = Buffer.from(JSON.stringify(t.body));
  ctx.upstreamStarted();
  const sent = await sendComposed(call.provider, t.path, composedRequestHeaders(call.provider, call.key, call.clientHeaders, payload.length), payload, call.signal, o);
  if (!sent.ok) {
    ctx.upstreamFinished();
    const send = (): void => finishWithFailure(ctx, res, sent.failure, t.dialect, call.extraHeaders);
    if (o.hold && sent.failure.status !== 'client_abort') return { kind: 'failed', failure: failureKindOf(sent.err), httpStatus: null, answer: send };
    send();
    return ANSWERED;
  }
  const { up } = sent;
  ctx.upstreamAnswered = true;
  const headers = { ...rateLimitHeaders(up.headers), ...call.extraHeaders };
  if (o.hold && isRetryableStatus(up.statusCode)) {
    const held = await heldError(call, up, t);
    if (held) {
      sent.done();
      return held;
    }
  }
  ctx.httpStatus = up.statusCode;
  try {
    if (up.statusCode >= 400) {
      ctx.responseBody = sendJson(res, up.statusCode, t.translateError(await readJson(up, call.key)), headers);
      ctx.upstreamFinished();
      ctx.finish('upstream_error');
    } else if (t.stream && String(up.headers['content-type'] ?? '').includes('text/event-stream')) {
      await relayTranslatedStream(call, t, up, headers);
    } else {
      const body = t.translateResponse(await readJson(up, call.key));
      ctx.upstreamFinished();
      ctx.responseBody = body;
      if (t.stream) {
        throw new AppError('upstream_unreachable', `provider ${call.provider.name} answered a streaming request without a stream`);
      }
      sendJson(res, 200, body, headers);
      ctx.finish('success');
    }
  } catch (err) {
    finishFailed(call, t, err);
  } finally {
    sent.done();
  }
  return ANSWERED;
}

/** A 429/5xx answer read whole and held back; null when reading it failed (the caller answers as usual). */
async function heldError(call: TranslatedCall, up: Dispatcher.ResponseData, t: Translation): Promise<AttemptResult | null> {
  const { ctx, res } = call;
  let body: unknown;
  try {
    body = await readJson(up, call.key);
  } catch {
    return null;
  }
  ctx.upstreamFinished();
  const status = up.statusCode;
  return {
    kind: 'failed',
    failure: { kind: 'status', status, retryAfterMs: retryAfterMsOfHeaders(up.headers) },
    httpStatus: status,
    answer: () => {
      ctx.httpStatus = status;
      ctx.responseBody = sendJson(res, status, t.translateError(body), { ...rateLimitHeaders(up.headers), ...call.extraHeaders });
      ctx.finish('upstream_error');
    },
  };
}

async function relayTranslatedStream(call: TranslatedCall, t: Translation, up: Dispatcher.ResponseData, headers: OutgoingHttpHeaders): Promise<void> {
  const { ctx, res } = call;
  res.writeHead(200, { ...headers, ...sseHeaders });
  const framer = new SseFramer();
  const translator = t.createStream();
  const recorded: unknown[] = [];
  ctx.responseBody = recorded;
  let streamError: string | null = null;
  const emit = async (out: StreamOut) => {
    recorded.push(...out.record);
    if (out.error) streamError = out.error;
    if (out.text) {
      ctx.firstChunkWritten();
      const wait = write(res, out.text);
      if (wait) await wait;
    }
  };
  for await (const chunk of up.body as AsyncIterable<Buffer>) {
    for (const raw of framer.push(chunk)) {
      const ev = parseSseEvent(raw);
      if (!ev || ev.data === '[DONE]' || ev.data === '') continue;
      let data: unknown;
      try {
        data = JSON.parse(redactExactKey(ev.data, call.key));
      } catch {
        continue;
      }
      await emit(translator.push(data, ev.event));
    }
  }
  ctx.upstreamFinished();
  await emit(translator.finish());
  res.end();
  if (streamError) ctx.finish('upstream_error', streamError);
  else ctx.finish('success');
}

function finishFailed(call: TranslatedCall, t: Translation, err: unknown): void {
  const { ctx, res } = call;
  ctx.upstreamFinished();
  if (err instanceof AppError) {
    if (!res.headersSent) {
      ctx.httpStatus = err.status;
      ctx.responseBody = sendError(res, err, t.dialect);
    } else res.destroy();
    ctx.finish('upstream_error', err.message);
    return;
  }
  const failure = upstreamFailure(err, call.provider.name, call.signal.aborted || res.destroyed);
  if (!res.headersSent && failure.status !== 'client_abort') {
    ctx.httpStatus = failure.error.status;
    sendError(res, failure.error, t.dialect);
  } else res.destroy();
  ctx.finish(failure.status, failure.message);
}
