/**
 * `npm run bench`: a bare undici forwarder (the floor every proxy pays), the Fixpoint gateway on
 * Postgres and embedded (as `npm start` runs it), a peer gateway from npm, and optionally the fake
 * upstream itself (the ceiling), side by side under the same load, interleaved in one run.
 * Each server and the load generator run in their own process. Then the cost of grouping failures
 * into patterns as the store grows (bench/grouping.ts). See `--help`.
 */
import { cpus, loadavg } from 'node:os';
import { parseBenchArgs, type BenchOptions } from './args.ts';
import { resolveDatabaseUrl, resolveRedisUrl, startGateway } from './gateway.ts';
import { PEER_LABEL, PEER_PACKAGE, startPeerGateway } from './peer-gateway.ts';
import { startLoadGenerator, type LoadGenerator } from './load-client.ts';
import { forkServer, type ServerProcess } from './processes.ts';
import { groupingChecks, groupingMarkdown, printGrouping, runGroupingBench, type GroupingResult } from './grouping.ts';
import { checks, markdown, printCell, printChecks, printSoak, printSummary, type Cell, type Check } from './report.ts';
import { measureCell, SCENARIOS, type Target } from './scenarios.ts';
import { runSoak, type SoakResult } from './soak.ts';

const started: ServerProcess[] = [];
let load: LoadGenerator | undefined;

async function cleanup(): Promise<void> {
  load?.close();
  await Promise.all(started.splice(0).map((p) => p.stop()));
}

/** Stop the run, with the log, when a server died under load. */
function assertAlive(): void {
  for (const p of started) {
    if (p.alive()) continue;
    const log = p.logTail?.(40);
    throw new Error(`${p.name} (pid ${p.pid}) died during the run (${p.exitNote()})${log ? `\n--- its log ---\n${log}` : ''}`);
  }
}

async function startTargets(opts: BenchOptions): Promise<{ targets: Target[]; gateways: ServerProcess[]; notes: string[] }> {
  const want = new Set(opts.targets);
  const notes: string[] = [];
  const upstream = await forkServer('fake upstream', './upstream-process.ts', []);
  started.push(upstream);
  const bare = await forkServer('bare forwarder', './bare-forwarder.ts', [upstream.origin]);
  started.push(bare);
  const targets: Target[] = [];
  if (want.has('upstream')) targets.push({ key: 'upstream', id: 'upstream', label: 'fake upstream (direct)', origin: upstream.origin, pid: upstream.pid });
  targets.push({ key: 'bare', id: 'bare', label: 'bare forwarder (undici Pool)', origin: bare.origin, pid: bare.pid });
  if (!opts.gateway) return { targets, gateways: [], notes };
  const gateways: ServerProcess[] = [];
  if (want.has('postgres')) {
    const databaseUrl = await resolveDatabaseUrl(process.env);
    if (!databaseUrl) notes.push('Fixpoint on Postgres not measured: Postgres unreachable (set DATABASE_URL)');
    else {
      const redisUrl = await resolveRedisUrl(process.env);
      console.log(`starting the gateway on Postgres (${databaseUrl.replace(/\/\/[^@]*@/, '//…@')}; jobs: ${redisUrl ? 'BullMQ on Redis, detection in workers not measured here' : 'in-process, no Redis'})…`);
      const gateway = await startGateway({ upstreamOrigin: upstream.origin, databaseUrl, entry: opts.gatewayEntry, redisUrl });
      started.push(gateway);
      gateways.push(gateway);
      targets.push({ key: 'gateway', id: 'postgres', label: 'Fixpoint, Postgres', origin: gateway.origin, pid: gateway.pid });
    }
  }
  if (want.has('embedded')) {
    // As `npm start` runs it: the embedded database and the jobs in-process (no DATABASE_URL, no REDIS_URL).
    console.log('starting the gateway as `npm start` runs it (embedded PGlite, in-process jobs)…');
    const gateway = await startGateway({ upstreamOrigin: upstream.origin, databaseUrl: undefined, entry: opts.gatewayEntry, redisUrl: undefined });
    started.push(gateway);
    gateways.push(gateway);
    targets.push({ key: 'gateway', id: 'embedded', label: 'Fixpoint, embedded', origin: gateway.origin, pid: gateway.pid });
  }
  if (want.has('peer')) {
    console.log(`installing and starting ${PEER_PACKAGE} in a temporary folder…`);
    const peer = await startPeerGateway(upstream.origin);
    if ('skipped' in peer) notes.push(`${PEER_LABEL} not measured: ${peer.skipped}`);
    else {
      started.push(peer.server);
      targets.push({ key: 'peer', id: 'peer', label: PEER_LABEL, origin: peer.server.origin, pid: peer.server.pid, headers: peer.headers });
    }
  }
  return { targets, gateways, notes };
}

async function main(): Promise<void> {
  const opts = parseBenchArgs(process.argv.slice(2));
  const cpu = cpus();
  const setup = `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}; ${opts.rounds} interleaved rounds × ${opts.roundSeconds} s per target (moderate load: ${opts.moderateRounds} × ${opts.moderateRoundSeconds} s), ${opts.warmupSeconds} s warm-up; load generator, upstream and each proxy in separate processes.`;
  const busy = loadavg()[0] ?? 0;
  if (busy > cpu.length / 2) console.warn(`! load average ${busy.toFixed(2)} on ${cpu.length} CPUs: other work is running, expect noisy numbers`);
  const proxies = opts.groupingOnly ? undefined : await benchProxies(opts, setup);
  // Grouping runs once the servers are stopped, so neither measurement disturbs the other.
  let grouping: GroupingResult | undefined;
  if (opts.grouping) {
    if (opts.groupingOnly) console.log(`fixpoint bench (grouping only) — Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}`);
    grouping = await runGroupingBench(opts.grouping);
    printGrouping(grouping);
    if (opts.groupingOnly && (grouping.error || grouping.skipped)) process.exitCode = 1;
  }

  const list = [...(proxies?.checks ?? []), ...groupingChecks(grouping)];
  printChecks(list);
  if (proxies?.warnings) console.log(`\ngateway log (last lines at warn and above):\n${proxies.warnings}`);
  console.log('\n--- markdown ---\n');
  const md = [proxies ? markdown(proxies.cells, proxies.soak, list, setup, proxies.targets, proxies.notes) : list.map((c) => `- ${c.pass === null ? 'skipped' : c.pass ? '✅' : '❌'} ${c.name}: ${c.detail}`).join('\n')];
  if (grouping) md.push(groupingMarkdown(grouping));
  console.log(md.join('\n\n'));
  if (opts.strict && list.some((c) => c.pass === false)) process.exitCode = 1;
}

/** The proxy benchmark: upstream, bare forwarder and gateway side by side, then the soak; servers stopped at the end. */
async function benchProxies(
  opts: BenchOptions,
  setup: string,
): Promise<{ cells: Cell[]; soak: SoakResult | undefined; checks: Check[]; warnings: string | undefined; targets: Target[]; notes: string[] }> {
  console.log(`fixpoint bench — ${setup}`);
  const { targets, gateways, notes } = await startTargets(opts);
  load = startLoadGenerator();
  for (const t of targets) console.log(`  ${t.label.padEnd(30)} ${t.origin} (pid ${t.pid})`);
  for (const n of notes) console.log(`  ! ${n}`);

  const cells: Cell[] = [];
  const chosen = opts.scenarios ? SCENARIOS.filter((s) => opts.scenarios?.includes(s.key)) : SCENARIOS.filter((s) => !s.optional);
  if (!chosen.length) throw new Error(`no scenario among ${opts.scenarios?.join(', ')}; known: ${SCENARIOS.map((s) => s.key).join(', ')}`);
  for (const scenario of chosen) {
    for (const [i, connections] of opts.connections.entries()) {
      const moderate = i === 0;
      const rate = moderate && opts.moderateRate > 0 ? opts.moderateRate : undefined;
      // The added p99 is judged at the moderate load: more, shorter rounds there, so that one round
      // hit by the machine's own stalls (they hit any target) weighs less in the pooled p99.
      const plan = moderate ? { rounds: opts.moderateRounds, roundSeconds: opts.moderateRoundSeconds } : { rounds: opts.rounds, roundSeconds: opts.roundSeconds };
      const results = await measureCell(load, targets, scenario, { ...opts, ...plan, connections, ...(rate ? { ratePerSecond: rate } : {}) });
      const cell: Cell = { scenario: scenario.name, connections, moderate, ...(rate ? { rate } : {}), results };
      cells.push(cell);
      printCell(cell, `${plan.rounds} × ${plan.roundSeconds} s per target, interleaved`);
      assertAlive();
    }
  }

  let soak: SoakResult | undefined;
  if (opts.soakSeconds > 0) {
    const soakTarget = targets.find((t) => t.key === 'gateway') ?? targets.find((t) => t.key === 'bare');
    if (soakTarget) {
      console.log(`\nsoaking ${soakTarget.label} for ${opts.soakSeconds} s…`);
      soak = await runSoak(load, soakTarget, opts.soakSeconds, opts.soakConnections);
      assertAlive();
      printSoak(soak);
    }
  }
  // A target whose every call failed in a scenario (the peer, on a feature it lacks) is said so beside the table.
  for (const cell of cells) {
    for (const r of cell.results) if (r.requests === 0 && r.firstError) notes.push(`${r.target.label}, ${cell.scenario}, ${cell.connections} connection(s): every call failed (${r.firstError.slice(0, 160)})`);
  }
  const warnings = gateways.map((g) => g.logTail?.(5)).filter(Boolean).join('\n') || undefined;
  await cleanup();
  printSummary(cells, targets, notes);
  return { cells, soak, checks: checks(cells, soak), warnings, targets, notes };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  await cleanup();
  process.exit(1);
});
