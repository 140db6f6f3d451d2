import type { CallCapture } from '../core/call-capture.ts';
import type { CallRow } from '../db/index.ts';
import { dehydratePrompts, type PromptText } from './prompt-refs.ts';
import { estimateCost, type PriceLookup, type Usage } from './prices.ts';
import { readResponse } from './read-response.ts';

/** A database-ready record: the call row and the system prompts it references. JSON-safe for the spool. */
export interface FinalRecord {
  call: CallRow;
  prompts: PromptText[];
}

const keyLike = /\b(sk-(?:ant-|proj-)?[A-Za-z0-9_*-]{6,}|Bearer\s+[A-Za-z0-9._~+/=*-]{8,})/g;

/** Upstream error messages sometimes quote the key they were given (partly masked or not). */
export function redactKeys(text: string): string {
  return text.replace(keyLike, '[redacted]');
}

function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactKeys(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  return value;
}

function errorMessageOf(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const e = (body as Record<string, unknown>)['error'];
  if (e && typeof e === 'object' && typeof (e as Record<string, unknown>)['message'] === 'string') return (e as Record<string, string>)['message'] ?? null;
  if (typeof e === 'string') return e;
  return null;
}

export interface FinalizeResult {
  record: FinalRecord;
  usage: Usage;
  cost: number | null;
}

/** Turns what the hot path captured into a row: parses the response, usage, cost, prompt references. */
export function finalizeCapture(c: CallCapture, prices: PriceLookup): FinalizeResult {
  const read = readResponse(c.response.shape, c.response.stream, c.response.body);
  const { body: requestBody, prompts } = dehydratePrompts(c.request);
  const servedModel = c.servedModel ?? read.servedModel;
  const cost = estimateCost(prices(servedModel ?? c.requestedModel), read.usage);
  const failed = c.httpStatus >= 400;
  const error = c.error ?? (failed ? errorMessageOf(read.body) ?? `upstream answered ${c.httpStatus}` : null);
  const call: CallRow = {
    id: c.id,
    startedAt: new Date(c.startedAt),
    endedAt: new Date(c.endedAt),
    latencyMs: c.latencyMs,
    upstreamLatencyMs: c.upstreamLatencyMs,
    ttftMs: c.ttftMs,
    route: c.route,
    component: c.component,
    provider: c.provider,
    requestedModel: c.requestedModel,
    servedModel: read.servedModel ?? servedModel,
    status: c.status,
    httpStatus: c.httpStatus,
    stream: c.stream,
    finishReasons: read.finishReasons,
    inputTokens: read.usage.inputTokens,
    outputTokens: read.usage.outputTokens,
    totalTokens: read.usage.totalTokens,
    cachedTokens: read.usage.cachedTokens,
    costUsd: cost,
    systemPromptHash: prompts[0]?.hash ?? null,
    requestBody,
    responseBody: failed ? redactDeep(read.body) : read.body,
    error: error === null ? null : redactKeys(error).slice(0, 4000),
    sessionId: c.sessionId,
    userId: c.userId,
    properties: c.properties,
    clientKeyHash: c.clientKeyHash,
  };
  return { record: { call, prompts }, usage: read.usage, cost };
}

/** Spooled records come back as JSON: turn the date strings into Dates again. */
export function reviveRecord(raw: unknown): FinalRecord {
  const r = raw as FinalRecord;
  return {
    prompts: r.prompts,
    call: { ...r.call, startedAt: new Date(r.call.startedAt), endedAt: new Date(r.call.endedAt) },
  };
}
