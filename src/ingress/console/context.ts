import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { ApiError, type ConsoleApi } from './api-client.ts';
import type { Html } from './format.ts';
import { page, type Flash, type PageOptions } from './layout.ts';

export interface ConsoleView {
  api: ConsoleApi;
  /** Logged in with a session cookie (the page offers logout). */
  session: boolean;
}

export type ConsoleEnv = { Bindings: HttpBindings; Variables: { view: ConsoleView } };
export type ConsoleContext = Context<ConsoleEnv>;

const FLASH_COOKIE = 'fixpoint_flash';

/** The message of the action just taken, shown once on the page it redirects to (a short-lived cookie). */
export function setFlash(c: Context, flash: Flash): void {
  setCookie(c, FLASH_COOKIE, Buffer.from(JSON.stringify(flash)).toString('base64url'), { httpOnly: true, sameSite: 'Strict', path: '/console', maxAge: 60 });
}

function takeFlash(c: Context): Flash | null {
  const raw = getCookie(c, FLASH_COOKIE);
  if (!raw) return null;
  deleteCookie(c, FLASH_COOKIE, { path: '/console' });
  try {
    const f = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Flash>;
    return (f.kind === 'ok' || f.kind === 'error') && typeof f.text === 'string' ? { kind: f.kind, text: f.text.slice(0, 2000) } : null;
  } catch {
    return null;
  }
}

/** A whole console page. */
export function render(c: ConsoleContext, o: Omit<PageOptions, 'flash' | 'session'>, content: Html, status: 200 | 400 | 401 | 403 | 404 | 500 | 503 = 200): Response | Promise<Response> {
  return c.html(page({ ...o, flash: takeFlash(c), session: c.get('view')?.session ?? false }, content), status);
}

/** A GET page whose admin API answer was an error: the API's status and message. */
export function renderApiError(c: ConsoleContext, err: ApiError): Response | Promise<Response> {
  const status = ([400, 403, 404, 503] as const).find((s) => s === err.status) ?? 500;
  return render(c, { title: status === 404 ? 'Not found' : 'Something went wrong' }, html`<p class="flash flash-error">${err.message}</p><p><a href="/console">Back to the console</a></p>`, status);
}

/** Wraps a page handler: an admin API error becomes an error page instead of a stack trace. */
export function pageHandler(handler: (c: ConsoleContext) => Promise<Response>): (c: ConsoleContext) => Promise<Response> {
  return async (c) => {
    try {
      return await handler(c);
    } catch (err) {
      if (err instanceof ApiError) return renderApiError(c, err);
      throw err;
    }
  };
}

/** A string of a query or form field ('' for none). */
export function field(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}
