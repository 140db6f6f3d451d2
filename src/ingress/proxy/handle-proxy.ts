import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../../core/errors.ts';
import { newUuidV7 } from '../../core/ids.ts';
import { findNestingPastLimit } from '../../core/json-depth.ts';
import { callMetadata } from '../call-metadata.ts';
import { clientCredentialOf } from '../client-auth.ts';
import { createComponentResolver } from '../component.ts';
import { keylessRefusal } from '../local-trust.ts';
import type { IngressDeps } from '../deps.ts';
import { parseJsonObject, readBody } from '../read-body.ts';
import { CallContext } from './call-context.ts';
import { ClientHangup } from './client-hangup.ts';
import { applyPromptVersion } from './apply-prompt.ts';
import { dispatch } from './upstream-attempts.ts';
import { sendError } from './respond.ts';
import type { ProxyRoute } from './routes.ts';

/** A handler on Node's own request and response: the proxy routes write straight to the socket. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Refuses new calls while they could not be recorded (database down and spool unwritable).
 * Draining does not refuse: during the shutdown grace period the load balancer may still send
 * calls, and they are served; /readyz is what tells it to stop.
 */
export function admissionError(deps: IngressDeps): AppError | null {
  if (!deps.recorder.accepting) {
    deps.metrics.recordRejections.inc();
    return new AppError('overloaded', 'gateway cannot record calls right now (storage unavailable); retry shortly', { headers: { 'retry-after': '5' } });
  }
  return null;
}

function checkRequired(route: ProxyRoute, body: Record<string, unknown>): void {
  const model = body['model'];
  if (typeof model !== 'string' || model.trim() === '') throw new AppError('invalid_request', 'model is required and must be a non-empty string', { param: 'model' });
  for (const { field, type } of route.required) {
    const v = body[field];
    if (v === undefined || (type === 'array' && !Array.isArray(v)) || (type === 'string' && typeof v !== 'string')) {
      throw new AppError('invalid_request', `${field} is required${type === 'any' ? '' : ` and must be ${type === 'array' ? 'an array' : 'a string'}`}`, { param: field });
    }
  }
}

/**
 * Refuses a body that nests deeper than the limit, before it is parsed: a record nested thousands of
 * levels deep overflows the stack of whatever walks it later (encoding, cleaning, the upstream).
 */
function checkDepth(raw: Buffer, maxDepth: number): void {
  if (maxDepth === 0) return;
  const past = findNestingPastLimit(raw, maxDepth);
  if (past === null) return;
  const where = past.topLevelKey === null ? '' : ` (in ${past.topLevelKey})`;
  throw new AppError('invalid_request', `request body nests deeper than ${maxDepth} levels${where}; this gateway accepts at most ${maxDepth} (FIXPOINT_MAX_JSON_DEPTH)`, {
    ...(past.topLevelKey === null ? {} : { param: past.topLevelKey }),
  });
}

/**
 * A compressed request body is refused by name: the gateway reads bodies as they are, so a gzip body
 * would fail as "not valid JSON" here, or, were it forwarded with its Content-Encoding, upstream.
 */
function checkEncoding(encoding: string | string[] | undefined): void {
  if (encoding === undefined || encoding === '' || encoding === 'identity') return;
  throw new AppError('unsupported', `Content-Encoding ${String(encoding)} is not supported on request bodies; send the body uncompressed`);
}

/** The hot path for every proxied POST route: admit, read, route, forward, record. */
export function createProxyHandler(deps: IngressDeps, route: ProxyRoute): NodeHandler {
  const resolveComponent = createComponentResolver();
  const limit = deps.config.env.FIXPOINT_MAX_BODY_BYTES;
  const maxDepth = deps.config.env.FIXPOINT_MAX_JSON_DEPTH;
  return async (req, res) => {
    const refused = admissionError(deps);
    if (refused) {
      req.resume();
      sendError(res, refused, route.dialect);
      return;
    }
    const id = newUuidV7();
    const ctx = new CallContext(id, route.name, deps.recorder, deps.metrics);
    const extraHeaders = { 'x-fixpoint-call-id': id };
    const hangup = new ClientHangup(res);
    let raw: Buffer | null = null;
    try {
      raw = await readBody(req, limit);
      checkEncoding(req.headers['content-encoding']);
      checkDepth(raw, maxDepth);
      const body = parseJsonObject(raw);
      ctx.receivedRequest(body, raw);
      checkRequired(route, body);
      const meta = callMetadata(req.headers);
      ctx.sessionId = meta.sessionId;
      ctx.userId = meta.userId;
      ctx.properties = meta.properties;
      ctx.component = resolveComponent(req.headers['x-fixpoint-component'] as string | undefined, body);
      ctx.stream = body['stream'] === true;
      const credential = clientCredentialOf(req.headers);
      const key = credential?.key ?? null;
      const refusal = key ? null : keylessRefusal(req.socket.remoteAddress, req.headers);
      if (refusal) throw refusal;
      ctx.clientKeyHash = deps.hashKey(key);
      const swapped = applyPromptVersion(deps.prompts, deps.metrics, route, ctx, body, req.headers, extraHeaders);
      await dispatch({
        deps, route, ctx, res, body: swapped ?? body, raw, bodyChanged: swapped !== null, key, credentialHeader: credential?.header ?? null,
        clientHeaders: req.headers, hangup, extraHeaders,
      });
    } catch (err) {
      failBeforeUpstream(deps, ctx, res, route, err, raw, extraHeaders);
    }
  };
}

function failBeforeUpstream(
  deps: IngressDeps,
  ctx: CallContext,
  res: ServerResponse,
  route: ProxyRoute,
  err: unknown,
  raw: Buffer | null,
  extraHeaders: Record<string, string>,
): void {
  const appErr = err instanceof AppError ? err : new AppError('internal', 'internal gateway error');
  if (!(err instanceof AppError)) deps.logger.error({ err, callId: ctx.id }, 'unexpected error on the proxy path');
  if (ctx.request === null && raw && raw.length > 0) ctx.request = { unparsed: raw.subarray(0, 65_536).toString('utf8') };
  ctx.httpStatus = appErr.status;
  if (!res.headersSent) ctx.responseBody = sendError(res, appErr, route.dialect, extraHeaders);
  else res.destroy();
  ctx.finish(err instanceof AppError ? 'rejected' : 'gateway_error', appErr.message);
}
