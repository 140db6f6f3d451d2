import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/index.ts';

export { recommendationMessage, recommendationView, webhookEventOf, type RecommendationView, type WebhookBody, type WebhookEvent } from './webhook-message.ts';

/** Where recommendations are posted; `secret` signs each body. */
export interface WebhookTarget {
  url: string;
  secret?: string | undefined;
  timeoutMs: number;
}

/** Values of `fixpoint_webhook_deliveries_total{outcome}`. */
export const webhookOutcomes = ['delivered', 'timeout', 'network_error', 'server_error', 'rejected'] as const;
export type WebhookOutcome = (typeof webhookOutcomes)[number];

/**
 * A delivery that did not land. `retryable` is false for a 4xx other than 408/429, or a 3xx (the
 * receiver refuses this body or moved; sending it again will not help): the job runner has no way to stop retries,
 * so a handler that wants to give up catches this, records it, and returns.
 * The message names the receiver's host and status, never the URL's path (Slack's carries its
 * token) nor the secret.
 */
export class WebhookDeliveryError extends Error {
  /** The receiver's HTTP status; 0 when none came (network error, timeout). */
  readonly status: number;
  readonly retryable: boolean;
  readonly outcome: Exclude<WebhookOutcome, 'delivered'>;

  constructor(outcome: Exclude<WebhookOutcome, 'delivered'>, status: number, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? {} : { cause: opts.cause });
    this.name = 'WebhookDeliveryError';
    this.outcome = outcome;
    this.status = status;
    this.retryable = outcome !== 'rejected';
  }
}

/** The webhook of the config, or null when none is set; FIXPOINT_WEBHOOK_SECRET overrides `retrain.webhook.secret`. */
export function webhookTarget(config: Config): WebhookTarget | null {
  const hook = config.file.retrain.webhook;
  if (!hook.url) return null;
  return { url: hook.url, secret: config.env.FIXPOINT_WEBHOOK_SECRET ?? hook.secret, timeoutMs: hook.timeoutMs };
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export function signWebhook(secret: string, timestamp: string | number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * For receivers: does `header` (x-fixpoint-signature) sign this timestamp and raw body? Compared in
 * constant time. With `toleranceSeconds`, a timestamp further than that from `nowMs` fails too (replays).
 */
export function verifySignature(
  secret: string,
  timestamp: string | number,
  body: string,
  header: string | null | undefined,
  opts: { toleranceSeconds?: number; nowMs?: number } = {},
): boolean {
  if (!header) return false;
  if (opts.toleranceSeconds !== undefined) {
    const ts = Number(timestamp);
    if (!Number.isFinite(ts) || Math.abs((opts.nowMs ?? Date.now()) / 1000 - ts) > opts.toleranceSeconds) return false;
  }
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the webhook';
  }
}

function networkCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' ? cause.code : 'fetch failed';
}

export interface DeliverOptions {
  /** Aborts the delivery too (the job's signal at shutdown). */
  signal?: AbortSignal;
  /** Clock for the timestamp header, ms. */
  now?: () => number;
}

/**
 * POSTs the body as JSON with `x-fixpoint-event` (body.event.type), `x-fixpoint-timestamp` (unix
 * seconds) and, when a secret is set, `x-fixpoint-signature`. Resolves on a 2xx; throws a
 * WebhookDeliveryError on a network error, the timeout, or any other status, so the job retries.
 */
export async function deliverWebhook(
  target: WebhookTarget,
  body: { event: { type: string } },
  fetchImpl: typeof fetch = fetch,
  opts: DeliverOptions = {},
): Promise<{ status: number; outcome: 'delivered' }> {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor((opts.now ?? Date.now)() / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'fixpoint-webhook',
    'x-fixpoint-event': body.event.type,
    'x-fixpoint-timestamp': timestamp,
  };
  if (target.secret) headers['x-fixpoint-signature'] = signWebhook(target.secret, timestamp, raw);
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const host = hostOf(target.url);
  let res: Response;
  let answer: string;
  try {
    res = await fetchImpl(target.url, { method: 'POST', headers, body: raw, signal, redirect: 'manual' });
    answer = await res.text();
  } catch (err) {
    if (timeout.aborted) throw new WebhookDeliveryError('timeout', 0, `webhook to ${host}: no answer within ${target.timeoutMs} ms`);
    if (opts.signal?.aborted) throw new WebhookDeliveryError('network_error', 0, `webhook to ${host}: aborted`);
    throw new WebhookDeliveryError('network_error', 0, `webhook to ${host}: ${networkCode(err)}`);
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status, outcome: 'delivered' };
  // 3xx are not followed (a signed body goes only where it was configured to) and, like most 4xx, will not change on a retry.
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  let said = answer.replace(/\s+/g, ' ').trim().slice(0, 120);
  if (target.secret) said = said.split(target.secret).join('[secret]');
  throw new WebhookDeliveryError(retryable ? 'server_error' : 'rejected', res.status, `webhook to ${host} answered ${res.status}${said ? `: ${said}` : ''}`);
}
