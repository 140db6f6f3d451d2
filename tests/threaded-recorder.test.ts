/**
 * The recorder in its own worker thread (the gateway's default on Postgres): what the proxying
 * thread hands over is written exactly once, can be found before it is, reports its metrics across
 * the thread boundary, and survives its thread dying. On Postgres, and on the embedded database
 * (PGlite in its own thread, reached over its socket) when DATABASE_URL is not set.
 */
import { randomUUID } from 'node:crypto';
import { getPriority } from 'node:os';
import { inArray } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallCapture } from '../src/core/call-capture.ts';
import { calls, openDatabase, type Database } from '../src/db/index.ts';
import { gatewayWriteTimeoutMs, ThreadedRecorder } from '../src/record/index.ts';
import { RECORDER_THREAD_ENTRY } from '../src/main/deps.ts';
import { createLogger } from '../src/telemetry/index.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';
import { threadNices } from './support/thread-nice.ts';

const onPostgres = Boolean(process.env['DATABASE_URL']);
/** The recorder thread's nice steps below this process's priority; a value no other thread here has. */
const NICE = 7;

function capture(i: number): CallCapture {
  const response = { id: `c${i}`, object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: `answer ${i}` }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } };
  const now = Date.now();
  return {
    id: randomUUID(), route: 'chat.completions', startedAt: now, endedAt: now + 5, latencyMs: 5, upstreamLatencyMs: 4, ttftMs: null,
    component: 'thread-test', provider: 'openai', requestedModel: 'gpt-4o-mini', servedModel: 'gpt-4o-mini', status: 'success', httpStatus: 200, stream: false,
    request: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You answer.' }, { role: 'user', content: `question ${i}` }] },
    // Small Buffers are views into Node's shared pool: the hand-over must send this response's bytes only.
    response: { shape: 'openai.chat', stream: false, body: Buffer.from(JSON.stringify(response)) },
    error: null, sessionId: null, userId: null, properties: { run: 'thread' }, clientKeyHash: 'k'.repeat(43), promptVersionId: null,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe(`threaded recorder (${onPostgres ? 'Postgres' : 'embedded database'})`, () => {
  let tdb: TestDatabase;
  let database: Database;
  let recorder: ThreadedRecorder;
  const stored: string[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase();
    database = openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
    await database.migrate();
    recorder = await ThreadedRecorder.start(
      // A flush interval far away and batches larger than any test sends: what is written without
      // an explicit flush was written because it arrived.
      { databaseUrl: database.url, logLevel: 'silent', dataDir: tdb.dataDir, prices: {}, batchSize: 500, flushMs: 600_000, bufferMax: 10_000, writeTimeoutMs: gatewayWriteTimeoutMs(database.kind, undefined), nice: NICE },
      createLogger('silent'),
      { entry: RECORDER_THREAD_ENTRY, onStored: (ids) => stored.push(...ids) },
    );
    recorder.start();
  });
  afterAll(async () => {
    await database.close();
    await tdb.drop();
  });

  const rowsOf = (ids: string[]) => database.db.select().from(calls).where(inArray(calls.id, ids));

  const queueDepth = async () => (await recorder.foreignMetrics()).find((m) => m.name === 'fixpoint_record_queue_depth')?.values[0]?.value;

  // Postgres only: on the embedded database a transaction holds the whole database, reads included.
  it.skipIf(!onPostgres)('writes what is handed over exactly once, without an explicit flush, and finds and counts it while the database has not taken it', async () => {
    // The calls table locked against writes (reads still pass): what the thread tries to write waits.
    const lock = postgres(tdb.url as string, { max: 1, onnotice: () => {} });
    const held = await lock.reserve();
    await held`begin`;
    await held`lock table calls in exclusive mode`;
    let locked = true;
    const unlock = async () => {
      if (!locked) return;
      locked = false;
      await held`commit`;
      held.release();
      await lock.end();
    };
    const caps = Array.from({ length: 120 }, (_, i) => capture(i));
    const first = caps[0] as CallCapture;
    try {
      for (const c of caps) recorder.capture(c);
      // Still here, before the hand-over: found, and counted in the queue depth.
      expect(await queueDepth()).toBe(120);
      expect(await recorder.findPending(first.id)).toMatchObject({ component: 'thread-test', clientKeyHash: 'k'.repeat(43) });
      await sleep(250); // handed over to the thread by now (every 50 ms); its write waits on the lock
      const waiting = await recorder.findPending(first.id);
      expect(waiting?.startedAt).toEqual(new Date(first.startedAt));
      expect(await queueDepth()).toBe(120);
      expect(await rowsOf([first.id])).toHaveLength(0);
    } finally {
      // Released: written without any flush being asked for (the interval is ten minutes away).
      await unlock();
    }
    await eventually(async () => (await rowsOf(caps.map((c) => c.id))).length === 120);
    const rows = await rowsOf(caps.map((c) => c.id));
    const row = rows.find((r) => r.id === first.id);
    expect(row).toMatchObject({ component: 'thread-test', inputTokens: 3, outputTokens: 4, finishReasons: ['stop'], properties: { run: 'thread' } });
    expect((row?.responseBody as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('answer 0');
    await eventually(async () => (await queueDepth()) === 0);
    expect(new Set(stored)).toEqual(new Set(caps.map((c) => c.id)));
    expect(await recorder.findPending(first.id)).toBeNull();

    await recorder.flush(); // nothing left: no second copy
    expect(await rowsOf(caps.map((c) => c.id))).toHaveLength(120);
  });

  it('writes a full statement handed over at once, while hand-overs keep coming', async () => {
    const full = Array.from({ length: 70 }, (_, i) => capture(400 + i));
    for (const c of full) recorder.capture(c);
    // One capture every 30 ms keeps hand-overs coming, so only a full statement's worth is written now.
    let trickling = true;
    const trickle: CallCapture[] = [];
    const feeding = (async () => {
      while (trickling) {
        const c = capture(600 + trickle.length);
        trickle.push(c);
        recorder.capture(c);
        await sleep(30);
      }
    })();
    try {
      await eventually(async () => (await rowsOf(full.map((c) => c.id))).length === 70, 3_000);
    } finally {
      trickling = false;
      await feeding;
    }
    await recorder.flush(); // the trickle, fewer than a statement's worth, waits for the interval
    expect(await rowsOf(trickle.map((c) => c.id))).toHaveLength(trickle.length);
  });

  it('parses a request sent as the bytes it was received as, and keeps one sent as an object', async () => {
    const fromBytes = capture(500);
    const text = '{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You answer."},{"role":"user","content":"sent as bytes é"}]}';
    fromBytes.requestBytes = Buffer.from(text);
    fromBytes.request = JSON.parse(text);
    const asObject = capture(501);
    recorder.capture(fromBytes);
    recorder.capture(asObject);
    await recorder.flush();
    const rows = await rowsOf([fromBytes.id, asObject.id]);
    const messages = (id: string) => (rows.find((r) => r.id === id)?.requestBody as { messages: { content: unknown }[] }).messages;
    expect(messages(fromBytes.id)[1]?.content).toBe('sent as bytes é');
    expect(messages(fromBytes.id)[0]?.content).toMatchObject({ $prompt: expect.any(String) });
    expect(messages(asObject.id)[1]?.content).toBe('question 501');
  });

  it.skipIf(process.platform !== 'linux')('runs its thread at a lower CPU priority than the thread that proxies calls', () => {
    const own = getPriority();
    const nices = threadNices();
    expect(nices.get(process.pid)).toBe(own);
    expect([...nices.values()].filter((n) => n === Math.min(19, own + NICE))).toHaveLength(1);
  });

  it("reports the thread's metrics for /metrics to merge", async () => {
    const metrics = await recorder.foreignMetrics();
    const written = metrics.find((m) => m.name === 'fixpoint_records_written_total');
    expect(written?.values[0]?.value).toBeGreaterThanOrEqual(72); // the tests above wrote at least 70 + 2
    const tokens = metrics.find((m) => m.name === 'fixpoint_tokens_total');
    expect(tokens?.values.find((v) => v.labels['direction'] === 'input')?.value).toBeGreaterThanOrEqual(216); // 3 input tokens each
  });

  it('starts a thread that died again: calls are refused meanwhile, then recorded', async () => {
    expect(recorder.accepting).toBe(true);
    await (recorder as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(recorder.accepting).toBe(false);
    await eventually(() => recorder.accepting);
    const caps = Array.from({ length: 5 }, (_, i) => capture(1000 + i));
    for (const c of caps) recorder.capture(c);
    await recorder.flush();
    expect(await rowsOf(caps.map((c) => c.id))).toHaveLength(5);
  });

  it('close writes everything handed over, however recent', async () => {
    const caps = Array.from({ length: 10 }, (_, i) => capture(2000 + i));
    for (const c of caps) recorder.capture(c);
    await recorder.close();
    expect(await rowsOf(caps.map((c) => c.id))).toHaveLength(10);
  });
});
