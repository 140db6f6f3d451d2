/**
 * Gateway versions side by side: the bare forwarder and one gateway per checkout (or per setting),
 * closed loop, interleaved rounds, each gateway round lasting until its recording backlog is
 * written. Prints throughput against the bare forwarder, CPU per request of the whole gateway
 * process, of its proxying (main) thread alone and of its busiest other thread (in a gateway, the
 * recorder's thread), and the Postgres CPU per request.
 *
 *   node --import tsx bench/compare.ts [--scenario chat] [--connections 64] [--rate R] [--rounds 4] [--round-seconds 4] \
 *     <checkout or entry>[@NAME=VALUE,...] ...
 *
 * `--rate R` paces the load at R requests/s in all (as the bench's moderate load), for comparing
 * latency, chiefly the p99; a paced round's recording backlog is not counted.
 *
 * A target is a checkout directory (its src/main/cli.ts is started) or an entry file, optionally
 * with environment settings for that gateway, e.g. `.@FIXPOINT_RECORDER=inline ../older-checkout`; a
 * DATABASE_URL setting gives that gateway its own database (an older checkout with an older schema).
 * Postgres CPU is every local `postgres` process's, so it includes background writers; interleaving
 * spreads them over all targets alike.
 *
 * Settings from the environment: BENCH_GATEWAY_PROFILE=DIR writes V8 CPU profiles of every gateway
 * thread and of the bare forwarder there; BENCH_GATEWAY_NODE_ARGS adds node/V8 flags to the
 * gateways (`--trace-gc`, ...); BENCH_THREADS=1 prints each thread's CPU per request.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDatabaseUrl, resolveRedisUrl, startGateway } from './gateway.ts';
import { startLoadGenerator } from './load-client.ts';
import { cpuMicros, forkServer, postgresCpuMicros, threadCpuMicros, type ServerProcess } from './processes.ts';
import { recordingBacklogSeconds, SCENARIOS } from './scenarios.ts';
import { median, summarizeMicros } from './stats.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    scenario: { type: 'string', default: 'chat' },
    connections: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '4' },
    'round-seconds': { type: 'string', default: '4' },
    rate: { type: 'string' },
  },
});
if (positionals.length === 0) throw new Error('name at least one gateway checkout or entry (see the header of bench/compare.ts)');
const scenario = SCENARIOS.find((s) => s.key === values.scenario);
if (!scenario) throw new Error(`unknown scenario ${values.scenario}; known: ${SCENARIOS.map((s) => s.key).join(', ')}`);

function parseTarget(spec: string): { label: string; entry: string; env: Record<string, string> } {
  const at = spec.indexOf('@');
  const path = resolve(at === -1 ? spec : spec.slice(0, at));
  const env: Record<string, string> = {};
  for (const kv of at === -1 ? [] : spec.slice(at + 1).split(',')) {
    const eq = kv.indexOf('=');
    if (eq < 1) throw new Error(`setting ${kv} in ${spec} is not NAME=VALUE`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const entry = existsSync(path) && statSync(path).isDirectory() ? join(path, 'src/main/cli.ts') : path;
  if (!existsSync(entry)) throw new Error(`${entry} does not exist`);
  return { label: spec, entry, env };
}

const started: ServerProcess[] = [];
const load = startLoadGenerator();
try {
  const upstream = await forkServer('fake upstream', './upstream-process.ts', []);
  started.push(upstream);
  // BENCH_GATEWAY_PROFILE=DIR profiles the bare forwarder too, for a side-by-side of where the time goes.
  const profile = process.env.BENCH_GATEWAY_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_GATEWAY_PROFILE, 'bare-forwarder')}`] : [];
  const bare = await forkServer('bare forwarder', './bare-forwarder.ts', [upstream.origin], profile);
  started.push(bare);
  const databaseUrl = await resolveDatabaseUrl(process.env);
  const redisUrl = await resolveRedisUrl(process.env);
  const targets = [{ label: 'bare forwarder', p: bare, gateway: false }];
  for (const spec of positionals) {
    const t = parseTarget(spec);
    const saved = { ...process.env };
    Object.assign(process.env, t.env);
    try {
      // `@DATABASE_URL=` runs it embedded, `@REDIS_URL=` with in-process jobs (as `npm start` does).
      const g = await startGateway({ upstreamOrigin: upstream.origin, databaseUrl: t.env.DATABASE_URL ?? databaseUrl, entry: t.entry, redisUrl: t.env.REDIS_URL ?? redisUrl });
      started.push(g);
      targets.push({ label: t.label, p: g, gateway: true });
    } finally {
      process.env = saved;
    }
  }
  const rate = values.rate === undefined ? 0 : Number(values.rate);
  if (!(rate >= 0)) throw new Error(`--rate must be a non-negative number, got ${values.rate}`);
  const base = { requests: scenario.requests, connections: Number(values.connections), ...(rate > 0 ? { ratePerSecond: rate } : {}) };
  for (const t of targets) await load.run({ ...base, origin: t.p.origin, warmupMs: 2000, durationMs: 0 });
  const acc = targets.map(() => ({ latencies: [] as number[], seconds: 0, completed: 0, cpu: 0, mainCpu: 0, threads: new Map<number, number>(), pg: 0, errors: 0, roundP99s: [] as number[] }));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [i, t] of targets.entries()) {
      const a = acc[i]!;
      const cpu0 = cpuMicros(t.p.pid);
      const main0 = cpuMicros(t.p.pid, t.p.pid);
      const threads0 = threadCpuMicros(t.p.pid);
      const pg0 = postgresCpuMicros();
      const res = await load.run({ ...base, origin: t.p.origin, warmupMs: 250, durationMs: Number(values['round-seconds']) * 1000 });
      // Waited for in every round, so no round's writes spill into the next target's; counted only
      // in a closed loop, where a recorder that fell behind is this round's work.
      const backlog = t.gateway ? await recordingBacklogSeconds(t.p.origin) : 0;
      a.seconds += res.measuredS + (rate > 0 ? 0 : backlog);
      a.cpu += cpuMicros(t.p.pid) - cpu0;
      a.mainCpu += cpuMicros(t.p.pid, t.p.pid) - main0;
      for (const [tid, us] of threadCpuMicros(t.p.pid)) if (tid !== t.p.pid) a.threads.set(tid, (a.threads.get(tid) ?? 0) + us - (threads0.get(tid) ?? us));
      a.pg += postgresCpuMicros() - pg0;
      a.completed += res.completed;
      a.errors += res.errors;
      for (const l of res.latenciesUs) a.latencies.push(l);
      a.roundP99s.push(summarizeMicros(res.latenciesUs).p99);
    }
  }
  const bareRps = acc[0]!.latencies.length / acc[0]!.seconds;
  const loadName = rate > 0 ? `paced at ${rate} req/s` : 'closed loop';
  console.log(`${scenario.name}, ${values.connections} connections, ${loadName}, ${values.rounds} interleaved rounds × ${values['round-seconds']} s${rate > 0 ? '' : ' (+ recording backlog)'}`);
  console.log(`${'target'.padEnd(44)} ${'req/s'.padStart(7)} ${'× bare'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'CPU µs/req'.padStart(11)} ${'main thread'.padStart(12)} ${'busiest other'.padStart(14)} ${'Postgres'.padStart(9)} errors  p99 by round (min / median / max)`);
  for (const [i, t] of targets.entries()) {
    const a = acc[i]!;
    const lat = summarizeMicros(a.latencies);
    const rps = lat.count / a.seconds;
    const per = (us: number) => (a.completed ? us / a.completed : Number.NaN).toFixed(0);
    const busiest = Math.max(0, ...a.threads.values());
    // BENCH_THREADS=1: every thread's CPU per request, busiest first (V8's GC helpers show up here).
    if (process.env.BENCH_THREADS) console.log(`  threads of ${t.label}: ${[...a.threads.values()].sort((x, y) => y - x).map(per).join(' ')} µs/req`);
    console.log(`${t.label.slice(0, 44).padEnd(44)} ${rps.toFixed(0).padStart(7)} ${(rps / bareRps).toFixed(2).padStart(7)} ${lat.p50.toFixed(2).padStart(7)} ${lat.p99.toFixed(2).padStart(7)} ${per(a.cpu).padStart(11)} ${per(a.mainCpu).padStart(12)} ${per(busiest).padStart(14)} ${per(a.pg).padStart(9)} ${String(a.errors).padStart(6)}  ${[Math.min(...a.roundP99s), median(a.roundP99s), Math.max(...a.roundP99s)].map((v) => v.toFixed(2)).join(' / ')}`);
  }
} finally {
  load.close();
  await Promise.all(started.map((p) => p.stop()));
}
