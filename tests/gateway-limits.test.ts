import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../testkit/fake-upstream/index.ts';
import { CLIENT_KEY, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(async () => fake?.close());

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: net.Socket;
}

function chat(url: string, agent: http.Agent, content: string): Promise<Answer> {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, socket: req.socket! }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A raw connection that sends `request` and collects whatever comes back until the server closes it. */
async function raw(port: number, request: string): Promise<{ socket: net.Socket; received: Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  socket.setEncoding('utf8').on('data', (d: string) => (text += d));
  const received = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
  });
  socket.write(request);
  return { socket, received };
}

const sleep = (ms: number) => new Promise<'deadline'>((r) => setTimeout(() => r('deadline'), ms));

describe('draining closes keep-alive connections', () => {
  it('closes idle sockets at once, answers Connection: close to the call in flight, and finishes before the deadline', async () => {
    const h = await startHarness({}, { fake });
    const idleAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const busyAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const warm = await chat(h.gateway.url, idleAgent, 'warm up');
      expect(warm.status).toBe(200);
      expect(warm.headers.connection).toBe('keep-alive');
      const idleClosed = once(warm.socket, 'close');

      const first = await chat(h.gateway.url, busyAgent, 'first on the busy connection');
      const inFlight = chat(h.gateway.url, busyAgent, 'in flight while draining [[slow:400]]');
      await eventually(async () => expect((await h.gateway.deps.metrics.inflight.get()).values[0]?.value).toBe(1));

      const deadlineMs = 60_000;
      const closing = h.gateway.close(deadlineMs, 0);
      await idleClosed; // the idle keep-alive socket is closed without waiting for anything
      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(answered.socket).toBe(first.socket); // the same keep-alive connection...
      expect(answered.headers.connection).toBe('close'); // ...told to go away
      // Nothing keeps the drain waiting for its deadline.
      expect(await Promise.race([closing.then(() => 'closed' as const), sleep(deadlineMs / 2)])).toBe('closed');
      // The next call cannot reuse the connection: it needs a new one, and the listener is gone.
      await expect(chat(h.gateway.url, busyAgent, 'after close')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      idleAgent.destroy();
      busyAgent.destroy();
      await h.close();
    }
  });
});

describe('limits of a public gateway', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      { FIXPOINT_REQUEST_TIMEOUT_MS: '500', FIXPOINT_HEADERS_TIMEOUT_MS: '500', FIXPOINT_MAX_CONNECTIONS: '3', FIXPOINT_METRICS_TOKEN: METRICS_TOKEN },
      { fake },
    );
  });
  afterAll(async () => h?.close());

  it('answers 408 and closes a connection whose body trickles in past the request timeout', async () => {
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${CLIENT_KEY}\r\nContent-Length: 1000\r\n\r\n`;
    const { received } = await raw(h.gateway.port, `${head}{"model":"gpt-4o-mini",`);
    expect(await received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('times out only the request, not a slow answer', async () => {
    const agent = new http.Agent({ keepAlive: false });
    const answer = await chat(h.gateway.url, agent, 'slower than the request timeout [[slow:900]]');
    expect(answer.status).toBe(200);
  });

  it('closes connections past FIXPOINT_MAX_CONNECTIONS on arrival and counts them', async () => {
    const held = await Promise.all([0, 1, 2].map(() => raw(h.gateway.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')));
    for (const c of held) await eventually(() => expect(c.socket.bytesRead).toBeGreaterThan(0)); // each answered: accepted and open
    const refused = await raw(h.gateway.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await refused.received).toBe(''); // closed without an answer
    for (const c of held) c.socket.destroy();
    await eventually(async () => {
      const res = await fetch(`${h.gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      // At least the one refused above (a scrape while the held sockets were still counted may be refused too).
      expect(Number(/^fixpoint_connections_refused_total (\d+)$/m.exec(await res.text())?.[1])).toBeGreaterThanOrEqual(1);
    });
  });

  it('keeps /metrics behind FIXPOINT_METRICS_TOKEN when it is set', async () => {
    expect((await fetch(`${h.gateway.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.gateway.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } })).status).toBe(401);
    const ok = await fetch(`${h.gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('fixpoint_requests_total');
    expect((await fetch(`${h.gateway.url}/healthz`)).status).toBe(200); // health stays open
  });
});
