/**
 * Every kind of bad input we could think of, sent to a running gateway on a raw socket (so bytes,
 * headers and framing are exactly as written), with what each got back.
 */
import net from 'node:net';
import { poisonBody } from './fault-load.ts';

export interface BadInput {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send these bytes as the whole request instead (framing errors). */
  raw?: Buffer | string;
}

export interface BadInputResult {
  name: string;
  status: number | null;
  message: string;
  param: string;
  /** The answer was a 5xx or showed a stack trace. */
  alarming: boolean;
}

const chat = (body: unknown) => JSON.stringify(body);
const user = [{ role: 'user', content: 'hi' }];

export const badInputs: BadInput[] = [
  { name: 'malformed JSON', body: '{"model":"gpt-4o-mini","messages":[' },
  { name: 'empty body', body: '' },
  { name: 'body is a JSON array', body: '[]' },
  { name: 'body is JSON null', body: 'null' },
  { name: 'wrong content type (text/plain, valid JSON)', headers: { 'content-type': 'text/plain' }, body: chat({ model: 'gpt-4o-mini', messages: user }) },
  { name: 'form-encoded body', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'model=gpt-4o-mini&messages=hi' },
  { name: 'body over FIXPOINT_MAX_BODY_BYTES (21 MiB)', body: chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(21 * 1024 * 1024) }] }) },
  { name: 'nested 5,000 levels (the poison request)', body: poisonBody },
  { name: 'missing model', body: chat({ messages: user }) },
  { name: 'model is empty', body: chat({ model: '', messages: user }) },
  { name: 'model is a number', body: chat({ model: 42, messages: user }) },
  { name: 'unknown provider prefix (nosuch/x)', body: chat({ model: 'nosuch/x', messages: user }) },
  { name: 'unknown model name', body: chat({ model: 'gpt-99-imaginary', messages: user }) },
  { name: 'missing messages', body: chat({ model: 'gpt-4o-mini' }) },
  { name: 'messages is a string', body: chat({ model: 'gpt-4o-mini', messages: 'hi' }) },
  { name: 'stream: "yes" (not a boolean)', body: chat({ model: 'gpt-4o-mini', messages: user, stream: 'yes' }) },
  { name: 'non-UTF-8 bytes in a string', body: Buffer.concat([Buffer.from('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}]}')]) },
  { name: 'escaped NUL and lone surrogate', body: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a\\u0000b\\ud800c"}]}' },
  { name: 'number 1e999999 (Infinity)', body: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"temperature":1e999999}' },
  { name: 'Host is a foreign name (DNS rebinding), no key', headers: { host: 'attacker.example:8787', authorization: '' }, body: chat({ model: 'gpt-4o-mini', messages: user }) },
  { name: 'foreign Origin, text/plain, no key (CSRF)', headers: { origin: 'https://attacker.example', 'content-type': 'text/plain', authorization: '' }, body: chat({ model: 'gpt-4o-mini', messages: user }) },
  { name: 'Authorization: "Bearer" without a key', headers: { authorization: 'Bearer' }, body: chat({ model: 'gpt-4o-mini', messages: user }) },
  { name: 'x-fixpoint-component with control characters', headers: { 'x-fixpoint-component': 'a\tb' }, body: chat({ model: 'gpt-4o-mini', messages: user }) },
  { name: 'GET on /v1/chat/completions', method: 'GET', body: '' },
  { name: 'unknown path /v1/nothing', path: '/v1/nothing', body: chat({ model: 'gpt-4o-mini', messages: user }) },
  { name: 'embeddings to an Anthropic model', path: '/v1/embeddings', body: chat({ model: 'claude-3-5-haiku-latest', input: 'hi' }) },
  { name: 'embeddings without input', path: '/v1/embeddings', body: chat({ model: 'text-embedding-3-small' }) },
  { name: 'messages API without max_tokens', path: '/v1/messages', body: chat({ model: 'claude-3-5-haiku-latest', messages: user }) },
  { name: 'feedback on a call id that is not a UUID', path: '/v1/feedback', body: chat({ call_id: 'nope', rating: 1 }) },
  { name: 'Content-Encoding: gzip on a plain body', headers: { 'content-encoding': 'gzip' }, body: chat({ model: 'gpt-4o-mini', messages: user }) },
  { name: 'Content-Length shorter than the body', raw: 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10\r\nConnection: close\r\n\r\n{"model":"gpt-4o-mini","messages":[]}' },
  { name: 'broken chunked encoding', raw: 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n' },
  { name: 'header line without a colon', raw: 'POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nthis is not a header\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}' },
  { name: 'request line with a bare path and no version', raw: 'POST /v1/chat/completions\r\n\r\n' },
];

function requestBytes(origin: URL, b: BadInput): Buffer {
  if (b.raw !== undefined) return Buffer.from(b.raw);
  const body = typeof b.body === 'string' ? Buffer.from(b.body) : (b.body ?? Buffer.alloc(0));
  const headers: Record<string, string> = {
    host: origin.host,
    'content-type': 'application/json',
    authorization: 'Bearer sk-fault-run-client-key-000000',
    'content-length': String(body.length),
    connection: 'close',
    ...b.headers,
  };
  const lines = Object.entries(headers).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`);
  return Buffer.concat([Buffer.from(`${b.method ?? 'POST'} ${b.path ?? '/v1/chat/completions'} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`), body]);
}

/** The whole answer (until the server closes), or what arrived before `timeoutMs`. */
function exchange(origin: URL, bytes: Buffer, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(origin.port), origin.hostname);
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

function describe(name: string, text: string): BadInputResult {
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  let body = split < 0 ? '' : text.slice(split + 4);
  if (/transfer-encoding: chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
  let message = '';
  let param = '';
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string; param?: string | null } | string; choices?: unknown; type?: string };
    const e = typeof parsed.error === 'object' ? parsed.error : undefined;
    message = e?.message ?? (parsed.choices ? '(a completion)' : body.slice(0, 100));
    param = e?.param ?? '';
  } catch {
    message = body.startsWith('data:') ? '(a stream)' : body.slice(0, 100).replace(/\s+/g, ' ');
  }
  const code = status ? Number(status[1]) : null;
  return { name, status: code, message, param, alarming: (code !== null && code >= 500) || /\n\s+at .+\.(ts|js):\d+/.test(body) };
}

export async function runBadInputs(originText: string): Promise<BadInputResult[]> {
  const origin = new URL(originText);
  const out: BadInputResult[] = [];
  for (const b of badInputs) out.push(describe(b.name, await exchange(origin, requestBytes(origin, b))));
  return out;
}

export function badInputTable(results: BadInputResult[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 140);
  const rows = results.map((r) => `| ${cell(r.name)} | ${r.status ?? 'closed'} | ${cell(r.message)} | ${r.param ? `\`${r.param}\`` : ''} |${r.alarming ? ' ⚠' : ''}`);
  return ['| bad input | status | error message | param |', '| --- | ---: | --- | --- |', ...rows].join('\n');
}
