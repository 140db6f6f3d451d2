/**
 * `npm run faults`: the fault run of issue 19. ~200 calls/s (half streaming, 1 poison request a
 * second mixed in) through a gateway on its own Postgres and Redis (private instances: the shared
 * ones on 5432/6379 are never touched), thread recorder, against the fake upstream, through phases:
 * Postgres down 60 s, Redis down 60 s, kill -9 of the gateway ×5 (restarted each time), poison at
 * 10/s, SIGTERM under load (restarted). Then the bad-input list. Prints, per phase: sent,
 * acknowledged (2xx and the whole answer), recorded (a row in calls, read after the spool replayed),
 * lost, duplicated, 503s. Options: --rate N (default 200), --outage S (default 60).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { badInputTable, runBadInputs } from './bad-inputs.ts';
import { FaultLoad, type Outcome } from './fault-load.ts';
import { restartableGateway, startPrivatePostgres, startPrivateRedis } from './fault-stack.ts';
import { forkServer } from './processes.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RATE = arg('rate', 200);
const OUTAGE_S = arg('outage', 60);
const sleep = (s: number) => new Promise<void>((r) => setTimeout(r, s * 1000));
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

const dir = mkdtempSync(join(tmpdir(), 'fixpoint-faults-'));
chmodSync(dir, 0o755); // the private Postgres runs as the postgres user and must reach its folder inside
log(`fault run in ${dir}: ${RATE} calls/s, outages of ${OUTAGE_S} s`);
const pg = await startPrivatePostgres(join(dir, 'postgres'));
const redis = await startPrivateRedis();
const upstream = await forkServer('fake upstream', './upstream-process.ts', ['0']);
const gw = await restartableGateway(
  {
    ...process.env,
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    FIXPOINT_REDIS_PREFIX: 'faults',
    OPENAI_BASE_URL: `${upstream.origin}/v1`,
    OPENAI_API_KEY: 'sk-fault-run-operator-key-00000',
    ANTHROPIC_BASE_URL: upstream.origin,
    LOG_LEVEL: 'warn',
    FIXPOINT_RECORDER: 'thread',
  },
  dir,
);
await gw.start();
log(`gateway up at ${gw.origin} (pid ${gw.pid()})`);

const load = new FaultLoad(() => gw.origin, RATE);
const notes: Record<string, string> = {};
const phase = async (name: string, body: () => Promise<void>) => {
  load.phase = name;
  log(`phase: ${name}`);
  await body();
};
load.start();
try {
  await phase('baseline', () => sleep(15));
  await phase(`Postgres down ${OUTAGE_S} s`, async () => {
    await pg.stop();
    await sleep(OUTAGE_S);
    await pg.start();
    await sleep(15);
  });
  await phase(`Redis down ${OUTAGE_S} s`, async () => {
    await redis.stop();
    await sleep(OUTAGE_S);
    await redis.start();
    await sleep(10);
  });
  await phase('kill -9 ×5', async () => {
    const downtimes: string[] = [];
    for (let i = 0; i < 5; i++) {
      await sleep(5);
      gw.signal('SIGKILL');
      await gw.exited();
      const t0 = Date.now();
      await gw.start();
      downtimes.push(((Date.now() - t0) / 1000).toFixed(1));
    }
    await sleep(5);
    notes['kill -9 ×5'] = `restart to /healthz: ${downtimes.join(', ')} s`;
  });
  await phase('poison 10/s', async () => {
    load.poisonPerSecond = 10;
    await sleep(20);
    load.poisonPerSecond = 1;
  });
  await phase('SIGTERM under load', async () => {
    await sleep(5);
    const t0 = Date.now();
    gw.signal('SIGTERM');
    await gw.exited();
    const exitS = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    await gw.start();
    notes['SIGTERM under load'] = `exit ${exitS.toFixed(1)} s after SIGTERM; restart to /healthz ${((Date.now() - t1) / 1000).toFixed(1)} s`;
    await sleep(5);
  });
} finally {
  await load.stop();
}
log('load stopped; the bad-input list');
const bad = await runBadInputs(gw.origin);

log('waiting for the spool to replay');
const sql = postgres(pg.url, { max: 2, onnotice: () => undefined });
const acked = load.outcomes.filter((o) => o.acknowledged && o.callId);
const countRecorded = async () => (await sql<{ n: number }[]>`select count(*)::int as n from calls where id = any(${acked.map((o) => o.callId as string)}::uuid[])`)[0]?.n ?? 0;
let last = -1;
for (let stable = 0, i = 0; stable < 3 && i < 90; i++) {
  await sleep(2);
  const n = await countRecorded();
  stable = n === last && gw.spoolFiles() === 0 ? stable + 1 : 0;
  last = n;
}
gw.signal('SIGTERM');
await gw.exited();

const rows = await sql<{ id: string; n: number }[]>`select id::text, count(*)::int as n from calls where id = any(${acked.map((o) => o.callId as string)}::uuid[]) group by id`;
const rowsById = new Map(rows.map((r) => [r.id, r.n]));
const allDuplicates = (await sql<{ n: number }[]>`select count(*)::int as n from (select id from calls group by id having count(*) > 1) d`)[0]?.n ?? 0;
await sql.end();

const phases = [...new Set(load.outcomes.map((o) => o.phase))];
const idsSeen = new Map<string, number>();
for (const o of load.outcomes) if (o.callId) idsSeen.set(o.callId, (idsSeen.get(o.callId) ?? 0) + 1);
const line = (name: string, os: Outcome[]) => {
  const ack = os.filter((o) => o.acknowledged && o.callId);
  const recorded = ack.filter((o) => rowsById.has(o.callId as string)).length;
  const dup = ack.filter((o) => (rowsById.get(o.callId as string) ?? 0) > 1 || (idsSeen.get(o.callId as string) ?? 0) > 1).length;
  const poison = os.filter((o) => o.kind === 'poison');
  const errors = os.filter((o) => o.status === null).length;
  const other = os.filter((o) => o.status !== null && !o.acknowledged && o.status !== 503 && o.kind !== 'poison').length;
  return `| ${name} | ${os.length} | ${os.filter((o) => o.kind === 'stream').length} | ${ack.length} | ${recorded} | ${ack.length - recorded} | ${dup} | ${os.filter((o) => o.status === 503).length} | ${errors} | ${other} | ${poison.length} / ${poison.filter((o) => o.status === 400).length} |`;
};
console.log(`\n## Fault run, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (${RATE} calls/s, \`npm run faults\`)\n`);
console.log('| phase | sent | of them streams | acknowledged | recorded | lost | duplicated | 503s | connection errors | other non-2xx or cut | poison sent / 400 |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const p of phases) console.log(line(p, load.outcomes.filter((o) => o.phase === p)));
console.log(line('**all**', load.outcomes));
console.log(`\nRows with a duplicated call id in the whole calls table: ${allDuplicates}.`);
for (const [p, note] of Object.entries(notes)) console.log(`* ${p}: ${note}`);
const errorKinds = new Map<string, number>();
for (const o of load.outcomes) if (o.error) errorKinds.set(`${o.phase}: ${o.error}`, (errorKinds.get(`${o.phase}: ${o.error}`) ?? 0) + 1);
for (const [k, n] of errorKinds) console.log(`* connection error ${k} ×${n}`);
const lost = load.outcomes.filter((o) => o.acknowledged && o.callId && !rowsById.has(o.callId));
if (lost.length) console.log(`* lost call ids (first 5): ${lost.slice(0, 5).map((o) => `${o.callId} (${o.phase}, ${o.kind})`).join(', ')}`);
console.log('\n## Bad inputs\n');
console.log(badInputTable(bad));

await redis.stop();
await pg.stop();
await upstream.stop();
if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
else console.log(`\nkept ${dir} (gateway.log, postgres/pg.log)`);
