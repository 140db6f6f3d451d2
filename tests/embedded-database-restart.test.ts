/**
 * The embedded database's thread (PGlite, no DATABASE_URL) dies under a gateway taking calls: it is
 * started again on the same data folder and socket, the connections come back by themselves, every
 * acknowledged call is recorded exactly once (those made while it was down go through the spool),
 * the restart is logged and counted, and /readyz says so while it is down.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { pino } from 'pino';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls } from '../src/db/index.ts';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';

let h: Harness;
let client: OpenAI;
const logged: { msg: string; reason?: string; delayMs?: number }[] = [];

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fixpoint-embedded-restart-'));
  const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as (typeof logged)[number]) });
  // Embedded whatever the environment says: no DATABASE_URL, and in-process jobs.
  h = await startHarness({ DATABASE_URL: undefined, REDIS_URL: undefined }, { db: { url: undefined, dataDir, drop: async () => {} }, logger });
  client = clientFor(h);
}, 120_000);
afterAll(async () => h?.close());

const readyz = async () => (await (await fetch(`${h.gateway.url}/readyz`)).json()) as { status: string; database: string };
const restartsCounted = async () => {
  const text = await (await fetch(`${h.gateway.url}/metrics`)).text();
  return Number(/^fixpoint_embedded_database_restarts_total (\S+)$/m.exec(text)?.[1]);
};
const call = async (n: number) => {
  const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `restart ${n}` }] }).withResponse();
  expect(response.status).toBe(200);
  return response.headers.get('x-fixpoint-call-id')!;
};

describe('embedded database thread restart', () => {
  it('comes back on the same data and socket; every acknowledged call is recorded once; logged, counted, and /readyz follows', async () => {
    const database = h.gateway.deps.database;
    expect(database.kind).toBe('pglite');
    const embedded = database.embedded!;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await call(i));
    await eventually(async () => expect(await readyz()).toMatchObject({ status: 'ready', database: 'up' }));
    expect(await restartsCounted()).toBe(0);

    await embedded.terminateThreadForTests();
    expect(embedded.restarting).toBe(true);
    expect(await readyz()).toMatchObject({ status: 'degraded', database: 'unreachable' });

    // Calls go on while it is down (their records are spooled) and after it is back.
    let whileDown = 0;
    for (let i = 5; embedded.restarting || i < 15; i++) {
      const down = embedded.restarting;
      ids.push(await call(i));
      if (down && embedded.restarting) whileDown++;
      if (i > 2000) throw new Error('the embedded database did not come back');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(whileDown).toBeGreaterThan(0);

    // Back: /readyz is ready again and the gateway's own connections work without being reopened.
    await eventually(async () => expect(await readyz()).toMatchObject({ status: 'ready', database: 'up' }), 30_000);
    const rows = await eventually(async () => {
      await h.gateway.deps.recorder.flush();
      const found = await database.db
        .select({ id: calls.id, n: sql<number>`count(*)::int` })
        .from(calls)
        .where(inArray(calls.id, ids))
        .groupBy(calls.id);
      expect(found).toHaveLength(ids.length);
      return found;
    }, 30_000);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const [total] = await database.db.select({ n: sql<number>`count(*)::int` }).from(calls);
    expect(total?.n).toBe(ids.length);

    expect(await restartsCounted()).toBe(1);
    const restartLogs = logged.filter((l) => l.msg.includes("embedded database's thread died"));
    expect(restartLogs).toHaveLength(1);
    expect(restartLogs[0]).toMatchObject({ reason: 'its thread exited (code 1)', delayMs: 500 });
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(Number(/^fixpoint_records_spooled_total (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(Number(/^fixpoint_records_dropped_total\{[^}]*\} (\S+)$/m.exec(metrics)?.[1] ?? 0)).toBe(0);
  }, 120_000);
});
