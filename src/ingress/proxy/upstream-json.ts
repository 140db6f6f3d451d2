import type { Dispatcher } from 'undici';
import { redactExactKey } from '../../core/redact-keys.ts';
import { type Provider, upstreamFailure, type UpstreamFailure } from '../../providers/index.ts';

/** A request the gateway composed (a translation), sent to the provider: the response, or how it failed. */
export async function sendComposed(
  provider: Provider,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  signal: AbortSignal,
): Promise<{ ok: true; up: Dispatcher.ResponseData } | { ok: false; failure: UpstreamFailure }> {
  try {
    const up = await provider.pool.request({ path: provider.basePath + path, method: 'POST', headers, body, signal });
    return { ok: true, up };
  } catch (err) {
    return { ok: false, failure: upstreamFailure(err, provider.name, signal.aborted) };
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
