import type { CallCapture } from '../core/call-capture.ts';
import { getTableColumns } from 'drizzle-orm';
import { calls, type CallRow } from '../db/index.ts';
import { dehydratePrompts, dehydratePromptsInText, type PromptText } from '../prompts/index.ts';
import { estimateCost, type PriceLookup, type Usage } from '../providers/index.ts';
import { redactKeyPatterns } from '../core/redact-keys.ts';
import { readResponse, type ReadResponse } from './read-response.ts';
import { needsSanitizing, sanitizeForPostgres } from './sanitize.ts';

/**
 * A database-ready record: the call row already encoded as the text values of the batch insert's
 * parameters (one string or null per column, in `callColumns` order), the system prompts it
 * references, and the few fields the recorder looks at. Flat strings rather than an object graph,
 * so records waiting for their batch cost the garbage collector little. JSON-safe for the spool.
 */
export interface FinalRecord {
  id: string;
  component: string;
  startedAt: number;
  clientKeyHash: string | null;
  provider: string | null;
  model: string | null;
  /** The calls row as Postgres text input, one entry per `callColumns` column. */
  values: (string | null)[];
  prompts: PromptText[];
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The calls columns a record provides (the rest, inserted_at, take their defaults). */
export const callColumns: (keyof CallRow)[] = [
  'id', 'startedAt', 'endedAt', 'latencyMs', 'upstreamLatencyMs', 'ttftMs', 'route', 'component', 'provider',
  'requestedModel', 'servedModel', 'status', 'httpStatus', 'stream', 'finishReasons', 'inputTokens', 'outputTokens',
  'totalTokens', 'cachedTokens', 'costUsd', 'systemPromptHash', 'requestBody', 'responseBody', 'error', 'sessionId',
  'userId', 'properties', 'clientKeyHash', 'promptVersionId', 'attempts',
];
export const callColumnNames = callColumns.map(snake);
/** Their SQL types, from the schema (the batch insert casts its text parameters to them). */
export const callColumnTypes = callColumns.map((c) => getTableColumns(calls)[c].getSQLType());
/** Which of them are json or jsonb (their values are JSON text). */
export const callJsonColumns = callColumnTypes.map((t) => t === 'jsonb' || t === 'json');

/** An element of a Postgres array literal: NULL, or the value double-quoted with `"` and `\` escaped. */
export function arrayElement(v: string | null): string {
  if (v === null) return 'NULL';
  return /["\\]/.test(v) ? `"${v.replace(/["\\]/g, '\\$&')}"` : `"${v}"`;
}

/** A JSON value already serialized (a response body as received): stored as this text. */
class JsonText {
  constructor(readonly text: string) {}
}

/** An escaped NUL or surrogate in JSON text: a candidate for what `jsonb` (and `->>` on `json`) refuses. */
const escapedUnsafe = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * JSON text as stored: unchanged, unless it escapes a NUL or a lone surrogate. `json` columns would
 * take those, but a cast to jsonb or a `->>` on them fails, so the stored copy gets U+FFFD instead,
 * as the text columns do. Paired surrogates (escaped emoji) are parsed and found fine.
 */
export function storableJson(text: string): string {
  if (!text.includes('\\u') || !escapedUnsafe.test(text)) return text;
  const value: unknown = JSON.parse(text);
  return needsSanitizing(value) ? JSON.stringify(sanitizeForPostgres(value)) : text;
}

function encodeValue(column: number, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof JsonText) return storableJson(v.text);
  if (callJsonColumns[column]) return storableJson(JSON.stringify(v));
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `{${(v as string[]).map(arrayElement).join(',')}}`;
  return String(v);
}

/** The row as the text values the batch insert sends, in `callColumns` order. */
export function encodeCall(row: CallRow): (string | null)[] {
  return callColumns.map((c, i) => encodeValue(i, row[c]));
}

function toRecord(call: CallRow, prompts: PromptText[]): FinalRecord {
  return {
    id: call.id,
    component: call.component,
    startedAt: (call.startedAt as Date).getTime(),
    clientKeyHash: call.clientKeyHash ?? null,
    provider: call.provider ?? null,
    model: call.servedModel ?? call.requestedModel ?? null,
    values: encodeCall(call),
    prompts,
  };
}

/** Upstream error messages sometimes quote a key (partly masked or not): the pattern net (the exact key was masked on the hot path). */
export function redactKeys(text: string): string {
  return redactKeyPatterns(text);
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
  /** The response as read back, and the error as stored (keys redacted): what a call span is built from. */
  response: ReadResponse;
  error: string | null;
  /** The response body as stored, parsed (redacted for a failed call): what detection reads back. */
  responseView: unknown;
}

/** Turns what the hot path captured into a row: parses the response, usage, cost, prompt references. */
export function finalizeCapture(c: CallCapture, prices: PriceLookup): FinalizeResult {
  const read = readResponse(c.response.shape, c.response.stream, c.response.body);
  const { body: requestBody, prompts } = dehydratePrompts(c.request);
  const requestText = c.requestText ? dehydratePromptsInText(c.requestText, prompts) : null;
  const servedModel = c.servedModel ?? read.servedModel;
  const cost = estimateCost(prices(servedModel ?? c.requestedModel), read.usage);
  const failed = c.httpStatus >= 400;
  const redacted = failed ? redactDeep(read.body) : undefined;
  const error = c.error ?? (failed ? errorMessageOf(read.body) ?? `upstream answered ${c.httpStatus}` : null);
  const call = callRow(c, {
    servedModel: read.servedModel ?? servedModel,
    finishReasons: read.finishReasons,
    inputTokens: read.usage.inputTokens,
    outputTokens: read.usage.outputTokens,
    totalTokens: read.usage.totalTokens,
    cachedTokens: read.usage.cachedTokens,
    costUsd: cost,
    systemPromptHash: prompts[0]?.hash ?? null,
    requestBody: requestText !== null ? new JsonText(requestText) : requestBody,
    responseBody: failed ? redacted : read.json !== undefined ? new JsonText(read.json) : read.body,
    error: error === null ? null : redactKeys(error).slice(0, 4000),
  });
  return { record: toRecord(call, prompts), usage: read.usage, cost, response: read, error: call.error ?? null, responseView: failed ? redacted : read.body };
}

/** The columns a call's record derives from what came back (the rest the capture carries as they are). */
type DerivedFields = Pick<
  Required<CallRow>,
  'servedModel' | 'finishReasons' | 'inputTokens' | 'outputTokens' | 'totalTokens' | 'cachedTokens' | 'costUsd' | 'systemPromptHash' | 'requestBody' | 'responseBody' | 'error'
>;

/**
 * The row: the capture's own columns (ids, times, route, models asked for, status, metadata) and
 * the derived ones, written as one literal. Not `{ ...captured, ...derived }`: a spread followed by
 * a score of properties made V8 build the row property by property, about 20 µs per call in the
 * recorder's thread, more than reading the response and encoding the row together.
 */
function callRow(c: CallCapture, d: DerivedFields): Required<Omit<CallRow, 'insertedAt'>> {
  return {
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
    servedModel: d.servedModel,
    status: c.status,
    httpStatus: c.httpStatus,
    stream: c.stream,
    finishReasons: d.finishReasons,
    inputTokens: d.inputTokens,
    outputTokens: d.outputTokens,
    totalTokens: d.totalTokens,
    cachedTokens: d.cachedTokens,
    costUsd: d.costUsd,
    systemPromptHash: d.systemPromptHash,
    requestBody: d.requestBody,
    responseBody: d.responseBody,
    error: d.error,
    sessionId: c.sessionId,
    userId: c.userId,
    properties: c.properties,
    clientKeyHash: c.clientKeyHash,
    promptVersionId: c.promptVersionId ?? null,
    attempts: c.attempts ?? null,
  };
}

/** Why a record lost its bodies, as stored in its `error` column (after the call's own error, if any). */
function minimalError(callError: string | null, reason: string): string {
  const note = `record stored without its bodies: ${reason}`;
  return redactKeys(callError ? `${callError}; ${note}` : note).slice(0, 4000);
}

/** A short reason from whatever was thrown (no stack, bounded). */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, 300);
}

/**
 * The minimal form of a call that could not be finalized (a body nested too deeply to encode, say):
 * ids, times, route, component, provider, models, status, metadata and the error, without the bodies,
 * usage or cost. Built from the capture's flat fields only, so it cannot fail the way the full form did.
 */
export function minimalRecord(c: CallCapture, reason: string): FinalRecord {
  const none = { inputTokens: null, outputTokens: null, totalTokens: null, cachedTokens: null, costUsd: null, systemPromptHash: null, requestBody: null, responseBody: null };
  const call = callRow(c, { ...none, servedModel: c.servedModel, finishReasons: [], error: minimalError(c.error, reason) });
  let values: (string | null)[];
  try {
    values = encodeCall(call);
  } catch {
    values = encodeCall({ ...call, properties: {} });
  }
  return { id: c.id, component: c.component, startedAt: c.startedAt, clientKeyHash: c.clientKeyHash, provider: c.provider, model: c.servedModel ?? c.requestedModel, values, prompts: [] };
}

/** The minimal form of a finalized record the database refused even cleaned (or that could not be cleaned): its JSON bodies dropped. */
export function minimalOf(r: FinalRecord, reason: string): FinalRecord {
  const errorAt = callColumns.indexOf('error');
  const dropped = new Set<keyof CallRow>(['requestBody', 'responseBody', 'systemPromptHash']);
  const values = r.values.map((v, i) => (i === errorAt ? minimalError(v, reason) : dropped.has(callColumns[i] as keyof CallRow) ? null : v));
  return { ...r, values, prompts: [] };
}

/**
 * Spooled records come back as parsed JSON, already in their stored form. Records spooled by an
 * earlier version carry the row as one JSON object (`callJson`) and are converted.
 */
export function reviveRecord(raw: unknown): FinalRecord {
  const r = raw as FinalRecord & { callJson?: unknown };
  if (typeof r?.id !== 'string') throw new Error('spooled record has an unknown shape');
  if (Array.isArray(r.values) && r.values.length === callColumns.length) return r;
  // Spooled before columns were added at the end (attempts): those columns are null.
  if (Array.isArray(r.values) && r.values.length < callColumns.length && r.values.length >= callColumns.indexOf('attempts')) {
    return { ...r, values: [...r.values, ...new Array<null>(callColumns.length - r.values.length).fill(null)] };
  }
  if (typeof r.callJson === 'string') {
    const row = JSON.parse(r.callJson) as Record<string, unknown>;
    const { callJson: _legacy, ...rest } = r;
    return { ...rest, values: callColumnNames.map((name, i) => encodeValue(i, row[name])) };
  }
  throw new Error('spooled record has an unknown shape');
}

/** The record with NUL bytes and lone surrogates replaced in its stored copy (after the database refused it). */
export function cleanRecord(r: FinalRecord, clean: <T>(v: T) => T): FinalRecord {
  const values = r.values.map((v, i) => (v === null ? null : callJsonColumns[i] ? JSON.stringify(clean(JSON.parse(v) as unknown)) : clean(v)));
  return { ...r, values, prompts: clean(r.prompts) };
}
