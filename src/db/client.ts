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

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Apply committed migrations (serialised across processes on Postgres with an advisory lock). */
  migrate(): Promise<void>;
  /**
   * A raw statement with text parameters ($1, $2, ...; their types come from where they are used),
   * straight on the driver: prepared once per connection and reused on Postgres. For the recorder's
   * fixed-shape batch inserts; everything else goes through `db`.
   */
  run(text: string, params: (string | null)[]): Promise<void>;
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
    async run(text, params) {
      await client.unsafe(text, params, { prepare: true });
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
    async run(text, params) {
      await client.query(text, params);
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
