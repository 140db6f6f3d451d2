import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHarness, type Harness } from './support/gateway.ts';

/**
 * Who may use the console without a session: with no FIXPOINT_ADMIN_TOKEN, local clients only, as the
 * admin API (a loopback Host, no page of another origin); with a token, a login first. Raw requests,
 * so the Host and Origin headers are exactly the ones under test.
 */
function send(url: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method ?? 'GET', headers: o.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

describe('console without FIXPOINT_ADMIN_TOKEN', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ FIXPOINT_ADMIN_TOKEN: undefined });
  });
  afterAll(async () => h?.close());

  it('serves loopback clients with a loopback Host, with no login', async () => {
    const res = await send(`${h.gateway.url}/console`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<h1>Components</h1>');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect((await send(`${h.gateway.url}/console/login`)).status).toBe(302);
    expect((await send(`${h.gateway.url}/console/`)).headers['location']).toBe('/console');
    expect((await send(`${h.gateway.url}/console/calls/?component=a`)).headers['location']).toBe('/console/calls?component=a');
    const css = await send(`${h.gateway.url}/console/console.css`);
    expect(css.headers['content-type']).toContain('text/css');
    expect((await send(`${h.gateway.url}/console/console.css`, { headers: { 'if-none-match': String(css.headers['etag']) } })).status).toBe(304);
  });

  it('refuses a rebinding Host name and a page of another origin', async () => {
    const port = new URL(h.gateway.url).port;
    const rebound = await send(`${h.gateway.url}/console`, { headers: { host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('local clients only');
    const foreign = await send(`${h.gateway.url}/console`, { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
  });

  it('refuses a POST without a same-origin Origin, and runs one with it', async () => {
    const action = `${h.gateway.url}/console/patterns/0190a0a0-0000-7000-8000-000000000000/optimize`;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await send(action, { method: 'POST', headers: form, body: '' })).status).toBe(403);
    const same = await send(action, { method: 'POST', headers: { ...form, origin: h.gateway.url }, body: '' });
    // Through to the API, which answers "no pattern": the console redirects back with that message.
    expect(same.status).toBe(303);
    expect(same.headers['location']).toBe('/console/patterns/0190a0a0-0000-7000-8000-000000000000');
    expect(String(same.headers['set-cookie'])).toContain('fixpoint_flash=');
  });

  it('answers an unknown page and an unknown id with a 404 page', async () => {
    const page = await send(`${h.gateway.url}/console/nowhere`);
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    const run = await send(`${h.gateway.url}/console/runs/0190a0a0-0000-7000-8000-000000000000`);
    expect(run.status).toBe(404);
    expect(run.body).toContain('no optimization run');
  });
});

describe('console with FIXPOINT_ADMIN_TOKEN', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('sends a browser to the login page, keeping where it was going', async () => {
    const res = await send(`${h.gateway.url}/console/calls?component=x`);
    expect(res.status).toBe(302);
    expect(res.headers['location']).toBe(`/console/login?next=${encodeURIComponent('/console/calls?component=x')}`);
  });

  it('takes the token on the login form only from this origin, then sets the session cookie', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = `token=${encodeURIComponent(ADMIN_TOKEN)}&next=${encodeURIComponent('/console/calls')}`;
    expect((await send(`${h.gateway.url}/console/login`, { method: 'POST', headers: { ...form, origin: 'http://evil.example' }, body })).status).toBe(403);
    const res = await send(`${h.gateway.url}/console/login`, { method: 'POST', headers: { ...form, origin: h.gateway.url }, body });
    expect(res.status).toBe(303);
    expect(res.headers['location']).toBe('/console/calls');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/fixpoint_console=\d+\.[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/console; HttpOnly; SameSite=Strict/);
    const session = /fixpoint_console=[^;]+/.exec(cookie)![0];
    expect((await send(`${h.gateway.url}/console/calls`, { headers: { cookie: session } })).status).toBe(200);
    // A next= of another site is not followed.
    const away = await send(`${h.gateway.url}/console/login`, { method: 'POST', headers: { ...form, origin: h.gateway.url }, body: `token=${encodeURIComponent(ADMIN_TOKEN)}&next=${encodeURIComponent('//evil.example/')}` });
    expect(away.headers['location']).toBe('/console');
  });
});
