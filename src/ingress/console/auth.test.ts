import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { sameOrigin, sessionValue, SESSION_SECONDS, validSession } from './auth.ts';
import type { ConsoleEnv } from './context.ts';

describe('console session cookie', () => {
  const token = 'admin-token-0123456789';
  it('is an expiry and its HMAC under the token, never the token', () => {
    const v = sessionValue(token, 1_800_000_000_000);
    expect(v).toMatch(/^\d+\.[A-Za-z0-9_-]{43}$/);
    expect(v).not.toContain(token);
    expect(validSession(token, v, 1_800_000_000_000)).toBe(true);
  });
  it('fails once expired, under another token, or altered', () => {
    const now = 1_800_000_000_000;
    const v = sessionValue(token, now);
    expect(validSession(token, v, now + SESSION_SECONDS * 1000 + 1)).toBe(false);
    expect(validSession('another-token-0123456789', v, now)).toBe(false);
    const [exp, mac] = v.split('.') as [string, string];
    expect(validSession(token, `${Number(exp) + 3600}.${mac}`, now)).toBe(false);
    expect(validSession(token, `${exp}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, now)).toBe(false);
    expect(validSession(token, undefined, now)).toBe(false);
  });
});

describe('console CSRF check', () => {
  const app = new Hono<ConsoleEnv>();
  app.post('/x', (c) => c.text(sameOrigin(c) ? 'same' : 'refused'));
  const post = async (headers: Record<string, string>) => (await app.request('http://127.0.0.1:8787/x', { method: 'POST', headers: { host: '127.0.0.1:8787', ...headers } })).text();

  it('takes a POST whose Origin, or else Referer, is this host', async () => {
    expect(await post({ origin: 'http://127.0.0.1:8787' })).toBe('same');
    expect(await post({ referer: 'http://127.0.0.1:8787/console/runs/1' })).toBe('same');
    expect(await post({ origin: 'http://127.0.0.1:8787', 'sec-fetch-site': 'same-origin' })).toBe('same');
  });
  it('refuses another origin, another port, a null or missing origin, a cross-site fetch', async () => {
    expect(await post({ origin: 'http://evil.example' })).toBe('refused');
    expect(await post({ origin: 'http://127.0.0.1:9999' })).toBe('refused');
    expect(await post({ origin: 'null' })).toBe('refused');
    expect(await post({})).toBe('refused');
    expect(await post({ referer: 'http://evil.example/x' })).toBe('refused');
    expect(await post({ origin: 'http://127.0.0.1:8787', 'sec-fetch-site': 'cross-site' })).toBe('refused');
    expect(await post({ origin: 'http://127.0.0.1:8787', 'sec-fetch-site': 'same-site' })).toBe('refused');
  });
});
