import { createHmac, timingSafeEqual, createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { FOREIGN_PAGE_REASON, localTrust } from '../local-trust.ts';
import type { ConsoleEnv } from './context.ts';

export const SESSION_COOKIE = 'fixpoint_console';
/** How long a login lasts. */
export const SESSION_SECONDS = 12 * 3600;

type C = Context<ConsoleEnv>;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The cookie's MAC: HMAC-SHA256 keyed with the admin token over the expiry; the token itself never leaves the server. */
function mac(token: string, expires: number): string {
  return createHmac('sha256', token).update(`fixpoint-console-session:${expires}`).digest('base64url');
}

/** A session value: `<expiry, unix seconds>.<mac>`; a new token invalidates every session. */
export function sessionValue(token: string, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + SESSION_SECONDS;
  return `${expires}.${mac(token, expires)}`;
}

export function validSession(token: string, value: string | undefined, now = Date.now()): boolean {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!m) return false;
  const expires = Number(m[1]);
  if (expires * 1000 <= now) return false;
  return timingSafeEqual(Buffer.from(m[2]!), Buffer.from(mac(token, expires)));
}

export function tokenMatches(token: string, given: string): boolean {
  return timingSafeEqual(digest(given.trim()), digest(token));
}

/** Secure when the browser reached us over TLS (directly or through a proxy that says so). */
const secure = (c: C): boolean => c.req.url.startsWith('https:') || c.req.header('x-forwarded-proto') === 'https';

export function startSession(c: C, token: string): void {
  setCookie(c, SESSION_COOKIE, sessionValue(token), { httpOnly: true, sameSite: 'Strict', path: '/console', maxAge: SESSION_SECONDS, secure: secure(c) });
}

export function endSession(c: C): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/console', secure: secure(c) });
}

/** Who may see the console: with a token, a valid session cookie (or the Bearer header, for scripts); without, local clients only. */
export type Access = { ok: true; session: boolean } | { ok: false; reason: 'login' | 'remote' | 'foreign-page' };

export function consoleAccess(c: C, token: string | undefined): Access {
  if (token) {
    if (validSession(token, getCookie(c, SESSION_COOKIE))) return { ok: true, session: true };
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    if (bearer?.[1] && tokenMatches(token, bearer[1])) return { ok: true, session: false };
    return { ok: false, reason: 'login' };
  }
  const trust = localTrust(c.env.incoming.socket.remoteAddress, c.env.incoming.headers);
  return trust === 'local' ? { ok: true, session: false } : { ok: false, reason: trust };
}

export const refusalText: Record<'remote' | 'foreign-page', string> = {
  remote: 'The console answers loopback clients only unless FIXPOINT_ADMIN_TOKEN is set.',
  'foreign-page': `The console without FIXPOINT_ADMIN_TOKEN answers local clients only: ${FOREIGN_PAGE_REASON}.`,
};

/**
 * Cross-site request forgery guard for every POST (login included): the browser's `Origin` (or,
 * without it, the `Referer`) must be this very host, and `Sec-Fetch-Site`, when sent, same-origin.
 * A form on another site, or a request with neither header, is refused.
 */
export function sameOrigin(c: C): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const host = c.req.header('host');
  const from = c.req.header('origin') ?? c.req.header('referer');
  if (!host || !from || from === 'null') return false;
  try {
    return new URL(from).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Security headers of every console answer: no framing, no scripts, nothing cached, styles from here only. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('content-security-policy', "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  c.header('x-frame-options', 'DENY');
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
  if (!c.req.path.endsWith('.css')) c.header('cache-control', 'no-store');
};
