import type { HttpBindings } from '@hono/node-server';

/** The Hono app that serves /api (the whole gateway app): the console asks it in-process. */
export interface ApiTarget {
  request(input: string, init: RequestInit, env: HttpBindings): Response | Promise<Response>;
}

/** An answer of the admin API other than 2xx, with the API's own message (OpenAI's error shape). */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export type Query = Record<string, string | number | undefined | null>;

/** The admin API as the console uses it: JSON in and out (snake_case keys, ISO times, as the API answers). */
export interface ConsoleApi {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: Record<string, unknown>): Promise<T>;
  /** The raw answer (a file download), not parsed. */
  raw(path: string): Promise<Response>;
}

/** `?a=1&b=2` of the set, non-empty values only ('' for none). */
export function queryString(query: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * The admin API for one console request: the same routes, validation and auth as over HTTP (with
 * FIXPOINT_ADMIN_TOKEN the console, which checked its own session, sends the token; without it the
 * API checks the same loopback socket the console did). One data path: no query of the console's own.
 */
export function apiFor(env: HttpBindings, target: ApiTarget, token: string | undefined): ConsoleApi {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => {
    const h: Record<string, string> = { ...extra };
    if (token) h['authorization'] = `Bearer ${token}`;
    return h;
  };
  const call = async (path: string, init: RequestInit): Promise<unknown> => {
    const res = await target.request(`/api${path}`, init, env);
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok) throw new ApiError(res.status, errorMessage(body) ?? `the admin API answered ${res.status}`);
    return body;
  };
  return {
    get: async <T>(path: string, query?: Query) => (await call(`${path}${queryString(query)}`, { headers: headers() })) as T,
    post: async <T>(path: string, body: Record<string, unknown> = {}) =>
      (await call(path, { method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) })) as T,
    raw: async (path: string) => {
      const res = await target.request(`/api${path}`, { headers: headers() }, env);
      if (!res.ok) throw new ApiError(res.status, errorMessage(await res.json().catch(() => null)) ?? `the admin API answered ${res.status}`);
      return res;
    },
  };
}

function errorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as { error?: { message?: unknown } }).error;
    if (typeof e?.message === 'string') return e.message;
  }
  return undefined;
}
