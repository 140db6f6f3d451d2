import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type Database } from '../../src/db/index.ts';
import { createScratchDatabase } from '../../testkit/scratch-database.ts';

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
  const scratch = await createScratchDatabase(base, 'fixpoint_t');
  return { url: scratch.url, dataDir, drop: scratch.drop };
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
