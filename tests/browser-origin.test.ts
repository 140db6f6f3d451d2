/**
 * Issue 19, item 6: the loopback trust (keyless calls on the configured keys, the admin API without a
 * token) is not extended to a web page in the operator's browser: neither through a rebinding host
 * name nor by a cross-site POST. Raw HTTP requests, so Host, Origin and Sec-Fetch-Site are as a
 * browser would send them.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, CLIENT_KEY, OPENAI_KEY, startHarness, type Harness } from './support/gateway.ts';

let h: Harness; // no admin token: loopback trust in full
let port: number;

beforeAll(async () => {
  h = await startHarness({ FIXPOINT_ADMIN_TOKEN: undefined });
  port = Number(new URL(h.gateway.url).port);
});
afterAll(async () => h?.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function raw(method: string, path: string, headers: Record<string, string>, body?: string, to = port): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: to, method, path, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'spend the operator key' }] });
const local = () => ({ host: `127.0.0.1:${port}` });
const rebound = () => ({ host: `rebind.attacker.example:${port}` });

function expectForbidden(a: RawAnswer, what: RegExp): void {
  expect(a.status).toBe(403);
  const body = JSON.parse(a.text) as { error: { message: string; type: string; code: string } };
  expect(body.error.code).toBe('forbidden');
  expect(body.error.type).toBeTruthy();
  expect(body.error.message).toMatch(what);
}

describe('admin API without a token', () => {
  let callId: string;
  beforeAll(async () => {
    const a = await raw('POST', '/v1/chat/completions', { ...local(), 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` }, chatBody);
    expect(a.status).toBe(200);
    callId = String(a.headers['x-fixpoint-call-id']);
    await h.callRow(callId);
  });

  it('answers the operator on a loopback Host (localhost, 127.0.0.0/8, [::1], any port)', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `127.1.2.3:${port}`, `[::1]:${port}`]) {
      const a = await raw('GET', `/api/calls/${callId}`, { host });
      expect(a.status, host).toBe(200);
      expect(a.text).toContain('spend the operator key');
    }
    const sameOrigin = await raw('GET', `/api/calls/${callId}`, { host: `localhost:${port}`, origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.status).toBe(200);
  });

  it('refuses a page that reached 127.0.0.1 through a rebinding host name: prompts stay unread', async () => {
    const a = await raw('GET', `/api/calls/${callId}`, { ...rebound(), 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' });
    expectForbidden(a, /non-loopback Host name/);
    expect(a.text).not.toContain('spend the operator key');
    expectForbidden(await raw('GET', '/api/calls', rebound()), /FIXPOINT_ADMIN_TOKEN/);
  });

  it('refuses a foreign Origin, Origin: null and Sec-Fetch-Site: cross-site on a loopback Host', async () => {
    for (const extra of [{ origin: 'https://attacker.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }] as Record<string, string>[]) {
      expectForbidden(await raw('GET', `/api/calls/${callId}`, { ...local(), ...extra }), /another origin/);
    }
  });
});

describe('keyless calls on the configured key', () => {
  it('are served to a local client, and to a page of a loopback origin', async () => {
    for (const extra of [{}, { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' }] as Record<string, string>[]) {
      const a = await raw('POST', '/v1/chat/completions', { host: `localhost:${port}`, 'content-type': 'application/json', ...extra }, chatBody);
      expect(a.status).toBe(200);
      expect(h.fake.requests.at(-1)?.headers['authorization']).toBe(`Bearer ${OPENAI_KEY}`);
    }
  });

  it('refuse a keyless text/plain POST from a foreign page (CSRF) and through a rebinding host: the key is not spent', async () => {
    const before = h.fake.requests.length;
    const csrf = { ...local(), 'content-type': 'text/plain;charset=UTF-8' };
    for (const headers of [
      { ...csrf, origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
      { ...csrf, origin: 'https://attacker.example' },
      { ...csrf, 'sec-fetch-site': 'cross-site' },
      { ...csrf, origin: 'null' },
      { ...rebound(), 'content-type': 'text/plain;charset=UTF-8', origin: `http://rebind.attacker.example:${port}` },
      { ...rebound(), 'content-type': 'application/json', authorization: 'Bearer fixpoint' },
    ]) {
      const a = await raw('POST', '/v1/chat/completions', headers, chatBody);
      expectForbidden(a, /no API key.*(non-loopback Host name|another origin)/);
      expect(a.headers['x-fixpoint-call-id']).toBeTruthy();
    }
    const messages = await raw('POST', '/v1/messages', { ...local(), 'content-type': 'text/plain', origin: 'https://attacker.example' }, JSON.stringify({ model: 'claude-sonnet-4-20250514', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }));
    expect(messages.status).toBe(403);
    expect(JSON.parse(messages.text)).toMatchObject({ type: 'error', error: { type: expect.any(String) } });
    expectForbidden(await raw('GET', '/v1/models', { ...rebound() }), /no API key/);
    expect(h.fake.requests.length).toBe(before);
  });

  it('leave calls with a client key alone, whatever the Host and Origin', async () => {
    const a = await raw('POST', '/v1/chat/completions', { ...rebound(), 'content-type': 'text/plain', origin: 'https://attacker.example', authorization: `Bearer ${CLIENT_KEY}` }, chatBody);
    expect(a.status).toBe(200);
    expect(h.fake.requests.at(-1)?.headers['authorization']).toBe(`Bearer ${CLIENT_KEY}`);
  });
});

describe('with an admin token', () => {
  it('the token is what counts: a browser-style request carrying it is answered, one without it is not', async () => {
    const t = await startHarness({}, { fake: h.fake, db: h.db });
    try {
      const tport = Number(new URL(t.gateway.url).port);
      const browser = { host: `rebind.attacker.example:${tport}`, origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' };
      expect((await raw('GET', '/api/calls', { ...browser, authorization: `Bearer ${ADMIN_TOKEN}` }, undefined, tport)).status).toBe(200);
      expect((await raw('GET', '/api/calls', browser, undefined, tport)).status).toBe(401);
    } finally {
      await t.close();
    }
  });
});
