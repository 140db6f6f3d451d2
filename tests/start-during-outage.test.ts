import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../testkit/fake-upstream/index.ts';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';
import { createTestDatabase } from './support/test-database.ts';

/** Needs a database behind a socket it can take away: runs on Postgres (CI sets DATABASE_URL). */
const onPostgres = describe.skipIf(!process.env['DATABASE_URL']);

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(async () => fake?.close());

async function metric(h: Harness, name: string): Promise<number> {
  const text = await (await fetch(`${h.gateway.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function readyz(h: Harness): Promise<{ code: number; body: { status: string; database: string; recording: boolean } }> {
  const res = await fetch(`${h.gateway.url}/readyz`);
  return { code: res.status, body: (await res.json()) as { status: string; database: string; recording: boolean } };
}

onPostgres('serve starts while the database is down', () => {
  it('proxies and spools, says degraded, then migrates, replays and turns ready when the database answers', async () => {
    // A fresh database (no tables yet) behind a proxy that refuses connections: the first start during an outage.
    const db = await createTestDatabase();
    const direct = new URL(db.url!);
    const proxy = await startTcpProxy(direct.hostname, Number(direct.port || 5432));
    await proxy.cut();
    const viaProxy = new URL(direct);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    let h: Harness | undefined;
    try {
      h = await startHarness({ DATABASE_URL: viaProxy.toString(), FIXPOINT_MIGRATE_RETRY_MAX_MS: '400' }, { fake, db });
      expect(h.gateway.deps.schema.migrated).toBe(false);

      const client = clientFor(h);
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `during the outage ${i}` }] }).withResponse();
        expect(response.status).toBe(200);
        expect(data.choices[0]?.message.content).toContain(`during the outage ${i}`);
        ids.push(response.headers.get('x-fixpoint-call-id')!);
      }
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'streamed during the outage' }] }).withResponse();
      for await (const _ of stream.data) {
        /* drain */
      }
      ids.push(stream.response.headers.get('x-fixpoint-call-id')!);

      await eventually(async () => expect(await metric(h!, 'fixpoint_records_spooled_total')).toBe(ids.length));
      const degraded = await readyz(h);
      expect(degraded.code).toBe(200); // still taking calls: the load balancer keeps it
      expect(degraded.body).toMatchObject({ status: 'degraded', recording: true });
      expect(degraded.body.database).toMatch(/^unreachable: ECONNREFUSED, migrations pending$/);
      // What needs the tables answers 503 with Retry-After rather than failing on a missing relation.
      const api = await h.admin('/api/calls');
      expect(api.status).toBe(503);
      expect(api.headers.get('retry-after')).toBe('5');

      await proxy.restore();
      await eventually(async () => expect((await readyz(h!)).body).toMatchObject({ status: 'ready', database: 'up' }), 20_000);
      expect(h.gateway.deps.schema.migrated).toBe(true);
      await eventually(async () => {
        const rows = await h!.allRows();
        expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
      }, 20_000);
      expect(await metric(h, 'fixpoint_records_replayed_total')).toBe(ids.length);
      expect((await h.admin(`/api/calls/${ids[0]}`)).status).toBe(200);
    } finally {
      await h?.close();
      await proxy.close();
      await db.drop();
    }
  });
});
