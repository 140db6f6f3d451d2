import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import postgres from 'postgres';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Statement {
  text: string;
  params: (string | null)[];
}

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Apply committed migrations (serialised across processes on Postgres with an advisory lock). */
  migrate(): Promise<void>;
  /**
   * Raw statements with text parameters ($1, $2, ...; their types come from where they are used),
   * straight on the driver, in one transaction: all of them or none. On Postgres each is prepared
   * once per connection and reused, and they are sent pipelined, so a batch costs one round trip
   * and one commit (a commit, with its WAL flush, costs Postgres more CPU than a 64-row insert).
   * For the recorder's fixed-shape batch inserts; everything else goes through `db`.
   */
  runAll(statements: readonly Statement[]): Promise<void>;
  /** A cheap round trip: true when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const MIGRATION_LOCK = 0x46495850; // "FIXP"

export function openDatabase(opts: { databaseUrl?: string; dataDir: string }): Database {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(path.join(opts.dataDir, 'db'));
}

function openPostgres(url: string): Database {
  const client = postgres(url, {
    max: 10,
    connect_timeout: 5,
    idle_timeout: 60,
    onnotice: () => {},
  });
  const db = drizzlePostgres({ client, schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    async runAll(statements) {
      if (statements.length === 1) {
        const [one] = statements as [Statement];
        await client.unsafe(one.text, one.params, { prepare: true });
        return;
      }
      await client.begin((tx) => statements.map((s) => tx.unsafe(s.text, s.params, { prepare: true })));
    },
    async migrate() {
      const lock = await client.reserve();
      try {
        await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
        await migratePostgres(drizzlePostgres({ client, casing: 'snake_case' }), { migrationsFolder });
      } finally {
        await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => undefined);
        lock.release();
      }
    },
    async ping() {
      try {
        await client`select 1`;
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}

function openPglite(dir: string): Database {
  mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  const pdb = drizzlePglite({ client, schema, casing: 'snake_case' });
  return {
    db: pdb as unknown as Db,
    kind: 'pglite',
    async runAll(statements) {
      if (statements.length === 1) {
        const [one] = statements as [Statement];
        await client.query(one.text, one.params);
        return;
      }
      await client.transaction(async (tx) => {
        for (const s of statements) await tx.query(s.text, s.params);
      });
    },
    migrate: () => migratePglite(pdb, { migrationsFolder }),
    async ping() {
      try {
        await client.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}
