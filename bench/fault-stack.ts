/**
 * The processes a fault run breaks on purpose: a private Postgres (initdb into a temp dir, its own
 * port), a private redis-server, and the gateway (restartable on the same port and data folder, so
 * its spool survives a kill). Never the shared Postgres on 5432 or Redis on 6379.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdirSync, openSync, readdirSync, readdirSync as ls, statSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_CLI, REPO_ROOT } from './gateway.ts';
import { freePort, waitForOk } from './processes.ts';

function pgBin(name: string): string {
  const versions = ls('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const p = `/usr/lib/postgresql/${v}/bin/${name}`;
    if (existsSync(p)) return p;
  }
  throw new Error(`no ${name} under /usr/lib/postgresql/*/bin`);
}

const run = promisify(execFile);

/** Runs a Postgres binary as the `postgres` user when we are root (initdb refuses root); never blocks the load's event loop. */
async function asPostgres(cmd: string, args: string[]): Promise<void> {
  const root = process.getuid?.() === 0;
  await (root ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args));
}

export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPrivatePostgres(dir: string): Promise<PrivatePostgres> {
  const port = await freePort();
  const data = join(dir, 'pg');
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), 0);
  await asPostgres(pgBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  const start = () => asPostgres(pgBin('pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'pg.log'), '-w', 'start']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop: () => asPostgres(pgBin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']),
  };
}

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      const pong = await run('redis-cli', ['-p', String(port), 'ping']).then((r) => r.stdout.trim(), () => '');
      if (pong === 'PONG') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('private redis-server did not answer');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop: () =>
      new Promise<void>((resolve) => {
        const c = child;
        if (!c || c.exitCode !== null) return resolve();
        c.once('exit', () => resolve());
        c.kill('SIGTERM');
      }),
  };
}

export interface RestartableGateway {
  origin: string;
  dataDir: string;
  pid(): number;
  /** Starts it (again) and waits for /healthz: taking calls, whatever is degraded. */
  start(): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  /** Resolves with how long it took to exit once signalled. */
  exited(): Promise<void>;
  /** Spool files waiting to be replayed. */
  spoolFiles(): number;
}

export async function restartableGateway(env: NodeJS.ProcessEnv, dir: string): Promise<RestartableGateway> {
  const port = await freePort();
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const log = openSync(join(dir, 'gateway.log'), 'a');
  let child: ChildProcess | null = null;
  const origin = `http://127.0.0.1:${port}`;
  const alive = () => child !== null && child.exitCode === null && child.signalCode === null;
  return {
    origin,
    dataDir,
    pid: () => child?.pid ?? 0,
    async start() {
      child = spawn(process.execPath, ['--import', 'tsx', GATEWAY_CLI, 'serve'], {
        cwd: REPO_ROOT,
        env: { ...env, PORT: String(port), HOST: '127.0.0.1', FIXPOINT_DATA_DIR: dataDir },
        stdio: ['ignore', log, log],
      });
      await waitForOk(`${origin}/healthz`, 120_000, alive);
    },
    signal(sig) {
      child?.kill(sig);
    },
    exited: () =>
      new Promise<void>((resolve) => {
        if (!alive()) return resolve();
        child?.once('exit', () => resolve());
      }),
    spoolFiles() {
      const spool = join(dataDir, 'spool');
      if (!existsSync(spool)) return 0;
      return readdirSync(spool).filter((f) => (statSync(join(spool, f), { throwIfNoEntry: false })?.size ?? 0) > 0).length;
    },
  };
}
