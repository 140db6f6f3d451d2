/** Answers in OpenAI's shapes: JSON, errors with param and code, cursor pages, multipart uploads. */
import type { ServerResponse } from 'node:http';
import { openaiHeaders, sendJson } from '../fake-upstream/index.ts';

export function sendOk(res: ServerResponse, body: unknown): void {
  sendJson(res, 200, body, openaiHeaders());
}

const typeByStatus: Record<number, string> = { 400: 'invalid_request_error', 401: 'invalid_request_error', 404: 'invalid_request_error', 500: 'server_error' };

export function sendError(res: ServerResponse, status: number, message: string, opts: { param?: string; code?: string } = {}): void {
  const body = { error: { message, type: typeByStatus[status] ?? 'invalid_request_error', param: opts.param ?? null, code: opts.code ?? null } };
  sendJson(res, status, body, openaiHeaders());
}

/** Thrown by handlers; the router answers it. */
export class WireError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * A cursor page over items held newest first: `after` (an id: the items older than it), `limit`
 * (default `defaultLimit`, 1 to 100). `withBounds` adds first_id / last_id (checkpoints' pages do).
 */
export function pageOf<T extends { id: string }>(newestFirst: T[], query: URLSearchParams, defaultLimit: number, withBounds = false): Record<string, unknown> {
  const limitText = query.get('limit');
  const limit = limitText === null ? defaultLimit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new WireError(400, `Invalid 'limit': ${limitText}. Expected an integer from 1 to 100.`, 'limit');
  const after = query.get('after');
  let start = 0;
  if (after !== null) {
    const i = newestFirst.findIndex((x) => x.id === after);
    if (i < 0) throw new WireError(400, `Invalid 'after': no such object ${after}.`, 'after');
    start = i + 1;
  }
  const data = newestFirst.slice(start, start + limit);
  const page: Record<string, unknown> = { object: 'list', data, has_more: start + limit < newestFirst.length };
  if (withBounds) {
    page['first_id'] = data[0]?.id ?? null;
    page['last_id'] = data.at(-1)?.id ?? null;
  }
  return page;
}

/** The parts of a multipart/form-data body (read by the fake upstream as UTF-8 text). */
export async function formOf(rawBody: string, contentType: string | undefined): Promise<FormData> {
  if (!contentType?.startsWith('multipart/form-data')) throw new WireError(400, 'Expected a multipart/form-data body.');
  try {
    return await new Response(rawBody, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new WireError(400, 'Could not parse the multipart/form-data body.');
  }
}
