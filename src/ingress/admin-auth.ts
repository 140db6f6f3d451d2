import { timingSafeEqual, createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { AppError } from '../core/errors.ts';
import { isLoopback } from './client-auth.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * /api/* guard: with FIXPOINT_ADMIN_TOKEN set, `Authorization: Bearer <token>` is required;
 * without it, only loopback clients are let in.
 */
export function adminAuth(token: string | undefined): MiddlewareHandler<{ Bindings: HttpBindings }> {
  const expected = token ? digest(token) : null;
  return async (c, next) => {
    if (expected) {
      const m = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
      if (!m?.[1] || !timingSafeEqual(digest(m[1].trim()), expected)) {
        throw new AppError('unauthorized', 'admin API: send Authorization: Bearer <FIXPOINT_ADMIN_TOKEN>');
      }
    } else if (!isLoopback(c.env.incoming.socket.remoteAddress)) {
      throw new AppError('forbidden', 'admin API answers loopback clients only unless FIXPOINT_ADMIN_TOKEN is set');
    }
    await next();
  };
}
