import { describe, expect, it } from 'vitest';
import { isLoopbackHost, isLoopbackOrigin, keylessRefusal, localTrust } from './local-trust.ts';

describe('local trust (DNS rebinding and cross-site protection)', () => {
  it('knows loopback Host headers, with any port', () => {
    for (const h of ['localhost', 'localhost:8787', 'LOCALHOST:1', 'localhost.', '127.0.0.1', '127.0.0.1:8787', '127.9.8.7:80', '[::1]', '[::1]:8787', '[::ffff:127.0.0.1]:8787']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of [undefined, '', 'evil.example', 'evil.example:8787', 'localhost.evil.example', '127.0.0.1.evil.example', 'x.localhost', '10.0.0.1', '[::2]', '128.0.0.1',
      'evil.example@127.0.0.1', '127.0.0.1/x', '127.0.0.1:8787 evil', '[::1', '127.0.0.1:port']) {
      expect(isLoopbackHost(h), String(h)).toBe(false);
    }
  });

  it('knows loopback origins; null and unparsable origins are foreign', () => {
    for (const o of ['http://localhost:3000', 'http://127.0.0.1:8787', 'https://[::1]:8443', 'http://localhost']) expect(isLoopbackOrigin(o), o).toBe(true);
    for (const o of ['null', 'http://evil.example', 'http://evil.example:8787', 'file://', 'garbage', 'http://127.0.0.1.nip.io']) expect(isLoopbackOrigin(o), o).toBe(false);
  });

  it('trusts a loopback socket only with a loopback Host and no foreign page behind it', () => {
    const host = { host: '127.0.0.1:8787' };
    expect(localTrust('127.0.0.1', host)).toBe('local');
    expect(localTrust('::1', { host: 'localhost:8787', origin: 'http://localhost:5173', 'sec-fetch-site': 'same-site' })).toBe('local');
    expect(localTrust('10.0.0.2', host)).toBe('remote');
    expect(localTrust('127.0.0.1', { host: 'rebind.evil.example:8787' })).toBe('foreign-page');
    expect(localTrust('127.0.0.1', { ...host, origin: 'https://evil.example' })).toBe('foreign-page');
    expect(localTrust('127.0.0.1', { ...host, origin: 'null' })).toBe('foreign-page');
    expect(localTrust('127.0.0.1', { ...host, 'sec-fetch-site': 'cross-site' })).toBe('foreign-page');
    expect(localTrust('127.0.0.1', {})).toBe('foreign-page');
  });

  it('refuses keyless calls with 401 from afar and 403 from a foreign page', () => {
    expect(keylessRefusal('127.0.0.1', { host: 'localhost:8787' })).toBeNull();
    expect(keylessRefusal('10.0.0.2', { host: 'gw.example' })?.status).toBe(401);
    const forged = keylessRefusal('127.0.0.1', { host: 'localhost:8787', origin: 'https://evil.example' });
    expect(forged?.status).toBe(403);
    expect(forged?.message).toMatch(/another origin/);
  });
});
