import { redactExactKey } from '../core/redact-keys.ts';
import { newUuidV7 } from '../core/ids.ts';
import { forwardRequestHeaders, upstreamFailure } from '../providers/index.ts';
import { clientCredentialOf, missingProviderKey } from './client-auth.ts';
import { keylessRefusal } from './local-trust.ts';
import type { IngressDeps } from './deps.ts';
import { CallContext } from './proxy/call-context.ts';
import type { NodeHandler } from './proxy/handle-proxy.ts';
import { sendError, sendJson } from './proxy/respond.ts';

interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** GET /v1/models: the default OpenAI-compatible upstream's models plus the configured aliases. */
export function createModelsHandler(deps: IngressDeps): NodeHandler {
  return async (req, res) => {
    const id = newUuidV7();
    const ctx = new CallContext(id, 'models', deps.recorder, deps.metrics);
    const headers = { 'x-fixpoint-call-id': id };
    ctx.responseShape = 'openai.models';
    const provider = deps.registry.providers.get('openai');
    const credential = clientCredentialOf(req.headers);
    const clientKey = credential?.key ?? null;
    const err = clientKey ? null : (keylessRefusal(req.socket.remoteAddress, req.headers) ?? (provider && !provider.apiKey ? missingProviderKey(provider) : null));
    if (err) {
      ctx.httpStatus = err.status;
      ctx.responseBody = sendError(res, err, 'openai', headers);
      ctx.finish('rejected', err.message);
      return;
    }
    ctx.provider = provider?.name ?? null;
    ctx.clientKeyHash = deps.hashKey(clientKey);
    const aliases: ModelEntry[] = Object.keys(deps.registry.aliases).map((alias) => ({ id: alias, object: 'model', created: 0, owned_by: 'fixpoint-alias' }));
    if (!provider) {
      ctx.httpStatus = 200;
      ctx.responseBody = sendJson(res, 200, { object: 'list', data: aliases }, headers);
      ctx.finish('success');
      return;
    }
    ctx.upstreamStarted();
    try {
      const key = clientKey ?? provider.apiKey ?? null;
      const up = await provider.pool.request({ path: `${provider.basePath}/models`, method: 'GET', headers: forwardRequestHeaders(provider, req.headers, key, null, credential?.header ?? null) });
      const text = redactExactKey(await up.body.text(), key);
      ctx.upstreamFinished();
      ctx.httpStatus = up.statusCode;
      if (up.statusCode >= 400) {
        ctx.responseBody = Buffer.from(text);
        res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type'] ?? 'application/json'), ...headers });
        res.end(text);
        ctx.finish('upstream_error');
        return;
      }
      const listed = JSON.parse(text) as { data?: ModelEntry[] };
      const body = { object: 'list', data: [...(listed.data ?? []), ...aliases] };
      ctx.responseBody = sendJson(res, 200, body, headers);
      ctx.finish('success');
    } catch (err) {
      ctx.upstreamFinished();
      const failure = upstreamFailure(err, provider.name, false);
      ctx.httpStatus = failure.error.status;
      ctx.responseBody = sendError(res, failure.error, 'openai', headers);
      ctx.finish(failure.status, failure.message);
    }
  };
}
