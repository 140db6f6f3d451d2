import { timingSafeEqual, createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { AppError } from '../core/errors.ts';
import { FOREIGN_PAGE_REASON, localTrust } from './local-trust.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * /api/* guard: with FIXPOINT_ADMIN_TOKEN set, `Authorization: Bearer <token>` is required;
 * without it, only local clients are let in: a loopback socket, a loopback Host, and no sign of a web
 * page of another origin (see local-trust.ts): a page in the operator's browser cannot read calls
 * through a rebinding host name.
 */
export function adminAuth(token: string | undefined): MiddlewareHandler<{ Bindings: HttpBindings }> {
  const expected = token ? digest(token) : null;
  return async (c, next) => {
    if (expected) {
      const m = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
      if (!m?.[1] || !timingSafeEqual(digest(m[1].trim()), expected)) {
        throw new AppError('unauthorized', 'admin API: send Authorization: Bearer <FIXPOINT_ADMIN_TOKEN>');
      }
    } else {
      const trust = localTrust(c.env.incoming.socket.remoteAddress, c.env.incoming.headers);
      if (trust === 'remote') throw new AppError('forbidden', 'admin API answers loopback clients only unless FIXPOINT_ADMIN_TOKEN is set');
      if (trust === 'foreign-page') throw new AppError('forbidden', `admin API without FIXPOINT_ADMIN_TOKEN answers local clients only: ${FOREIGN_PAGE_REASON}`);
    }
    await next();
  };
}
