import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '../core/errors.ts';
import { isLoopback } from './client-auth.ts';

/**
 * Whether a request may use what the gateway grants local clients (the configured keys for keyless
 * calls, the admin API without a token):
 *
 * - `local`: a loopback socket, a `Host` that is a loopback name or address, and nothing that says a
 *   web page of another origin sent it;
 * - `remote`: not a loopback socket;
 * - `foreign-page`: a loopback socket, but either through a host name that is not loopback (DNS
 *   rebinding: a page of `evil.example` whose name now resolves to 127.0.0.1; or a reverse proxy on
 *   the same machine) or sent by a web page of a non-loopback origin (`Origin`, or
 *   `Sec-Fetch-Site: cross-site`): a cross-site request forgery.
 */
export type LocalTrust = 'local' | 'remote' | 'foreign-page';

export function localTrust(address: string | undefined, headers: IncomingHttpHeaders): LocalTrust {
  if (!isLoopback(address)) return 'remote';
  if (!isLoopbackHost(headers['host'])) return 'foreign-page';
  const origin = headers['origin'];
  if (origin !== undefined && !isLoopbackOrigin(origin)) return 'foreign-page';
  if (headers['sec-fetch-site'] === 'cross-site') return 'foreign-page';
  return 'local';
}

/** What a refused `foreign-page` request is told. */
export const FOREIGN_PAGE_REASON =
  'a request through a non-loopback Host name, or from a web page of another origin, is not trusted as local (DNS rebinding and cross-site request protection)';

/** Characters a Host header may hold (a name, an IPv4 address, a bracketed IPv6 address, a port). */
const HOST_CHARS = /^[A-Za-z0-9.\-[\]:]+$/;

/** A Host header (`name[:port]`) naming this machine: `localhost`, 127.0.0.0/8, `[::1]`, any port. */
export function isLoopbackHost(host: string | string[] | undefined): boolean {
  if (typeof host !== 'string' || !HOST_CHARS.test(host)) return false;
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return false;
  }
  return isLoopbackHostname(url.hostname);
}

/** An `Origin` header whose host is loopback (`null` and anything unparsable are foreign). */
export function isLoopbackOrigin(origin: string | string[]): boolean {
  if (typeof origin !== 'string') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHostname(url.hostname);
}

/** A WHATWG URL hostname (IPv4 already in dotted decimal, IPv6 bracketed and compressed) that is loopback. */
function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  if (name === 'localhost') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  return name === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(name);
}

/**
 * The answer to a keyless call (no key, or the placeholder) that may not be served with the configured
 * keys; null when it may: 401 from another machine, 403 for a browser-borne request.
 */
export function keylessRefusal(address: string | undefined, headers: IncomingHttpHeaders): AppError | null {
  const trust = localTrust(address, headers);
  if (trust === 'local') return null;
  const hint = 'send your provider key as Authorization: Bearer <key> (or x-api-key)';
  if (trust === 'remote') return new AppError('unauthorized', `no API key: ${hint}`);
  return new AppError('forbidden', `no API key, and the configured keys serve local clients only: ${FOREIGN_PAGE_REASON}; ${hint}`);
}
