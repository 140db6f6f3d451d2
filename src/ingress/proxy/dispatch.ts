import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { AppError } from '../../core/errors.ts';
import { type CredentialHeader, forwardRequestHeaders, type Provider, type ResolvedModel } from '../../providers/index.ts';
import type { IngressDeps } from '../deps.ts';
import type { AttemptOptions, AttemptResult } from './attempt-result.ts';
import type { CallContext } from './call-context.ts';
import type { ClientHangup } from './client-hangup.ts';
import { forwardRaw } from './forward-raw.ts';
import type { ProxyRoute } from './routes.ts';
import { runTranslated } from './translated-call.ts';
import { chatToAnthropic, messagesToChat } from './translations.ts';

export interface DispatchInput {
  deps: IngressDeps;
  route: ProxyRoute;
  ctx: CallContext;
  res: ServerResponse;
  body: Record<string, unknown>;
  raw: Buffer;
  /** The body differs from `raw` (a prompt version was swapped in): send it re-serialized. */
  bodyChanged?: boolean;
  /** The client's own key (null: the provider's configured key serves the call). */
  key: string | null;
  /** The header the client's own key came in (forwarded as sent on the pass-through path). */
  credentialHeader: CredentialHeader | null;
  clientHeaders: IncomingHttpHeaders;
  hangup: ClientHangup;
  extraHeaders: Record<string, string>;
}

/** One model a call may be served by, with the key and credential header its attempt goes up with. */
export interface AttemptTarget {
  resolved: ResolvedModel;
  key: string;
  /** The client's own credential header, forwarded as sent (null: the provider's configured key). */
  credentialHeader: CredentialHeader | null;
}

/**
 * One attempt on one model: pass-through when the provider speaks the client's dialect, a translation
 * when it speaks the other one. On the pass-through path the client's own credential header goes up
 * as the client sent it; on a translation, and for the configured key, the key goes the provider's way.
 */
export async function attemptOn(d: DispatchInput, target: AttemptTarget, o: AttemptOptions): Promise<AttemptResult> {
  const { provider, upstreamModel } = target.resolved;
  const model = d.body['model'] as string;
  if (provider.kind === d.route.native) {
    d.ctx.responseShape = d.route.shape;
    const { payload, stripUsage } = upstreamPayload(d, provider, upstreamModel);
    return forwardRaw(
      {
        ctx: d.ctx,
        res: d.res,
        provider,
        hangup: d.hangup,
        extraHeaders: d.extraHeaders,
        path: d.route.path,
        method: 'POST',
        headers: forwardRequestHeaders(provider, d.clientHeaders, target.key, payload.length, target.credentialHeader),
        body: payload,
        key: target.key,
        stripUsage,
        dialect: d.route.dialect,
      },
      o,
    );
  }
  const call = { ctx: d.ctx, res: d.res, provider, key: target.key, clientHeaders: d.clientHeaders, signal: d.hangup.signal, extraHeaders: d.extraHeaders };
  if (d.route.name === 'chat.completions') {
    d.ctx.responseShape = 'openai.chat';
    return runTranslated(call, chatToAnthropic(d.body, upstreamModel, d.ctx.id, model, d.deps.registry.tokenLimits), o);
  }
  if (d.route.name === 'messages') {
    d.ctx.responseShape = 'anthropic.messages';
    return runTranslated(call, messagesToChat(d.body, upstreamModel, d.ctx.id, model, d.deps.registry.tokenLimits), o);
  }
  throw new AppError('unsupported', `model ${model} is served by provider ${provider.name} (${provider.kind}), which has no ${d.route.name} API`, { param: 'model' });
}

/** Whether a route can be served by a provider of this kind at all (natively or by translation). */
export function routeServes(route: ProxyRoute, provider: Provider): boolean {
  return provider.kind === route.native || route.name === 'chat.completions' || route.name === 'messages';
}

/**
 * The bytes to send upstream: the client's own bytes unless the model name must change (alias or
 * provider prefix) or a chat stream needs usage the client did not ask for (added here, stripped
 * from the client's copy of the stream).
 */
function upstreamPayload(d: DispatchInput, provider: Provider, upstreamModel: string): { payload: Buffer; stripUsage: boolean } {
  const wantsUsageAdded =
    d.route.name === 'chat.completions' &&
    provider.streamUsage &&
    d.body['stream'] === true &&
    (d.body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage !== true;
  if (!wantsUsageAdded && !d.bodyChanged && upstreamModel === d.body['model']) return { payload: d.raw, stripUsage: false };
  if (wantsUsageAdded && !d.bodyChanged && upstreamModel === d.body['model'] && d.body['stream_options'] === undefined) {
    const spliced = withUsageRequested(d.raw);
    if (spliced) return { payload: spliced, stripUsage: true };
  }
  const rewritten: Record<string, unknown> = { ...d.body, model: upstreamModel };
  if (wantsUsageAdded) {
    const existing = d.body['stream_options'];
    rewritten['stream_options'] = { ...(existing && typeof existing === 'object' ? existing : {}), include_usage: true };
  }
  return { payload: Buffer.from(JSON.stringify(rewritten)), stripUsage: wantsUsageAdded };
}

const USAGE_REQUESTED = Buffer.from('"stream_options":{"include_usage":true},');
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The client's bytes with `stream_options.include_usage` added as the object's first member, for a
 * body that has no `stream_options` (so no key is duplicated): no re-serialization of what may be a
 * long conversation. Null when the body does not start with an object holding at least one member.
 */
function withUsageRequested(raw: Buffer): Buffer | null {
  const open = skipJsonSpace(raw, 0);
  if (raw[open] !== OPEN_BRACE) return null;
  if (raw[skipJsonSpace(raw, open + 1)] === CLOSE_BRACE) return null; // {}: no member for the comma to precede
  return Buffer.concat([raw.subarray(0, open + 1), USAGE_REQUESTED, raw.subarray(open + 1)]);
}

/** The index of the first byte at or after `i` that is not JSON whitespace. */
function skipJsonSpace(raw: Buffer, i: number): number {
  while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x0a || raw[i] === 0x0d || raw[i] === 0x09)) i++;
  return i;
}
