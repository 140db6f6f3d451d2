import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '../core/errors.ts';
import type { CredentialHeader, Provider } from '../providers/index.ts';

/**
 * The key SDK clients can send to mean "no key of mine: use the gateway's configured provider key"
 * (the SDKs refuse to run without some key). Treated exactly like a keyless call: loopback only.
 */
export const GATEWAY_KEY_PLACEHOLDER = 'fixpoint';

/** A client's own key and the header it came in. */
export interface ClientCredential {
  key: string;
  header: CredentialHeader;
}

/** The client's own key, from `Authorization: Bearer …` or else `x-api-key`, and which; null when none (or the placeholder). */
export function clientCredentialOf(headers: IncomingHttpHeaders): ClientCredential | null {
  let found: ClientCredential | null = null;
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m?.[1]) found = { key: m[1].trim(), header: 'authorization' };
  }
  const apiKey = headers['x-api-key'];
  if (found === null && typeof apiKey === 'string' && apiKey.trim()) found = { key: apiKey.trim(), header: 'x-api-key' };
  return found?.key === GATEWAY_KEY_PLACEHOLDER ? null : found;
}

/** The client's own key, from `Authorization: Bearer …` or `x-api-key`; null when none (or the placeholder). */
export function clientKeyOf(headers: IncomingHttpHeaders): string | null {
  return clientCredentialOf(headers)?.key ?? null;
}

/**
 * The answer to a keyless call (no key, or the placeholder) for a provider that has no configured key:
 * 401 naming the setting, rather than a call upstream with no credentials at all.
 */
export function missingProviderKey(provider: Pick<Provider, 'name' | 'keySetting'>): AppError {
  return new AppError(
    'unauthorized',
    `no API key for provider ${provider.name}: the request carries none (or the placeholder "${GATEWAY_KEY_PLACEHOLDER}") and ${provider.keySetting} is not set; set ${provider.keySetting} (any value for an upstream that takes no key), or send your provider key as Authorization: Bearer <key>`,
  );
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
