/**
 * The floor every gateway is compared with: a node:http server that forwards each request to the
 * upstream with undici's Pool and pipes the response back. No parsing, no buffering of responses.
 *
 * Run as a child process: `node --import tsx bench/bare-forwarder.ts <upstreamUrl> [port]`;
 * it reports `{ port }` over IPC (or prints it when started by hand).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Pool, type Dispatcher } from 'undici';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host',
]);

function forwardable(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

export interface BareForwarder {
  port: number;
  close(): Promise<void>;
}

export async function startBareForwarder(upstreamUrl: string, port = 0): Promise<BareForwarder> {
  const pool = new Pool(upstreamUrl, { connections: 512, pipelining: 1, keepAliveTimeout: 60_000 });
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer | null) => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    pool
      .request({
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        path: req.url ?? '/',
        headers: forwardable(req.headers) as Record<string, string>,
        body,
        signal: abort.signal,
      })
      .then(({ statusCode, headers, body: upstreamBody }) => {
        res.writeHead(statusCode, forwardable(headers));
        pipeline(upstreamBody, res, () => undefined);
      })
      .catch(() => {
        if (res.headersSent) return void res.destroy();
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"upstream unreachable","type":"api_error","code":null}}');
      });
  };
  // The request body is read whole (a gateway must read it anyway, to record it) but never parsed;
  // the response is piped back as it arrives.
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    if (req.method === 'GET' || req.method === 'HEAD') return forward(req, res, null);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const upstream = process.argv[2];
  if (!upstream) throw new Error('usage: bare-forwarder.ts <upstreamUrl> [port]');
  const fwd = await startBareForwarder(upstream, Number(process.argv[3] ?? 0));
  if (process.send) process.send({ port: fwd.port });
  else console.log(`bare forwarder on http://127.0.0.1:${fwd.port} -> ${upstream}`);
  const stop = () => void fwd.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}
