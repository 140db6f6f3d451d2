/**
 * A fake LLM upstream on 127.0.0.1 with real sockets: OpenAI chat completions, responses,
 * embeddings, models, and Anthropic messages. What it answers is decided by directives in the
 * last user message (see reply-plan.ts) or by one-shot scripts queued with `enqueue`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleMessages } from './anthropic-messages.ts';
import { anthropicError, delay, openaiError, openaiHeaders, sendJson, type Exchange } from './http-io.ts';
import { handleChatCompletions } from './openai-chat.ts';
import { handleEmbeddings, handleModels } from './openai-misc.ts';
import { handleResponses } from './openai-responses.ts';
import { isRecord } from './reply-plan.ts';
import { answerScript } from './script.ts';
import type { FakeResponder, FakeScript, FakeUpstream, FakeUpstreamOptions, RecordedRequest } from './types.ts';

export type { FakeResponder, FakeRoute, FakeScript, FakeUpstream, FakeUpstreamOptions, RecordedRequest, SseChunk } from './types.ts';
export { openaiHeaders, sendJson } from './http-io.ts';
export { textReply, textOf, isRecord, type ReplyPlan } from './reply-plan.ts';
export { embeddingOf, EMBEDDING_DIM, FAKE_MODELS } from './openai-misc.ts';

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function credentialOf(req: IncomingMessage): string | null {
  const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '');
  const apiKey = req.headers['x-api-key'];
  return bearer?.[1] ?? (typeof apiKey === 'string' ? apiKey : null);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): unknown {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

async function route(ex: Exchange, rec: RecordedRequest, pathname: string, responder: FakeResponder | undefined): Promise<void> {
  const { method, body } = rec;
  if (method === 'GET' && pathname === '/v1/models') return handleModels(ex);
  const isAnthropic = pathname === '/v1/messages';
  const known = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/v1/messages'].includes(pathname);
  if (method !== 'POST' || !known) {
    const message = `Unknown request URL: ${method} ${pathname}`;
    return sendJson(ex.res, 404, isAnthropic ? anthropicError(404, message) : openaiError(404, message), openaiHeaders());
  }
  if (!isRecord(body)) {
    const message = 'We could not parse the JSON body of your request.';
    return sendJson(ex.res, 400, isAnthropic ? anthropicError(400, message) : openaiError(400, message), openaiHeaders());
  }
  switch (pathname) {
    case '/v1/chat/completions': return handleChatCompletions(ex, body, responder?.chat?.bind(responder));
    case '/v1/responses': return handleResponses(ex, body);
    case '/v1/embeddings': return handleEmbeddings(ex, body, responder?.embed?.bind(responder));
    default: return handleMessages(ex, rec.headers, body);
  }
}

export async function startFakeUpstream(opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const scripts: FakeScript[] = [];
  const keep = opts.record !== false;
  let abortedCount = 0;
  let closing = false;

  const takeScript = (method: string, pathname: string): FakeScript | undefined => {
    const i = scripts.findIndex((s) => (!s.method || s.method === method) && (!s.path || s.path === pathname));
    return i < 0 ? undefined : scripts.splice(i, 1)[0];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let selfDestroyed = false;
    const ex: Exchange = { res, markSelfDestroyed: () => (selfDestroyed = true), credential: credentialOf(req) };
    res.on('close', () => {
      if (!res.writableFinished && !selfDestroyed && !closing) abortedCount++;
    });
    const rawBody = await readBody(req);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const rec: RecordedRequest = { method, path, headers: headersOf(req), body: parseJson(rawBody), rawBody, at: Date.now() };
    if (keep) requests.push(rec);
    const pathname = path.split('?', 1)[0] ?? path;
    const script = takeScript(method, pathname);
    if (script) return answerScript(ex, script);
    if (opts.route && (await opts.route(rec, res, pathname))) return;
    return route(ex, rec, pathname, opts.responder);
  };

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, openaiError(500, 'fake upstream failure'), {});
      else res.destroy();
    });
  });
  server.headersTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    requests,
    enqueue: (script) => void scripts.push(script),
    aborted: () => abortedCount,
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.race([closed, delay(2_000)]);
    },
  };
}
