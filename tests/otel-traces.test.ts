/**
 * One OpenTelemetry span per call (GenAI semantic conventions) over OTLP/HTTP: a local receiver
 * (plain node:http, decoding the exporter's JSON) behind a gateway whose OTEL_EXPORTER_OTLP_ENDPOINT
 * points at it; calls through the official openai and Anthropic clients.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, CLIENT_KEY, startHarness } from './support/gateway.ts';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpSpan {
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number; message?: string };
}
interface Received {
  headers: Record<string, string | string[] | undefined>;
  path: string;
  raw: string;
  resource: Record<string, unknown>;
  spans: { name: string; kind: number; startMs: number; endMs: number; attrs: Record<string, unknown>; status: { code?: number; message?: string } }[];
}

function valueOf(v: OtlpValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(valueOf);
  return undefined;
}
const attrsOf = (list: { key: string; value: OtlpValue }[] = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/** An OTLP/HTTP receiver on loopback that keeps every export it is sent (JSON encoding). */
async function startReceiver(): Promise<{ url: string; exports: Received[]; spans: () => Received['spans']; close(): Promise<void> }> {
  const exports: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw) as { resourceSpans: { resource?: { attributes?: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of body.resourceSpans) {
        exports.push({
          headers: req.headers,
          path: req.url ?? '',
          raw,
          resource: attrsOf(rs.resource?.attributes),
          spans: rs.scopeSpans.flatMap((ss) =>
            ss.spans.map((s) => ({
              name: s.name,
              kind: s.kind,
              startMs: Number(BigInt(s.startTimeUnixNano) / 1_000_000n),
              endMs: Number(BigInt(s.endTimeUnixNano) / 1_000_000n),
              attrs: attrsOf(s.attributes),
              status: s.status ?? {},
            })),
          ),
        });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    spans: () => exports.flatMap((e) => e.spans),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A gateway logger at info level whose lines the test can read. */
function logLines(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }), text: () => lines.join('') };
}

const SECRET = 'the password is PINEAPPLE-7';
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A gateway exporting to the receiver; the calls of the test; then a clean shutdown (which flushes the spans). */
async function runCalls(receiver: Receiver | null, env: Record<string, string> = {}, logger?: Logger) {
  const h = await startHarness(receiver ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env } : env, logger ? { logger } : {});
  const openai = clientFor(h);
  const anthropic = new Anthropic({ baseURL: h.gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 });
  const started = Date.now();
  const ids: Record<string, string> = {};
  const plain = await openai.chat.completions
    .create(
      { model: 'gpt-4o-mini', max_tokens: 50, temperature: 0.2, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `hello, ${SECRET}` }] },
      { headers: { 'x-fixpoint-component': 'support-bot', 'x-fixpoint-session': 'sess-42' } },
    )
    .withResponse();
  ids['plain'] = plain.response.headers.get('x-fixpoint-call-id')!;
  const streamed = await openai.chat.completions
    .create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: `stream [[words:5]] ${SECRET}` }] }, { headers: { 'x-fixpoint-component': 'support-bot' } })
    .withResponse();
  for await (const _ of streamed.data);
  ids['streamed'] = streamed.response.headers.get('x-fixpoint-call-id')!;
  const claude = await anthropic.messages
    .create({ model: 'claude-sonnet-4-20250514', max_tokens: 64, system: 'Answer in French.', messages: [{ role: 'user', content: `bonjour, ${SECRET}` }] }, { headers: { 'x-fixpoint-component': 'translator' } })
    .withResponse();
  ids['claude'] = claude.response.headers.get('x-fixpoint-call-id')!;
  const failed = await openai.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fail [[error:429]]' }] })
    .withResponse()
    .then(
      () => null,
      (err: unknown) => err as { status: number; headers: Headers },
    );
  expect(failed?.status).toBe(429);
  ids['failed'] = failed!.headers.get('x-fixpoint-call-id')!;
  await h.close();
  return { ids, started, ended: Date.now(), fakeOrigin: new URL(h.fake.openaiBaseUrl), anthropicOrigin: new URL(h.fake.anthropicBaseUrl) };
}

describe('OpenTelemetry spans per call (GenAI semantic conventions)', () => {
  let receiver: Receiver;
  let run: Awaited<ReturnType<typeof runCalls>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    run = await runCalls(receiver, { OTEL_SERVICE_NAME: 'fixpoint-under-test', OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=s3cret%20value' });
  });
  afterAll(async () => receiver?.close());

  const spanOf = (id: string) => {
    const found = receiver.spans().filter((s) => s.attrs['fixpoint.call_id'] === id);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('sends one span per call, flushed at shutdown, to /v1/traces with the configured headers and service name', () => {
    expect(receiver.spans()).toHaveLength(4);
    expect(new Set(receiver.spans().map((s) => s.attrs['fixpoint.call_id']))).toEqual(new Set(Object.values(run.ids)));
    for (const e of receiver.exports) {
      expect(e.path).toBe('/v1/traces');
      expect(e.headers['x-collector-token']).toBe('s3cret value');
      expect(e.headers['content-type']).toContain('application/json');
      expect(e.resource['service.name']).toBe('fixpoint-under-test');
    }
  });

  it('a non-streamed chat call: name, kind, times and the gen_ai attributes', () => {
    const s = spanOf(run.ids['plain']!);
    expect(s.name).toBe('chat gpt-4o-mini');
    expect(s.kind).toBe(3); // SPAN_KIND_CLIENT
    expect(s.startMs).toBeGreaterThanOrEqual(run.started - 1);
    expect(s.endMs).toBeGreaterThanOrEqual(s.startMs);
    expect(s.endMs).toBeLessThanOrEqual(run.ended);
    expect(s.attrs).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.max_tokens': 50,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.stream': false,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.conversation.id': 'sess-42',
      'fixpoint.component': 'support-bot',
      'server.address': run.fakeOrigin.hostname,
      'server.port': Number(run.fakeOrigin.port),
    });
    expect(s.attrs['gen_ai.response.model']).toEqual(expect.any(String));
    expect(s.attrs['gen_ai.response.id']).toEqual(expect.stringMatching(/^chatcmpl/));
    expect(s.attrs['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(s.attrs['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(s.attrs['error.type']).toBeUndefined();
    expect(s.status.code ?? 0).not.toBe(2);
  });

  it('a streamed chat call: usage and finish reason from the assembled stream, time to first chunk', () => {
    const s = spanOf(run.ids['streamed']!);
    expect(s.attrs).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.stream': true, 'gen_ai.response.finish_reasons': ['stop'] });
    expect(s.attrs['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(s.attrs['gen_ai.response.time_to_first_chunk']).toEqual(expect.any(Number));
  });

  it('an Anthropic Messages call', () => {
    const s = spanOf(run.ids['claude']!);
    expect(s.name).toBe('chat claude-sonnet-4-20250514');
    expect(s.attrs).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'fixpoint.component': 'translator',
      'server.address': run.anthropicOrigin.hostname,
    });
    expect(s.attrs['gen_ai.response.id']).toEqual(expect.stringMatching(/^msg_/));
    expect(s.attrs['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  });

  it('a failed call: error.type is the upstream status, the span status is an error', () => {
    const s = spanOf(run.ids['failed']!);
    expect(s.attrs['error.type']).toBe('429');
    expect(s.status.code).toBe(2); // STATUS_CODE_ERROR
    expect(s.status.message).toBeTruthy();
  });

  it('carries no message content by default', () => {
    for (const s of receiver.spans()) {
      expect(Object.keys(s.attrs).filter((k) => /messages|instructions/.test(k))).toEqual([]);
    }
    expect(receiver.exports.map((e) => e.raw).join('')).not.toContain('PINEAPPLE');
  });
});

describe('message content on the spans, opted in', () => {
  it('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true adds input, output and system messages (recorder in the gateway thread)', async () => {
    const receiver = await startReceiver();
    try {
      const log = logLines();
      const run = await runCalls(receiver, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true', FIXPOINT_RECORDER: 'inline' }, log.logger);
      expect(log.text()).toContain('exporting one OpenTelemetry span per call');
      const spans = receiver.spans();
      expect(spans).toHaveLength(4);
      const byId = (id: string) => spans.find((s) => s.attrs['fixpoint.call_id'] === id)!;
      const plain = byId(run.ids['plain']!);
      const input = JSON.parse(plain.attrs['gen_ai.input.messages'] as string) as unknown[];
      expect(input).toEqual([
        { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
        { role: 'user', parts: [{ type: 'text', content: `hello, ${SECRET}` }] },
      ]);
      const output = JSON.parse(plain.attrs['gen_ai.output.messages'] as string) as { role: string; parts: { type: string; content: string }[]; finish_reason: string }[];
      expect(output).toHaveLength(1);
      expect(output[0]).toMatchObject({ role: 'assistant', finish_reason: 'stop' });
      expect(output[0]!.parts[0]!.content).toContain('PINEAPPLE');
      const streamed = JSON.parse(byId(run.ids['streamed']!).attrs['gen_ai.output.messages'] as string) as { parts: { content: string }[] }[];
      expect(streamed[0]!.parts[0]!.content.length).toBeGreaterThan(0);
      const claude = byId(run.ids['claude']!);
      expect(JSON.parse(claude.attrs['gen_ai.system_instructions'] as string)).toEqual([{ type: 'text', content: 'Answer in French.' }]);
      expect(JSON.parse(claude.attrs['gen_ai.input.messages'] as string)).toEqual([{ role: 'user', parts: [{ type: 'text', content: `bonjour, ${SECRET}` }] }]);
      expect(JSON.parse(claude.attrs['gen_ai.output.messages'] as string)).toMatchObject([{ role: 'assistant', finish_reason: 'end_turn', parts: [{ type: 'text' }] }]);
      // A failed call has its input but no output.
      const failed = byId(run.ids['failed']!);
      expect(failed.attrs['gen_ai.input.messages']).toBeDefined();
      expect(failed.attrs['gen_ai.output.messages']).toBeUndefined();
    } finally {
      await receiver.close();
    }
  });
});

describe('without an OTLP endpoint', () => {
  it('exports nothing: no exporter is started', async () => {
    const receiver = await startReceiver();
    try {
      // The receiver is running, but the gateway is not told about it; the recorder runs in the
      // gateway's thread, so its log shows whether an exporter was started.
      const log = logLines();
      await runCalls(null, { OTEL_SERVICE_NAME: 'unused', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true', FIXPOINT_RECORDER: 'inline' }, log.logger);
      expect(receiver.exports).toEqual([]);
      expect(log.text()).toContain('listening'); // the log was captured
      expect(log.text()).not.toContain('OpenTelemetry');
    } finally {
      await receiver.close();
    }
  });
});
