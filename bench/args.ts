/** Command-line flags of bench/run.ts. */
import { parseArgs } from 'node:util';
import { DEFAULT_GROUPING, parseSize, QUICK_GROUPING, type GroupingOptions } from './grouping-options.ts';
import type { TargetId } from './scenarios.ts';

const TARGET_IDS: readonly TargetId[] = ['upstream', 'bare', 'postgres', 'embedded', 'peer'];
const DEFAULT_TARGETS: TargetId[] = ['bare', 'postgres', 'embedded', 'peer'];

export interface BenchOptions {
  gateway: boolean;
  /** What is measured beside the bare forwarder (always measured: the reference). */
  targets: TargetId[];
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
  connections: number[];
  /** Rounds and their length at the moderate (first) load, where the added p99 is judged: more, shorter rounds. */
  moderateRounds: number;
  moderateRoundSeconds: number;
  /** Requests/s of the moderate (first) load; 0: closed loop like the others. */
  moderateRate: number;
  soakSeconds: number;
  soakConnections: number;
  strict: boolean;
  /** Only these scenario keys. */
  scenarios?: string[];
  /** The gateway's entry point (default src/main/cli.ts), started with `serve`. */
  gatewayEntry?: string;
  /** The grouping benchmark (bench/grouping.ts); undefined: skipped. */
  grouping?: GroupingOptions;
  /** Only the grouping benchmark: no upstream, forwarder, gateway or soak. */
  groupingOnly: boolean;
}

export const USAGE = `usage: node --import tsx bench/run.ts [flags]
  --quick                 smoke run: 2 rounds of 1.5 s, 0.5 s warm-up, 10 s soak
  --targets A,B           what to measure beside the bare forwarder (always measured): postgres (Fixpoint on
                          Postgres), embedded (Fixpoint as \`npm start\` runs it), peer (@portkey-ai/gateway
                          installed from npm into a temporary folder), upstream (the fake upstream, direct)
                          (default postgres,embedded,peer)
  --no-gateway            measure only the bare forwarder (and the upstream when named)
  --rounds N              interleaved rounds per target (default 6)
  --round-seconds S       measured seconds per round (default 4)
  --warmup-seconds S      warm-up before each scenario, per target (default 2)
  --connections A,B       concurrent connections (default 1,64); the first is the moderate load
  --moderate-rate R       pace the moderate load at R requests/s in all (default 0: closed loop)
  --moderate-rounds N     interleaved rounds per target at the moderate load (default 10)
  --moderate-round-seconds S  measured seconds per round there (default 3)
  --soak-seconds S        memory soak duration (default 60; 0 skips it)
  --soak-connections N    connections during the soak (default 8)
  --scenario A,B          only these scenarios: chat, chat-stream (default both), chat-long (a
                          16 KB conversation, run only when named)
  --strict                exit 1 when a target is missed
  --gateway-entry FILE    start this entry point with \`serve\` instead of src/main/cli.ts
  --no-grouping           skip the grouping benchmark
  --grouping-only         run only the grouping benchmark: failures/s grouped into patterns on one core
                          as the store grows (one database per size, fixpoint_bench_grouping_*, on the
                          server of DATABASE_URL or local Postgres; dropped at the start, kept afterwards;
                          BENCH_GROUPING_PROFILE=DIR writes CPU profiles of the measured grouping there)
  --grouping-sizes A,B    store sizes in failures, the smallest the reference (default 10k,100k,1M; --quick 10k,100k)
  --grouping-failures N   new failures grouped per measured round (default 4000; --quick 1000)
  --grouping-rounds N     measured rounds per store size, the median reported (default 5; --quick 2)`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${raw}`);
  return n;
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      'no-gateway': { type: 'boolean', default: false },
      targets: { type: 'string' },
      rounds: { type: 'string' },
      'round-seconds': { type: 'string' },
      'warmup-seconds': { type: 'string' },
      connections: { type: 'string' },
      'moderate-rate': { type: 'string' },
      'moderate-rounds': { type: 'string' },
      'moderate-round-seconds': { type: 'string' },
      'soak-seconds': { type: 'string' },
      'soak-connections': { type: 'string' },
      strict: { type: 'boolean', default: false },
      'gateway-entry': { type: 'string' },
      scenario: { type: 'string' },
      'no-grouping': { type: 'boolean', default: false },
      'grouping-only': { type: 'boolean', default: false },
      'grouping-sizes': { type: 'string' },
      'grouping-failures': { type: 'string' },
      'grouping-rounds': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const targets = values.targets ? values.targets.split(',').map((t) => t.trim()) : DEFAULT_TARGETS;
  const unknown = targets.filter((t) => !TARGET_IDS.includes(t as TargetId));
  if (unknown.length) throw new Error(`--targets: unknown ${unknown.join(', ')}; known: ${TARGET_IDS.join(', ')}`);
  const connections = (values.connections ?? '1,64').split(',').map((c) => positive('connections', c, 8));
  if (connections.some((c) => c < 1 || !Number.isInteger(c))) throw new Error('--connections must be positive integers');
  const groupingOnly = values['grouping-only'] === true;
  if (groupingOnly && values['no-grouping'] === true) throw new Error('--grouping-only and --no-grouping exclude each other');
  const g = quick ? QUICK_GROUPING : DEFAULT_GROUPING;
  const sizes = values['grouping-sizes'] ? values['grouping-sizes'].split(',').map(parseSize) : g.sizes;
  const grouping: GroupingOptions = {
    ...g,
    sizes,
    failures: Math.max(1, Math.round(positive('grouping-failures', values['grouping-failures'], g.failures))),
    rounds: Math.max(1, Math.round(positive('grouping-rounds', values['grouping-rounds'], g.rounds))),
  };
  return {
    gateway: values['no-gateway'] !== true,
    targets: targets as TargetId[],
    rounds: Math.max(1, Math.round(positive('rounds', values.rounds, quick ? 2 : 6))),
    roundSeconds: positive('round-seconds', values['round-seconds'], quick ? 1.5 : 4),
    warmupSeconds: positive('warmup-seconds', values['warmup-seconds'], quick ? 0.5 : 2),
    connections,
    moderateRounds: Math.max(1, Math.round(positive('moderate-rounds', values['moderate-rounds'], quick ? 2 : 10))),
    moderateRoundSeconds: positive('moderate-round-seconds', values['moderate-round-seconds'], quick ? 1.5 : 3),
    moderateRate: positive('moderate-rate', values['moderate-rate'], 0),
    soakSeconds: positive('soak-seconds', values['soak-seconds'], quick ? 10 : 60),
    soakConnections: Math.max(1, Math.round(positive('soak-connections', values['soak-connections'], 8))),
    strict: values.strict === true,
    ...(values['gateway-entry'] ? { gatewayEntry: values['gateway-entry'] } : {}),
    ...(values.scenario ? { scenarios: values.scenario.split(',') } : {}),
    ...(values['no-grouping'] === true ? {} : { grouping }),
    groupingOnly,
  };
}
