import { Redis } from 'ioredis';
/** Starting the Fixpoint gateway as a child process, with its own database and data directory. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recreateDatabase } from './databases.ts';
import { freePort, stopChild, waitForOk, type ServerProcess } from './processes.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const GATEWAY_CLI = join(REPO_ROOT, 'src/main/cli.ts');
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/fixpoint_bench';

/**
 * Create the bench database, empty: one left by an earlier run is dropped first, so every run
 * records into the same empty `calls` table (a table grown by earlier runs — 1.2 million rows
 * after a day of runs here — brought autovacuum and checkpoint work into the measured rounds, and
 * the streaming ratio from 0.82× down to 0.74×). Returns false when Postgres cannot be reached.
 */
export async function ensureEmptyDatabase(url: string): Promise<boolean> {
  try {
    await recreateDatabase(url);
    return true;
  } catch (err) {
    console.warn(`! cannot prepare ${new URL(url).pathname.slice(1)} (${err instanceof Error ? err.message : String(err)})`);
    return false;
  }
}

/**
 * DATABASE_URL from the bench's own env (used as it is, never emptied), else the default bench
 * database, `fixpoint_bench` on the local server, emptied at the start of each run.
 */
export async function resolveDatabaseUrl(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (await ensureEmptyDatabase(DEFAULT_DATABASE_URL)) return DEFAULT_DATABASE_URL;
  console.warn('! Postgres unreachable: the gateway will use embedded PGlite in its data directory');
  return undefined;
}

export interface GatewayOptions {
  upstreamOrigin: string;
  databaseUrl: string | undefined;
  /** Default src/main/cli.ts. */
  entry?: string;
  /** Redis for the job queue (as in production); undefined: in-process jobs. */
  redisUrl?: string | undefined;
}

/** REDIS_URL from the bench's own env, else the local Redis if it answers. */
export async function resolveRedisUrl(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const url = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return url;
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function startGateway(opts: GatewayOptions): Promise<ServerProcess> {
  const entry = opts.entry ?? GATEWAY_CLI;
  if (!existsSync(entry)) {
    throw new Error(`${entry} does not exist: run with --no-gateway to measure only the upstream and the bare forwarder`);
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'fixpoint-bench-'));
  const logFile = `${dataDir}-gateway.log`; // kept after the run
  const log = openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    OPENAI_BASE_URL: `${opts.upstreamOrigin}/v1`,
    OPENAI_API_KEY: 'sk-bench',
    ANTHROPIC_BASE_URL: opts.upstreamOrigin,
    FIXPOINT_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  else delete env.DATABASE_URL;
  // As deployed: with Redis the gateway only enqueues detection jobs; `fixpoint worker` processes run them.
  // The bench measures the gateway, so no worker runs; its queue keys are removed afterwards.
  const redisPrefix = `fixpoint-bench-${process.pid}`;
  if (opts.redisUrl) Object.assign(env, { REDIS_URL: opts.redisUrl, FIXPOINT_REDIS_PREFIX: redisPrefix });
  else delete env.REDIS_URL;
  // BENCH_GATEWAY_PROFILE=DIR: V8 CPU profiles of the gateway (its proxying thread and its recorder thread), written there when it stops.
  const profile = process.env.BENCH_GATEWAY_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_GATEWAY_PROFILE}`] : [];
  // BENCH_GATEWAY_NODE_ARGS: further node/V8 flags for the gateway (e.g. `--trace-gc --max-semi-space-size=32`).
  const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...profile, ...nodeArgs, '--import', 'tsx', entry, 'serve'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', log, log],
  });
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child, 10_000);
    rmSync(dataDir, { recursive: true, force: true });
    if (opts.redisUrl) await deleteKeys(opts.redisUrl, `${redisPrefix}:*`);
    if (statSync(logFile, { throwIfNoEntry: false })?.size === 0) rmSync(logFile, { force: true });
  };
  const logTail = (lines: number) => {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    return tail ? `${tail}\n(full log: ${logFile})` : '';
  };
  try {
    await waitForOk(`${origin}/readyz`, 120_000, () => child.exitCode === null && child.signalCode === null);
  } catch (err) {
    const tail = logTail(30);
    await stop();
    throw new Error(`gateway did not become ready: ${err instanceof Error ? err.message : String(err)}\n--- gateway log ---\n${tail}`);
  }
  const alive = () => child.exitCode === null && child.signalCode === null;
  const exitNote = () => `exit code ${child.exitCode}, signal ${child.signalCode}`;
  return { name: 'fixpoint gateway', pid: child.pid ?? 0, origin, stop, logTail, alive, exitNote };
}
