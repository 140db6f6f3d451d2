import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../testkit/fake-upstream/index.ts';
import { clientFor, CLIENT_KEY, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

/** Taking "the database" away needs a server behind a socket: these run on Postgres (CI sets DATABASE_URL). */
const onPostgres = describe.skipIf(!process.env['DATABASE_URL']);

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(async () => fake?.close());

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

interface Proxied {
  db: TestDatabase;
  proxy: TcpProxy;
  /** The test database's URL, through the proxy. */
  url: string;
}

async function proxiedDatabase(): Promise<Proxied> {
  const db = await createTestDatabase();
  const direct = new URL(db.url!);
  const proxy = await startTcpProxy(direct.hostname, Number(direct.port || 5432));
  const url = new URL(direct);
  url.host = `127.0.0.1:${proxy.port}`;
  return { db, proxy, url: url.toString() };
}

async function chat(h: Harness, content: string): Promise<string> {
  const client = clientFor(h);
  const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }).withResponse();
  return response.headers.get('x-fixpoint-call-id')!;
}

async function expectEachOnce(h: Harness, ids: string[]): Promise<void> {
  await eventually(async () => {
    await h.gateway.deps.recorder.flush();
    const rows = await h.allRows();
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    for (const id of ids) expect(counts.get(id), `call ${id}`).toBe(1);
    expect(rows).toHaveLength(ids.length);
  }, 20_000);
}

onPostgres('database down mid-traffic', () => {
  it('every acknowledged call is recorded exactly once after the database comes back', async () => {
    const p = await proxiedDatabase();
    const h = await startHarness({ DATABASE_URL: p.url, FIXPOINT_RECORD_FLUSH_MS: '25' }, { fake, db: p.db });
    const ids: string[] = [];
    try {
      for (let i = 0; i < 20; i++) ids.push(await chat(h, `before ${i}`));
      await p.proxy.cut();
      for (let i = 0; i < 40; i++) ids.push(await chat(h, `during ${i}`));
      const client = clientFor(h);
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'streamed while down' }] }).withResponse();
      for await (const _ of stream.data) {
        /* drain */
      }
      ids.push(stream.response.headers.get('x-fixpoint-call-id')!);
      await eventually(async () => expect(await metric(h.gateway.url, 'fixpoint_records_spooled_total')).toBeGreaterThan(0));
      const degraded = (await (await fetch(`${h.gateway.url}/readyz`)).json()) as { status: string; database: string };
      expect(degraded).toMatchObject({ status: 'degraded', database: 'unreachable' });
      await p.proxy.restore();
      await expectEachOnce(h, ids);
      expect(await metric(h.gateway.url, 'fixpoint_records_replayed_total')).toBeGreaterThan(0);
    } finally {
      await h.close();
      await p.proxy.close();
      await p.db.drop();
    }
  });

  it('with the jobs in the gateway, calls stored at once are checked in hand and replayed ones by a job: each evaluated once', async () => {
    const p = await proxiedDatabase();
    const h = await startHarness({ DATABASE_URL: p.url, REDIS_URL: undefined, FIXPOINT_RECORD_FLUSH_MS: '25' }, { fake, db: p.db });
    const counter = async (name: string, labels: string) =>
      Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)`, 'm').exec(await (await fetch(`${h.gateway.url}/metrics`)).text())?.[1] ?? 0);
    const ids: string[] = [];
    try {
      expect(h.gateway.deps.jobs.kind).toBe('in-process');
      for (let i = 0; i < 10; i++) ids.push(await chat(h, `before ${i}`));
      await h.gateway.deps.recorder.flush();
      expect(await counter('fixpoint_calls_evaluated_total', 'component="default"')).toBe(10);
      expect(await counter('fixpoint_jobs_completed_total', 'queue="detect.calls"')).toBe(0);
      await p.proxy.cut();
      for (let i = 0; i < 10; i++) ids.push(await chat(h, `during ${i}`));
      await eventually(async () => expect(await metric(h.gateway.url, 'fixpoint_records_spooled_total')).toBeGreaterThan(0));
      await p.proxy.restore();
      await expectEachOnce(h, ids);
      // The replayed records are not the ones finalized in hand: a detection job reads them back.
      await eventually(async () => expect(await counter('fixpoint_calls_evaluated_total', 'component="default"')).toBe(20), 20_000);
      expect(await counter('fixpoint_jobs_completed_total', 'queue="detect.calls"')).toBeGreaterThan(0);
      const marks = await h.gateway.deps.database.db.execute(sql`select count(*)::int as n from call_evaluations where call_id = any(${`{${ids.join(',')}}`}::uuid[])`);
      expect((marks as unknown as { n: number }[])[0]?.n).toBe(20);
    } finally {
      await h.close();
      await p.proxy.close();
      await p.db.drop();
    }
  });

  it('with the database not answering, acknowledged calls reach the spool within a few flush intervals, then are replayed once', async () => {
    const p = await proxiedDatabase();
    // Intervals as the gateway's own: hand-over to the recorder's thread (50 ms) and flush (50 ms).
    const flushMs = 50;
    const writeTimeoutMs = 200;
    const h = await startHarness({ DATABASE_URL: p.url, FIXPOINT_RECORD_FLUSH_MS: String(flushMs), FIXPOINT_RECORD_WRITE_TIMEOUT_MS: String(writeTimeoutMs) }, { fake, db: p.db });
    const spooled = () => {
      const dir = path.join(p.db.dataDir, 'spool');
      return readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'latin1')).join('');
    };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const ids: string[] = [];
    try {
      for (let i = 0; i < 5; i++) ids.push(await chat(h, `before ${i}`));
      await h.gateway.deps.recorder.flush();
      p.proxy.blackhole();
      // The first write after the outage began waits at most the write timeout; then everything
      // acknowledged is in the spool within a few intervals, every round: nothing waits on a check
      // of the database, which does not answer either.
      for (let round = 0; round < 4; round++) {
        const acked: string[] = [];
        for (let i = 0; i < 5; i++) acked.push(await chat(h, `round ${round} call ${i}`));
        ids.push(...acked);
        await sleep((round === 0 ? writeTimeoutMs : 0) + 6 * flushMs);
        const spool = spooled();
        for (const id of acked) expect(spool, `round ${round}: call ${id} in the spool`).toContain(id);
      }
      await p.proxy.restore();
      await expectEachOnce(h, ids);
    } finally {
      await h.close();
      await p.proxy.close();
      await p.db.drop();
    }
  });

  it('records spooled before a shutdown are replayed once by the next process', async () => {
    const p = await proxiedDatabase();
    const ids: string[] = [];
    try {
      const first = await startHarness({ DATABASE_URL: p.url }, { fake, db: p.db });
      await p.proxy.cut();
      for (let i = 0; i < 10; i++) ids.push(await chat(first, `r${i}`));
      await first.close(); // database down: what is buffered goes to the spool
      await p.proxy.restore();
      const next = await startHarness({ DATABASE_URL: p.db.url! }, { fake, db: p.db });
      try {
        await expectEachOnce(next, ids);
      } finally {
        await next.close();
      }
    } finally {
      await p.proxy.close();
      await p.db.drop();
    }
  });
});

/** A small tmpfs as the data directory, filled to the brim: a real "disk full". Needs root (CI and dev machines run as root). */
function fullDisk(): string | null {
  const dir = mkdtempSync(path.join(tmpdir(), 'fixpoint-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return dir;
}
function fill(dir: string): void {
  const fd = openSync(path.join(dir, 'filler'), 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch {
    /* ENOSPC: full */
  } finally {
    closeSync(fd);
  }
}

const diskDir = process.env['DATABASE_URL'] ? fullDisk() : null;
describe.skipIf(!diskDir)('database down and the spool disk full', () => {
  afterAll(() => {
    if (diskDir) execFileSync('umount', [diskDir]);
  });

  it('new calls get 503 with Retry-After instead of going unrecorded; accepted ones are kept and written later', async () => {
    const p = await proxiedDatabase();
    mkdirSync(path.join(diskDir!, 'spool'), { recursive: true });
    const h = await startHarness({ DATABASE_URL: p.url, FIXPOINT_DATA_DIR: diskDir!, FIXPOINT_RECORD_FLUSH_MS: '25' }, { fake, db: p.db });
    const ids: string[] = [];
    try {
      ids.push(await chat(h, 'first'));
      await h.gateway.deps.recorder.flush();
      fill(diskDir!);
      await p.proxy.cut();
      ids.push(await chat(h, 'accepted while storage fails'));
      const refused = await eventually(async () => {
        const res = await fetch(`${h.gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'refused?' }] }),
        });
        if (res.status === 200) ids.push(res.headers.get('x-fixpoint-call-id')!);
        expect(res.status).toBe(503);
        return res;
      });
      expect(refused.headers.get('retry-after')).toBeTruthy();
      expect((await fetch(`${h.gateway.url}/readyz`)).status).toBe(503);
      expect(await metric(h.gateway.url, 'fixpoint_record_rejections_total')).toBeGreaterThan(0);
      await p.proxy.restore();
      await eventually(async () => expect((await fetch(`${h.gateway.url}/readyz`)).status).toBe(200));
      ids.push(await chat(h, 'after recovery'));
      await expectEachOnce(h, ids);
    } finally {
      await h.close();
      await p.proxy.close();
      await p.db.drop();
    }
  });
});

describe('SIGTERM drain', () => {
  it('turns /readyz red, lets an in-flight stream finish, and records it', async () => {
    const h = await startHarness({}, { fake });
    const client = clientFor(h);
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'long [[words:10]] [[slow:80]]' }] })
      .withResponse();
    const id = response.headers.get('x-fixpoint-call-id')!;
    const closing = h.gateway.close(10_000, 300);
    const ready = await fetch(`${h.gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    await closing;
    // The gateway is closed: read the record with a fresh connection to the same database.
    const { openDatabase, calls } = await import('../src/db/index.ts');
    const { eq } = await import('drizzle-orm');
    const db = openDatabase({ databaseUrl: h.db.url, dataDir: path.join(h.db.dataDir) });
    try {
      const rows = await db.db.select().from(calls).where(eq(calls.id, id));
      expect(rows).toHaveLength(1);
      expect(rows[0]?.status).toBe('success');
    } finally {
      await db.close();
      await h.db.drop();
    }
  });
});
