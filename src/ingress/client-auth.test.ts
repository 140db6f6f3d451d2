import { describe, expect, it } from 'vitest';
import { clientKeyOf, createKeyHasher, isLoopback } from './client-auth.ts';

describe('client keys', () => {
  it('reads Bearer and x-api-key', () => {
    expect(clientKeyOf({ authorization: 'Bearer sk-abc' })).toBe('sk-abc');
    expect(clientKeyOf({ 'x-api-key': 'sk-ant-xyz' })).toBe('sk-ant-xyz');
    expect(clientKeyOf({ authorization: 'Basic dXNlcg==' })).toBeNull();
    expect(clientKeyOf({})).toBeNull();
    expect(clientKeyOf({ authorization: 'Bearer fixpoint' })).toBeNull();
    expect(clientKeyOf({ 'x-api-key': 'fixpoint' })).toBeNull();
  });

  it('knows loopback from the rest (keyless calls get the operator key only from loopback)', () => {
    for (const a of ['127.0.0.1', '127.4.5.6', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['10.0.0.1', '192.168.1.2', '::ffff:10.1.2.3', 'fe80::1', undefined]) expect(isLoopback(a), String(a)).toBe(false);
  });

  it('hashes keys with a secret: stable, secret-dependent, never the key', () => {
    const h1 = createKeyHasher('secret-one-0123456789');
    const h2 = createKeyHasher('secret-two-0123456789');
    expect(h1('sk-abc')).toBe(h1('sk-abc'));
    expect(h1('sk-abc')).not.toBe(h2('sk-abc'));
    expect(h1('sk-abc')).not.toContain('sk-abc');
    expect(h1(null)).toBeNull();
  });
});
