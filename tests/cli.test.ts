import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `fixpoint` as people run it: a child process (node with the tsx loader, as `npm start` runs it),
 * reading its exit code, stdout and stderr.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** The environment of a one-process install: embedded database, in-process jobs, no config file. */
function env(over: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', FIXPOINT_RETENTION_DAYS: '0', ...over };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'FIXPOINT_CONFIG', 'NODE_OPTIONS', 'FORCE_COLOR']) delete e[k];
  return e;
}

function start(args: string[], over: Record<string, string> = {}): ChildProcess & { out: string[]; err: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', ...args], { cwd: root, env: env(over), stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (s: string) => out.push(s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => err.push(s));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return Object.assign(child, { out, err, exited });
}

async function run(args: string[], over: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = start(args, over);
  const code = await child.exited;
  return { code, stdout: child.out.join(''), stderr: child.err.join('') };
}

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'fixpoint-cli-'));
const running: ChildProcess[] = [];
afterAll(() => {
  for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('fixpoint, the command line', () => {
  it('--version prints the version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('--help per command, without reading the settings', async () => {
    const main = await run(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('Usage: fixpoint <command>');
    const usage: Record<string, string> = {
      serve: 'Usage: fixpoint serve',
      worker: 'Usage: fixpoint worker',
      migrate: 'Usage: fixpoint migrate',
      patterns: 'Usage: fixpoint patterns',
      optimize: 'Usage: fixpoint optimize <pattern-id>',
      recommendations: 'Usage: fixpoint recommendations',
    };
    // A broken setting does not stop --help.
    const helps = await Promise.all(Object.keys(usage).map((c) => run([c, '--help'], { PORT: 'eighty' })));
    for (const [i, [command, text]] of Object.entries(usage).entries()) {
      expect(helps[i]?.code, command).toBe(0);
      expect(helps[i]?.stdout.startsWith(text), command).toBe(true);
    }
    expect((await run(['help', 'migrate'])).stdout).toContain('Usage: fixpoint migrate');
  }, 90_000);

  it('an unknown command or option: one line on stderr, exit 2, no stack', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: 'fixpoint: unknown command: frobnicate\nRun fixpoint --help for usage.\n' });
    const option = await run(['serve', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^fixpoint: serve: Unknown option '--bogus'/);
    expect(option.stderr).not.toMatch(/\n\s+at /);
    expect((await run(['--bogus'])).code).toBe(2);
  }, 60_000);

  it('a configuration error: one line on stderr, exit 1', async () => {
    const bad = await run(['serve'], { PORT: 'eighty', FIXPOINT_DATA_DIR: dataDir() });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^fixpoint: configuration error: .*PORT/);
  });

  it('a port in use: one line naming HOST:PORT, before the database is opened', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    const dir = dataDir();
    try {
      const r = await run(['serve'], { PORT: String(port), FIXPOINT_DATA_DIR: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`fixpoint: 127.0.0.1:${port} is already in use (another fixpoint, or another program, listens there); stop it, or set PORT to another port\n`);
      expect(r.stdout).toBe('');
      // Nothing was opened or migrated.
      expect(existsSync(path.join(dir, 'db'))).toBe(false);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  }, 60_000);

  it('starting twice on one data folder: the second exits 1 with one line; the first says what it does, and stops with a line', async () => {
    const dir = dataDir();
    const first = start(['serve'], { PORT: '0', FIXPOINT_DATA_DIR: dir });
    running.push(first);
    const deadline = Date.now() + 110_000;
    while (!first.out.join('').includes('fixpoint gateway listening') && first.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const log = first.out.join('');
    expect(log, first.err.join('')).toContain('fixpoint gateway listening');
    // Not silent while it starts: each step says so, in order, before the listening line (JSON: stdout is no terminal).
    const steps = ['opening the embedded database and applying migrations', 'database ready: migrations applied', 'starting the background jobs in this process', 'fixpoint gateway listening'];
    const at = steps.map((s) => log.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(log.split('\n')[0]).toMatch(/^\{.*"level":30/);

    const second = await run(['serve'], { PORT: '0', FIXPOINT_DATA_DIR: dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(`fixpoint: the data folder ${dir} is in use by another fixpoint process (pid ${first.pid}); stop it, or set FIXPOINT_DATA_DIR to another folder\n`);
    expect(second.stdout).toBe('');
    const migrate = await run(['migrate'], { FIXPOINT_DATA_DIR: dir });
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toContain(`is in use by another fixpoint process (pid ${first.pid})`);

    first.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const end = first.out.join('');
    expect(end).toContain('fixpoint gateway shutting down');
    expect(end).toContain('fixpoint gateway stopped');
    expect(existsSync(path.join(dir, 'fixpoint.lock'))).toBe(false);
  }, 150_000);
});
