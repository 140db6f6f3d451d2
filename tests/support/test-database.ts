import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../src/db/index.ts';

export interface TestDatabase {
  /** Set when running against real Postgres (DATABASE_URL given); undefined means embedded PGlite. */
  url: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * Each test file gets its own database: a fresh one on the Postgres server named by DATABASE_URL
 * (CI), or PGlite in its own temporary data directory otherwise.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'fixpoint-test-'));
  const base = process.env['DATABASE_URL'];
  if (!base) return { url: undefined, dataDir, drop: async () => {} };
  const name = `fixpoint_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    async drop() {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** The test file's own database (createTestDatabase), opened and migrated; `close` closes and drops it. */
export async function openMigratedTestDatabase(): Promise<{ database: Database; tdb: TestDatabase; close(): Promise<void> }> {
  const tdb = await createTestDatabase();
  const database = openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
  await database.migrate();
  return {
    database,
    tdb,
    async close() {
      await database.close();
      await tdb.drop();
    },
  };
}
