/**
 * The embedded database busy for longer than a Postgres write may take (one statement holding its
 * one session, as a synchronous stretch of PGlite's work does under load): the recorder waits for it
 * and writes, rather than taking a database in this very process for unreachable and spooling.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { calls } from '../src/db/index.ts';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';

let h: Harness;

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fixpoint-embedded-busy-'));
  h = await startHarness({ DATABASE_URL: undefined, REDIS_URL: undefined }, { db: { url: undefined, dataDir, drop: async () => {} } });
}, 120_000);
afterAll(async () => h?.close());

const counter = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${h.gateway.url}/metrics`)).text())?.[1] ?? 0);

it('waits for the embedded database busy for 1.5 s instead of spooling', async () => {
  expect(h.gateway.deps.database.kind).toBe('pglite');
  const client = clientFor(h);
  // PGlite runs one statement at a time for all its connections: this one holds it.
  const busy = h.gateway.deps.database.runAll([{ text: 'select pg_sleep(1.5)', params: [] }]);
  await new Promise((r) => setTimeout(r, 100));
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `while busy ${i}` }] }).withResponse();
    ids.push(response.headers.get('x-fixpoint-call-id')!);
  }
  await h.gateway.deps.recorder.flush();
  await busy;
  await h.gateway.deps.recorder.flush();
  const rows = await h.gateway.deps.database.db.select({ id: calls.id }).from(calls).where(inArray(calls.id, ids));
  expect(rows).toHaveLength(5);
  expect(await counter('fixpoint_records_spooled_total')).toBe(0);
});
