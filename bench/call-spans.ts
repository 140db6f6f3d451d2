/**
 * What one call span costs: CPU per span to build it from a finalized call (`add`, in the recorder)
 * and to batch, serialize and send it over OTLP/HTTP to a receiver on loopback, with message content
 * off (the default) and on. Run: node --import tsx bench/call-spans.ts [spans]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { CallCapture } from '../src/core/call-capture.ts';
import { startCallSpans, type FinalizedCall } from '../src/telemetry/index.ts';

const total = Number(process.argv[2] ?? 20_000);
const request = {
  model: 'gpt-4o-mini',
  max_tokens: 200,
  temperature: 0.3,
  messages: [
    { role: 'system', content: 'You are a support assistant for an online shop. Answer briefly and politely. '.repeat(4) },
    { role: 'user', content: 'Where is my order #12345? It was supposed to arrive yesterday and the tracking page shows nothing.' },
  ],
};
const response = {
  id: 'chatcmpl-abc123',
  object: 'chat.completion',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Sorry about the delay! Your order shipped on Monday; the carrier shows it out for delivery today.' } }],
  usage: { prompt_tokens: 120, completion_tokens: 24, total_tokens: 144 },
};
const capture = (i: number): CallCapture => ({
  id: `call_${i}`,
  route: 'chat.completions',
  startedAt: Date.now() - 800,
  endedAt: Date.now(),
  latencyMs: 800,
  upstreamLatencyMs: 790,
  ttftMs: null,
  component: 'support-bot',
  provider: 'openai',
  requestedModel: 'gpt-4o-mini',
  servedModel: 'gpt-4o-mini-2024-07-18',
  status: 'success',
  httpStatus: 200,
  stream: false,
  request,
  response: { shape: 'openai.chat', stream: false, body: null },
  error: null,
  sessionId: 'sess-1',
  userId: null,
  properties: {},
  clientKeyHash: null,
});
const finalized: FinalizedCall = {
  response: { body: response, usage: { inputTokens: 120, outputTokens: 24, cachedTokens: null }, finishReasons: ['stop'], servedModel: 'gpt-4o-mini-2024-07-18' },
  error: null,
};

let received = 0;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    received += (body.match(/"spanId"/g) ?? []).length;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;

for (const content of [false, true]) {
  received = 0;
  const spans = await startCallSpans({ url, headers: {}, serviceName: 'bench', captureMessageContent: content, servers: { openai: 'https://api.openai.com' } }, pino({ level: 'silent' }));
  for (let j = 0; j < 2000; j++) spans.add(capture(j), finalized); // warm-up (JIT), not counted
  await new Promise((r) => setTimeout(r, 3000));
  received = 0;
  const cpu0 = process.cpuUsage();
  let addMicros = 0;
  for (let i = 0; i < total; i += 100) {
    const a0 = process.cpuUsage();
    for (let j = i; j < Math.min(total, i + 100); j++) spans.add(capture(j), finalized);
    const a = process.cpuUsage(a0);
    addMicros += a.user + a.system;
    await new Promise((r) => setTimeout(r, 2)); // calls arrive over time: the batch processor exports in between
  }
  await spans.shutdown();
  const cpu = process.cpuUsage(cpu0);
  const cpuMicros = cpu.user + cpu.system;
  console.log(
    `content ${content ? 'on ' : 'off'}: ${total} spans, ${received} received; add() ${(addMicros / total).toFixed(1)} µs/span; ` +
      `CPU in all (build, batch, serialize, send; receiver counted too) ${(cpuMicros / total).toFixed(1)} µs/span`,
  );
}
await new Promise<void>((resolve) => server.close(() => resolve()));
