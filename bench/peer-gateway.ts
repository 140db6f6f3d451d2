/**
 * A peer gateway beside Fixpoint in `npm run bench`: Portkey's open-source AI gateway
 * (`@portkey-ai/gateway` from npm), installed into a temporary folder at bench time and pointed at
 * the same fake upstream through its `x-portkey-custom-host` header. When it cannot be installed or
 * started (no registry, no network), the bench goes on without it and says why.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, stopChild, waitForOk, type ServerProcess } from './processes.ts';

/** Pinned, so runs compare like with like. */
export const PEER_PACKAGE = '@portkey-ai/gateway@1.15.2';
export const PEER_LABEL = 'Portkey gateway (npm)';

export type PeerStart = { server: ServerProcess; headers: Record<string, string> } | { skipped: string };

export async function startPeerGateway(upstreamOrigin: string): Promise<PeerStart> {
  const dir = mkdtempSync(join(tmpdir(), 'fixpoint-bench-peer-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    await promisify(execFile)('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', PEER_PACKAGE], {
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    remove();
    const detail = err instanceof Error ? ((err as { stderr?: string }).stderr || err.message) : String(err);
    return { skipped: `npm install ${PEER_PACKAGE} failed: ${detail.trim().split('\n').slice(-2).join(' ')}` };
  }
  const port = await freePort();
  const logFile = join(dir, 'peer.log');
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [join(dir, 'node_modules/@portkey-ai/gateway/build/start-server.js'), `--port=${port}`, '--headless'], {
    cwd: dir,
    // Production mode: no log UI, no console output per request.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', log, log],
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child, 5_000);
    remove();
  };
  try {
    await waitForOk(`${origin}/`, 60_000, alive);
  } catch (err) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' ');
    await stop();
    return { skipped: `${PEER_PACKAGE} did not start: ${err instanceof Error ? err.message : String(err)} ${tail}`.trim() };
  }
  return {
    server: { name: PEER_LABEL, pid: child.pid ?? 0, origin, stop, alive, exitNote: () => `exit code ${child.exitCode}, signal ${child.signalCode}` },
    headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstreamOrigin}/v1` },
  };
}
