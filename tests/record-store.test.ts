import { randomUUID } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallCapture } from '../src/core/call-capture.ts';
import { calls, prompts, type Database } from '../src/db/index.ts';
import { callColumnNames, cleanRecord, finalizeCapture, reviveRecord, type FinalRecord } from '../src/record/finalize.ts';
import { sanitizeForPostgres } from '../src/record/sanitize.ts';
import { chunkSizes, createRecordStore, type RecordStore } from '../src/record/store.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';

let closeDatabase: (() => Promise<void>) | undefined;
let database: Database;
let store: RecordStore;

beforeAll(async () => {
  ({ database, close: closeDatabase } = await openMigratedTestDatabase());
  store = createRecordStore(database);
});
afterAll(async () => {
  await closeDatabase?.();
});

const awkward = 'quote " backslash \\ tab \t newline \n emoji 😀 accents é {braces} , comma';

function capture(over: Partial<CallCapture> = {}): CallCapture {
  const response = { id: 'c1', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: awkward }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } };
  return {
    id: randomUUID(), route: 'chat.completions', startedAt: Date.UTC(2026, 10, 28, 12, 0, 0, 123), endedAt: Date.UTC(2026, 10, 28, 12, 0, 1), latencyMs: 877.25,
    upstreamLatencyMs: 800.5, ttftMs: 12.75, component: 'store-test', provider: 'openai', requestedModel: 'alias', servedModel: 'gpt-4o-mini',
    status: 'success', httpStatus: 200, stream: true,
    request: { model: 'alias', messages: [{ role: 'system', content: `system ${awkward}` }, { role: 'user', content: awkward }] },
    response: { shape: 'openai.chat', stream: false, body: Buffer.from(JSON.stringify(response)) },
    error: null, sessionId: 's "1"', userId: 'u\\1', properties: { team: awkward }, clientKeyHash: 'h'.repeat(64), promptVersionId: null,
    ...over,
  };
}

const noPrices = () => null;
const recordOf = (c: CallCapture): FinalRecord => finalizeCapture(c, noPrices).record;

describe('record store: batched, prepared inserts', () => {
  it('cuts any batch into the fixed statement sizes, covering every row once', () => {
    for (let n = 1; n <= 600; n++) {
      const parts = chunkSizes(n);
      expect(parts.reduce((s, p) => s + p.rows, 0)).toBe(n);
      for (const p of parts) expect([64, 32, 16, 8, 4, 2, 1]).toContain(p.size);
      for (const p of parts) expect(p.rows).toBeLessThanOrEqual(p.size);
    }
  });

  it('stores every column exactly as captured: types, escapes, arrays, JSON, unicode', async () => {
    const c = capture();
    await store.insert([recordOf(c)]);
    const [row] = await database.db.select().from(calls).where(eq(calls.id, c.id));
    expect(row).toMatchObject({
      id: c.id, route: 'chat.completions', component: 'store-test', provider: 'openai', requestedModel: 'alias', servedModel: 'gpt-4o-mini',
      status: 'success', httpStatus: 200, stream: true, finishReasons: ['stop'], inputTokens: 3, outputTokens: 4, totalTokens: 7,
      latencyMs: 877.25, upstreamLatencyMs: 800.5, ttftMs: 12.75, sessionId: 's "1"', userId: 'u\\1', properties: { team: awkward },
    });
    expect(row?.startedAt.toISOString()).toBe('2026-11-28T12:00:00.123Z');
    expect((row?.responseBody as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe(awkward);
    const messages = (row?.requestBody as { messages: { content: unknown }[] }).messages;
    expect(messages[1]?.content).toBe(awkward);
    const hash = (messages[0]?.content as { $prompt: string }).$prompt;
    const [prompt] = await database.db.select().from(prompts).where(eq(prompts.hash, hash));
    expect(prompt?.content).toBe(`system ${awkward}`);
  });

  it('stores batches of every shape (padded remainders included) once, and a repeated batch adds nothing', async () => {
    for (const n of [1, 3, 70, 200, 300]) {
      const caps = Array.from({ length: n }, (_, i) => capture({ stream: i % 2 === 0, finishReasons: undefined } as Partial<CallCapture>));
      const records = caps.map(recordOf);
      await store.insert(records);
      await store.insert(records.slice(0, Math.ceil(n / 2)));
      const rows = await database.db.select({ id: calls.id, stream: calls.stream }).from(calls).where(inArray(calls.id, caps.map((c) => c.id)));
      expect(rows).toHaveLength(n);
      const byId = new Map(rows.map((r) => [r.id, r.stream]));
      caps.forEach((c) => expect(byId.get(c.id)).toBe(c.stream));
    }
  });

  it('a batch of which some calls are stored already stores the rest, each once', async () => {
    const records = Array.from({ length: 100 }, () => recordOf(capture()));
    await store.insert(records.filter((_, i) => i % 3 === 0));
    await store.insert(records);
    const rows = await database.db.select({ id: calls.id }).from(calls).where(inArray(calls.id, records.map((r) => r.id)));
    expect(rows.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
  });

  it('a row the database refuses fails its statement; its cleaned copy is accepted', async () => {
    const poisoned = recordOf(capture({ error: 'nul \u0000 here', properties: { k: 'lone \ud800 surrogate' } }));
    await expect(store.insert([poisoned])).rejects.toThrow();
    await store.insert([cleanRecord(poisoned, sanitizeForPostgres)]);
    const [row] = await database.db.select().from(calls).where(eq(calls.id, poisoned.id));
    expect(row?.error).toBe('nul \ufffd here');
    expect(row?.properties).toEqual({ k: 'lone \ufffd surrogate' });
  });

  it('records spooled by the earlier format (one JSON row) are converted and stored', async () => {
    const c = capture();
    const current = recordOf(c);
    const row = Object.fromEntries(callColumnNames.map((name, i) => {
      const v = current.values[i] ?? null;
      return [name, ['request_body', 'response_body', 'properties'].includes(name) && v !== null ? JSON.parse(v) : name === 'finish_reasons' ? ['stop'] : name === 'stream' ? true : v];
    }));
    const { values: _values, ...rest } = current;
    const legacy = JSON.parse(JSON.stringify({ ...rest, callJson: JSON.stringify(row) })) as unknown;
    await store.insert([reviveRecord(legacy)]);
    const [stored] = await database.db.select().from(calls).where(eq(calls.id, c.id));
    expect(stored).toMatchObject({ stream: true, finishReasons: ['stop'], httpStatus: 200, properties: { team: awkward } });
  });

  it('sends a prompt text again once its memory of it has expired (the retention sweep may have deleted it since)', async () => {
    const prompt = `retained prompt ${randomUUID()}`;
    const withPrompt = () => recordOf(capture({ request: { model: 'alias', messages: [{ role: 'system', content: prompt }, { role: 'user', content: 'x' }] } }));
    const first = withPrompt();
    await store.insert([first]);
    const hash = first.prompts[0]?.hash as string;
    expect(await database.db.select().from(prompts).where(eq(prompts.hash, hash))).toHaveLength(1);
    await database.db.delete(prompts).where(eq(prompts.hash, hash)); // what retention does to an orphaned prompt
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 11 * 60_000);
      await store.insert([withPrompt()]);
    } finally {
      vi.useRealTimers();
    }
    const [row] = await database.db.select().from(prompts).where(eq(prompts.hash, hash));
    expect(row?.content).toBe(prompt);
  });
});
