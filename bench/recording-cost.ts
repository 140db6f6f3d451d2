/**
 * The recording path's CPU per call, measured apart from the proxy: finalize (parse, price,
 * encode) and the batch insert of non-streaming chat calls into real Postgres, counting this
 * process's CPU and the Postgres backend's (from /proc). `--against DIR` measures another checkout
 * (with its own src/) the same way, interleaved, so two versions compare side by side in one run.
 * `--embedded` inserts into the embedded database (PGlite in its thread, a fresh data folder) and
 * reports that thread's CPU as the database's.
 *
 *   node --import tsx bench/recording-cost.ts [--calls 20000] [--batch 128] [--rounds 2] [--against DIR] [--embedded]
 *
 * Uses DATABASE_URL or the local fixpoint_bench database (migrated by the measured checkout).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseArgs } from 'node:util';
import { cpuMicros, threadCpuMicros } from './processes.ts';
import { REPO_ROOT, resolveDatabaseUrl } from './gateway.ts';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '20000' }, batch: { type: 'string', default: '128' }, rounds: { type: 'string', default: '2' }, against: { type: 'string' }, child: { type: 'string' }, embedded: { type: 'boolean', default: false } },
});
const calls = Number(values.calls);
const batch = Number(values.batch);

const responseBody = Buffer.from(JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1_700_000_000, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'This is a benchmark answer from the fake upstream, a few words long.' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 20, completion_tokens: 15, total_tokens: 35 },
}));
const capture = () => ({
  id: randomUUID(), route: 'chat.completions', startedAt: Date.now(), endedAt: Date.now() + 1, latencyMs: 1.2, upstreamLatencyMs: 1, ttftMs: null,
  component: 'bench', provider: 'openai', requestedModel: 'gpt-4o-mini', servedModel: 'gpt-4o-mini', status: 'success', httpStatus: 200, stream: false,
  request: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are a terse assistant used for benchmarks.' }, { role: 'user', content: 'Hello, benchmark! Please answer briefly.' }] },
  response: { shape: 'openai.chat', stream: false, body: responseBody }, error: null, sessionId: null, userId: null, properties: {}, clientKeyHash: 'h'.repeat(43), promptVersionId: null,
});

/** One measurement in this process, of the checkout at `root` (embedded: `databaseUrl` undefined): prints a JSON line. */
async function measure(root: string, databaseUrl: string | undefined): Promise<void> {
  const db = await import(`${root}/src/db/index.ts`);
  const record = await import(`${root}/src/record/index.ts`);
  const { finalizeCapture } = await import(`${root}/src/record/finalize.ts`);
  const dataDir = databaseUrl ? '/tmp' : mkdtempSync(join(tmpdir(), 'fixpoint-recording-cost-'));
  const database = db.openDatabase({ databaseUrl, dataDir });
  await database.migrate();
  // Earlier checkouts built the store from the drizzle handle; this one from the database.
  const store = record.createRecordStore('runAll' in database || 'run' in database ? database : database.db);
  const prices = () => null;
  await store.insert([finalizeCapture(capture(), prices).record]);
  // The database's CPU: the Postgres server's processes, or the embedded database's thread (this
  // process's busiest other thread, by far, while it inserts).
  const backends = databaseUrl ? execFileSync('pgrep', ['-x', 'postgres']).toString().trim().split('\n').map(Number) : [];
  const pg = () => backends.reduce((s, pid) => s + (cpuMicros(pid) || 0), 0);
  const threads0 = threadCpuMicros(process.pid);
  const pg0 = pg();
  const cpu0 = process.cpuUsage();
  for (let done = 0; done < calls; done += batch) {
    await store.insert(Array.from({ length: Math.min(batch, calls - done) }, () => finalizeCapture(capture(), prices).record));
  }
  const cpu = process.cpuUsage(cpu0);
  let databaseCpu = pg() - pg0;
  if (!databaseUrl) {
    const main = process.pid;
    for (const [tid, us] of threadCpuMicros(process.pid)) if (tid !== main) databaseCpu = Math.max(databaseCpu, us - (threads0.get(tid) ?? 0));
  }
  const total = cpu.user + cpu.system;
  // Embedded, the database's thread is part of this process: `node` is the rest of it.
  console.log(JSON.stringify({ node: (total - (databaseUrl ? 0 : databaseCpu)) / calls, postgres: databaseCpu / calls }));
  await database.close();
  if (!databaseUrl) rmSync(dataDir, { recursive: true, force: true });
}

if (values.child) {
  await measure(values.child, values.embedded ? undefined : (process.env.DATABASE_URL as string));
} else {
  const databaseUrl = values.embedded ? '' : await resolveDatabaseUrl(process.env);
  if (databaseUrl === undefined) throw new Error('recording-cost needs Postgres (DATABASE_URL or the local server), or --embedded');
  const roots = [['this checkout', REPO_ROOT.replace(/\/$/, '')], ...(values.against ? [['against', values.against.replace(/\/$/, '')]] : [])] as const;
  const results = new Map<string, { node: number; postgres: number }[]>();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, root] of roots) {
      const args = ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', root, '--calls', String(calls), '--batch', String(batch), ...(values.embedded ? ['--embedded'] : [])];
      const out = execFileSync(process.execPath, args, { env: { ...process.env, DATABASE_URL: databaseUrl } }).toString();
      const line = out.trim().split('\n').pop() as string;
      results.set(name, [...(results.get(name) ?? []), JSON.parse(line)]);
    }
  }
  console.log(`recording cost per call (finalize + insert, ${calls} non-streaming calls in batches of ${batch}, median of ${values.rounds} rounds):`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  for (const [name, root] of roots) {
    const r = results.get(name) ?? [];
    console.log(`  ${name} (${root}): node ${median(r.map((x) => x.node)).toFixed(1)} µs, ${values.embedded ? "embedded database's thread" : 'postgres'} ${median(r.map((x) => x.postgres)).toFixed(1)} µs`);
  }
}
