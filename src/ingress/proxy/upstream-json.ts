import type { Dispatcher } from 'undici';
import { redactExactKey } from '../../core/redact-keys.ts';
import { type Provider, totalTimeoutError, upstreamFailure, type UpstreamFailure } from '../../providers/index.ts';

/**
 * A request the gateway composed (a translation), sent to the provider: the response, or how it failed.
 * `signal` is the client's hang-up; the attempt's own timeouts apply too (`done()` stops the total one
 * once the answer is read).
 */
export async function sendComposed(
  provider: Provider,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  signal: AbortSignal,
  t: { headersMs: number; idleMs: number; totalMs: number | null },
): Promise<{ ok: true; up: Dispatcher.ResponseData; done: () => void } | { ok: false; failure: UpstreamFailure; err: unknown }> {
  let timer: NodeJS.Timeout | null = null;
  let attemptSignal = signal;
  if (t.totalMs !== null) {
    const total = t.totalMs;
    const ac = new AbortController();
    const onClient = (): void => ac.abort(signal.reason);
    signal.addEventListener('abort', onClient, { once: true });
    timer = setTimeout(() => ac.abort(totalTimeoutError(total)), total);
    attemptSignal = ac.signal;
  }
  const done = (): void => {
    if (timer) clearTimeout(timer);
  };
  try {
    const up = await provider.pool.request({ path: provider.basePath + path, method: 'POST', headers, body, signal: attemptSignal, headersTimeout: t.headersMs, bodyTimeout: t.idleMs });
    return { ok: true, up, done };
  } catch (err) {
    done();
    return { ok: false, failure: upstreamFailure(err, provider.name, signal.aborted), err };
  }
}

/** Reads a whole upstream body as JSON (null when it is not JSON), with the call's key redacted should the upstream quote it. */
export async function readJson(up: Dispatcher.ResponseData, key: string | null): Promise<unknown> {
  const text = redactExactKey(await up.body.text(), key);
  try {
    return JSON.parse(text);
  } catch {
    return text ? { error: { message: text.slice(0, 2000) } } : null;
  }
}
