/** The bench's own databases on a Postgres server: an admin connection, and a database made anew. */
import postgres from 'postgres';

/** A connection to the `postgres` database of the server of `url`, for creating and dropping databases. */
export function adminClient(url: string): postgres.Sql {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return postgres(admin.toString(), { max: 1, connect_timeout: 5, onnotice: () => undefined });
}

/** Drops the database of `url` if it is there (closing its connections) and creates it empty. */
export async function recreateDatabase(url: string): Promise<void> {
  const quoted = `"${decodeURIComponent(new URL(url).pathname.slice(1)).replace(/"/g, '""')}"`;
  const admin = adminClient(url);
  try {
    await admin.unsafe(`drop database if exists ${quoted} with (force)`);
    await admin.unsafe(`create database ${quoted}`);
  } finally {
    await admin.end({ timeout: 2 });
  }
}
