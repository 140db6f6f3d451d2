import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createConnection } from 'node:net';
import postgres from 'postgres';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.ts';
import { startEmbeddedDatabase, type EmbeddedDatabase, type EmbeddedDatabaseHooks } from './embedded.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Statement {
  text: string;
  params: (string | null)[];
}

export interface Database {
  db: Db;
  /** `pglite`: the embedded database, in a thread of its own, reached over a Unix socket like Postgres. */
  kind: 'postgres' | 'pglite';
  /** A URL other threads (the recorder's) connect with. */
  url: string;
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
  /** True while it is known to be down without asking it: the embedded database's thread restarting. */
  knownDown(): boolean;
  /** The embedded database's handle (its thread's restarts; a test-only way to end it); none on Postgres. */
  embedded?: EmbeddedDatabase;
  close(): Promise<void>;
}

export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const MIGRATION_LOCK = 0x46495850; // "FIXP"

/**
 * `nice`: for the embedded database's thread, nice steps below the process's CPU priority (Linux);
 * `embedded`: what the embedded database reports (its connections' errors, its thread's restarts).
 */
export function openDatabase(opts: { databaseUrl?: string | undefined; dataDir: string; nice?: number; embedded?: EmbeddedDatabaseHooks }): Database {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openEmbedded(path.join(opts.dataDir, 'db'), opts.nice ?? 0, opts.embedded);
}

/**
 * The driver's options for a URL. A `host` parameter that is a folder (libpq's form for a Unix
 * socket, `postgres://user@localhost/db?host=/run/postgresql`) connects to the socket in it.
 */
function clientOptions(url: string): { url: string; path?: string } {
  const u = new URL(url);
  const host = u.searchParams.get('host');
  if (!host?.startsWith('/')) return { url };
  u.searchParams.delete('host');
  return { url: u.toString(), path: path.join(host, `.s.PGSQL.${u.port || 5432}`) };
}

function openPostgres(databaseUrl: string, embedded?: EmbeddedDatabase): Database {
  const { url, ...socketPath } = clientOptions(databaseUrl);
  const client = postgres(url, {
    ...socketPath,
    // The embedded database: each connection waits until it first serves. While its thread restarts,
    // connecting fails at once (ECONNREFUSED or ENOENT) and the next query connects again.
    ...(embedded ? { socket: async () => embedded.ready.then(() => createConnection(embedded.socketPath)) } : {}),
    max: 10,
    connect_timeout: 5,
    idle_timeout: 60,
    onnotice: () => {},
  });
  const db = drizzlePostgres({ client, schema, casing: 'snake_case' }) as unknown as Db;
  return {
    db,
    kind: embedded ? 'pglite' : 'postgres',
    url: databaseUrl,
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
    knownDown: () => embedded?.restarting ?? false,
    ...(embedded ? { embedded } : {}),
    close: () => client.end({ timeout: 5 }),
  };
}

/** Embedded PGlite, in a thread of its own behind the wire protocol (embedded.ts), reached with the same driver and code as Postgres. */
function openEmbedded(dir: string, nice: number, hooks: EmbeddedDatabaseHooks = {}): Database {
  const embedded = startEmbeddedDatabase(dir, nice, hooks);
  const database = openPostgres(embedded.url, embedded);
  return {
    ...database,
    async close() {
      await database.close();
      await embedded.close();
    },
  };
}
