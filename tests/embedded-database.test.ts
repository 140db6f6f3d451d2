/**
 * The embedded database (PGlite in a thread of its own, behind the wire protocol on a Unix socket):
 * several connections share its one session as if each had its own — a transaction's work is seen
 * by no other connection before its commit, nor ever when its connection goes away mid-transaction,
 * and what a connection prepared is closed with it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/index.ts';

describe('embedded database', () => {
  let database: Database;
  const clients: postgres.Sql[] = [];
  const connect = (max = 2) => {
    const sql = postgres(database.url.replace(/\?host=(.*)$/, ''), { path: `${decodeURIComponent(/\?host=(.*)$/.exec(database.url)?.[1] ?? '')}/.s.PGSQL.5432`, max, onnotice: () => {} });
    clients.push(sql);
    return sql;
  };

  beforeAll(async () => {
    database = openDatabase({ dataDir: mkdtempSync(path.join(tmpdir(), 'fixpoint-embedded-')) });
    await database.migrate();
    const sql = connect();
    await sql`create table if not exists wire_t (id int primary key, v text)`;
  });
  afterAll(async () => {
    for (const c of clients) await c.end({ timeout: 1 });
    await database.close();
  });

  it('is reached over a Unix socket, with the migrated schema', async () => {
    expect(database.kind).toBe('pglite');
    expect(database.url).toMatch(/\?host=%2F/);
    expect(await database.ping()).toBe(true);
    const [row] = await connect()<{ n: string }[]>`select count(*)::text as n from calls`;
    expect(row?.n).toBe('0');
  });

  it("runs another connection's statements only after a transaction commits, and they see its work then", async () => {
    const a = connect();
    const b = connect();
    const tx = await a.reserve();
    await tx`begin`;
    await tx`insert into wire_t values (1, 'in tx')`;
    let seen: number | null = null;
    const read = b<{ n: number }[]>`select count(*)::int as n from wire_t where id = 1`.then(([r]) => (seen = r?.n ?? -1));
    // The transaction's own statements keep running while the other connection waits.
    await tx`insert into wire_t values (2, 'in tx')`;
    const [own] = await tx<{ n: number }[]>`select count(*)::int as n from wire_t where id in (1, 2)`;
    expect(own?.n).toBe(2);
    expect(seen).toBeNull();
    await tx`commit`;
    tx.release();
    await read;
    expect(seen).toBe(1);
  });

  it('rolls back the transaction of a connection that goes away in the middle of it, and the others go on', async () => {
    const a = connect(1);
    const b = connect();
    const tx = await a.reserve();
    await tx`begin`;
    await tx`insert into wire_t values (10, 'lost')`;
    const read = b<{ n: number }[]>`select count(*)::int as n from wire_t where id = 10`;
    await a.end({ timeout: 0 }); // the connection closes with its transaction open
    const [r] = await read;
    expect(r?.n).toBe(0);
    // The session is free again: another transaction commits.
    await b.begin(async (t) => {
      await t`insert into wire_t values (11, 'kept')`;
    });
    const [kept] = await connect()<{ n: number }[]>`select count(*)::int as n from wire_t where id = 11`;
    expect(kept?.n).toBe(1);
  });

  it('an error in one connection leaves the others untouched', async () => {
    const a = connect();
    const b = connect();
    const failing = a`select * from no_such_table`;
    const ok = b<{ n: number }[]>`select 41 + 1 as n`;
    await expect(failing).rejects.toThrow(/no_such_table/);
    expect((await ok)[0]?.n).toBe(42);
    expect((await a<{ n: number }[]>`select 1 as n`)[0]?.n).toBe(1);
  });

  it("closes a connection's prepared statements when it goes away", async () => {
    const watcher = connect(1);
    const count = async () => Number((await watcher.unsafe<{ n: string }[]>('select count(*) as n from pg_prepared_statements'))[0]?.n);
    const before = await count();
    const a = connect(1);
    await a`select ${1}::int as one`;
    await a`select ${'x'}::text as two`;
    expect(await count()).toBeGreaterThanOrEqual(before + 2);
    await a.end();
    // The watcher's own statement was prepared before `before`; the next count runs after the close.
    await watcher`select 1`;
    expect(await count()).toBe(before + 1);
  });
});
