import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Dispatcher } from 'undici';
import type { Provider, ProviderRegistry } from './registry.ts';
import type { TokenLimits } from './token-limits.ts';
import { anthropicMessageToChatCompletion, chatRequestToAnthropic } from './translate/index.ts';
import { composedRequestHeaders, DEFAULT_ANTHROPIC_VERSION } from './upstream-headers.ts';
import { redactKeys as redactKnownKeys } from '../core/redact-keys.ts';

/** A failed gateway-made call: the provider's status (0 when no HTTP answer came), whether to retry, and when. */
export class UpstreamHttpError extends Error {
  readonly status: number;
  /** 408, 409, 429, 5xx, and network failures / timeouts (status 0). */
  readonly retryable: boolean;
  /** From `retry-after-ms` or `retry-after` (seconds or an HTTP date); null when the provider gave none. */
  readonly retryAfterMs: number | null;

  constructor(status: number, message: string, opts: { retryAfterMs?: number | null; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'UpstreamHttpError';
    this.status = status;
    this.retryable = isRetryableStatus(status);
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

export interface ChatCallResult {
  /** OpenAI's shape, also for Anthropic-served models. */
  completion: ChatCompletion;
  /** The provider's configured name. */
  provider: string;
  /** The model the upstream says answered (else the model it was asked for). */
  servedModel: string;
  latencyMs: number;
  usage: { inputTokens: number; outputTokens: number };
}

export interface CompleteChatOptions {
  /** Default: the provider's configured key. */
  apiKey?: string;
  signal?: AbortSignal;
  /** The whole call, answer read included (default 60 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Upstream error text without anything key-like (nor the key itself, whatever its shape). */
export function redactKeys(text: string, key: string | null): string {
  return redactKnownKeys(text, key);
}

/** Milliseconds to wait from `retry-after-ms`, or `retry-after` as seconds or an HTTP date. */
export function retryAfterMsOf(headers: Dispatcher.ResponseData['headers']): number | null {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = first(headers['retry-after']);
  if (after === undefined || after.trim() === '') return null;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(after);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function upstreamMessageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    const e = body?.error;
    if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') return (e as { message: string }).message;
    if (typeof e === 'string') return e;
    if (typeof body?.message === 'string') return body.message;
  } catch {
    // not JSON: the text itself
  }
  return text.trim() || 'no error message';
}

interface Route {
  path: string;
  body: object;
  toCompletion(json: unknown, upstreamModel: string): ChatCompletion;
}

/** What differs by provider kind: where the request goes, its body, and how the answer becomes a chat completion. */
const routes: Record<Provider['kind'], (req: ChatCompletionCreateParamsNonStreaming, upstreamModel: string, limits: TokenLimits) => Route> = {
  openai: (req, upstreamModel) => ({
    path: '/chat/completions',
    body: { ...req, model: upstreamModel },
    toCompletion: (json) => json as ChatCompletion,
  }),
  anthropic: (req, upstreamModel, limits) => ({
    path: '/messages',
    body: chatRequestToAnthropic(req, upstreamModel, { anthropicVersion: DEFAULT_ANTHROPIC_VERSION, defaultMaxTokens: limits.anthropicDefaultMaxTokens(upstreamModel) }),
    toCompletion: (json, model) => {
      const raw = json as Message;
      const msg: Message = raw.usage ? raw : { ...raw, usage: { input_tokens: 0, output_tokens: 0 } as Message['usage'] };
      const served = typeof msg.model === 'string' && msg.model ? msg.model : model;
      const id = typeof msg.id === 'string' ? `chatcmpl-${msg.id}` : `chatcmpl-${Date.now().toString(36)}`;
      return anthropicMessageToChatCompletion(msg, { id, model: served, created: Math.floor(Date.now() / 1000) });
    },
  }),
};

function isChatCompletion(v: unknown): v is ChatCompletion {
  return typeof v === 'object' && v !== null && Array.isArray((v as { choices?: unknown }).choices);
}

function isAnthropicMessage(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Array.isArray((v as { content?: unknown }).content);
}

/**
 * The gateway's own non-streaming chat call (judge, optimizer) to any configured model, through the
 * providers' pools and translations, like live traffic. Throws UpstreamHttpError on any failure to get
 * a chat completion; its message names the provider and never carries a key.
 */
export async function completeChat(
  registry: ProviderRegistry,
  req: ChatCompletionCreateParamsNonStreaming,
  opts: CompleteChatOptions = {},
): Promise<ChatCallResult> {
  const { provider, upstreamModel } = registry.resolve(req.model);
  const route = routes[provider.kind](req, upstreamModel, registry.tokenLimits);
  const { json, latencyMs } = await postProviderJson(provider, route.path, route.body, opts);
  const expected = provider.kind === 'anthropic' ? isAnthropicMessage(json) : isChatCompletion(json);
  if (!expected) throw new UpstreamHttpError(0, `provider ${provider.name} answered with a body that is not a ${provider.kind === 'anthropic' ? 'message' : 'chat completion'}`);
  const completion = route.toCompletion(json, upstreamModel);
  return {
    completion,
    provider: provider.name,
    servedModel: typeof completion.model === 'string' && completion.model ? completion.model : upstreamModel,
    latencyMs,
    usage: { inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0 },
  };
}

function networkError(err: unknown, providerName: string, callerAborted: boolean, timedOut: boolean): UpstreamHttpError {
  const code = (err as { code?: unknown })?.code;
  const what = callerAborted
    ? 'the call was aborted'
    : timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT'
      ? `timed out${typeof code === 'string' && code.startsWith('UND_ERR_') ? ` (${code})` : ''}`
      : `could not be reached or closed the connection${typeof code === 'string' ? ` (${code})` : ''}`;
  return new UpstreamHttpError(0, `provider ${providerName}: ${what}`, { cause: err });
}

/**
 * POSTs a JSON body to a provider path with the provider's headers and the given (or configured) key,
 * and returns the parsed answer (null when it is not JSON). Throws UpstreamHttpError for an HTTP error
 * or a network failure; its message names the provider and never carries a key.
 */
export async function postProviderJson(provider: Provider, path: string, body: object, opts: CompleteChatOptions = {}): Promise<{ json: unknown; latencyMs: number }> {
  const key = opts.apiKey ?? provider.apiKey ?? null;
  const payload = Buffer.from(JSON.stringify(body));
  const headers = composedRequestHeaders(provider, key, {}, payload.length);
  headers.accept = 'application/json';
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const started = performance.now();

  let status: number;
  let text: string;
  let retryAfterMs: number | null = null;
  try {
    const up = await provider.pool.request({ path: provider.basePath + path, method: 'POST', headers, body: payload, signal });
    status = up.statusCode;
    if (status >= 400) retryAfterMs = retryAfterMsOf(up.headers);
    text = await up.body.text();
  } catch (err) {
    throw networkError(err, provider.name, opts.signal?.aborted === true, timeout.aborted);
  }
  const latencyMs = performance.now() - started;
  if (status >= 400) {
    const message = redactKeys(upstreamMessageOf(text), key).slice(0, 500);
    throw new UpstreamHttpError(status, `provider ${provider.name} answered ${status}: ${message}`, { retryAfterMs });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { json, latencyMs };
}
