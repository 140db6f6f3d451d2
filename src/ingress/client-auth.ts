import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The client's own key, from `Authorization: Bearer …` or `x-api-key`. */
export function clientKeyOf(headers: IncomingHttpHeaders): string | null {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m?.[1]) return m[1].trim();
  }
  const key = headers['x-api-key'];
  return typeof key === 'string' && key.trim() ? key.trim() : null;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** A keyed hash of a client key: lets feedback prove it comes from the same caller, without storing the key. */
export function createKeyHasher(secret: string): (key: string | null) => string | null {
  const cache = new Map<string, string>();
  return (key) => {
    if (!key) return null;
    let h = cache.get(key);
    if (!h) {
      h = createHmac('sha256', secret).update(key).digest('base64url');
      if (cache.size > 1000) cache.clear();
      cache.set(key, h);
    }
    return h;
  };
}
