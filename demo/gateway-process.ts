/**
 * The real gateway, started as `fixpoint serve` is: a child process on the embedded defaults — PGlite in
 * a temporary FIXPOINT_DATA_DIR, no REDIS_URL (jobs in-process), no keys but the simulated provider's —
 * with a FIXPOINT_CONFIG that names the provider, the components (rules, judge), the optimizer and the
 * fine-tuning backend. Nothing in it knows it is a demo.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fleetConfigYaml, JUDGE_MODEL, OPTIMIZER_MODEL, type World } from '../testkit/fleet/index.ts';
import { SIM_PROVIDER_KEY } from '../testkit/fleet/gateway.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The settings changed from the documented defaults so that a loop that takes days of production
 * traffic fits in minutes: how often the sweeps and the canary check look, how much evidence a run,
 * a canary and a recommendation wait for, and auto-approval of fine-tuning (a person approves by default).
 */
export const DEMO_INTERVALS: Record<string, string> = {
  FIXPOINT_OPTIMIZE_SWEEP_MS: '3000',
  FIXPOINT_CANARY_CHECK_MS: '2000',
  FIXPOINT_RETRAIN_SWEEP_MS: '2000',
  FIXPOINT_GROUP_SWEEP_MS: '2000',
};

export function demoSettings(world: World): Record<string, unknown> {
  return {
    // Every call of a component with a knowledge problem is judged (no rule can see a wrong fact); the others at the default share.
    components: Object.fromEntries(
      [...world.components.values()].map((c) => [c.name, { description: c.description, rules: c.rules, judge: { rubric: c.rubric, model: JUDGE_MODEL, ...(c.problems.some((p) => p.diagnosis === 'knowledge') ? { sampleRate: 1 } : {}) } }]),
    ),
    // A knowledge diagnosis as sure as the built-in classifier gets (0.7) goes straight to fine-tuning.
    patterns: { fineTuneConfidence: 0.7 },
    optimizer: { model: OPTIMIZER_MODEL, auto: true, minCases: 16, canaryShare: 0.5 },
    // The simulated provider answers in a millisecond: a canary's latency says only how busy the machine was.
    hotswap: { canary: { minCalls: 20, maxCalls: 150, minLatencyIncreaseMs: 1000 } },
    retrain: {
      auto: true,
      // A pattern whose diagnosis was unsure gets one judged prompt run before fine-tuning (default 2, a day apart).
      afterFailedPromptRuns: 1,
      minExamples: 20,
      backend: 'openai',
      openai: { provider: 'sim', suffix: 'demo' },
      canaryShare: 0.5,
      pollMs: 200,
      maxPollMs: 1000,
    },
  };
}

export interface GatewayProcess {
  url: string;
  /** How long `fixpoint serve` took to answer /readyz (migrations on a fresh embedded database). */
  readySeconds: number;
  dataDir: string;
  configPath: string;
  logPath: string;
  /** The settings changed from the defaults, for the report. */
  changed: string[];
  /** The last lines the gateway logged (for an error's message). */
  logTail(lines?: number): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, logPath: string, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the gateway exited with code ${child.exitCode} before it was ready (log: ${logPath})`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the gateway was not ready after ${limitMs / 1000} s (log: ${logPath})`);
}

export async function startGatewayProcess(world: World, providerBaseUrl: string, opts: { keepDir?: boolean } = {}): Promise<GatewayProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fixpoint-demo-'));
  const settings = demoSettings(world);
  const configPath = path.join(dir, 'fixpoint.yaml');
  writeFileSync(configPath, fleetConfigYaml(world, providerBaseUrl, { extra: settings }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = path.join(dir, 'gateway.log');
  const log = createWriteStream(logPath);
  // Only what a user would set: where to listen, the upstream, the config file, the data folder.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    HOST: '127.0.0.1',
    PORT: String(port),
    OPENAI_BASE_URL: providerBaseUrl,
    OPENAI_API_KEY: SIM_PROVIDER_KEY,
    FIXPOINT_CONFIG: configPath,
    FIXPOINT_DATA_DIR: path.join(dir, 'data'),
    LOG_LEVEL: 'info',
    ...DEMO_INTERVALS,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/main/cli.ts'), 'serve'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const t0 = Date.now();
  try {
    await waitReady(url, child, logPath, 90_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const changed = [
    ...Object.entries(DEMO_INTERVALS).map(([k, v]) => `${k}=${v}`),
    'optimizer: minCases 16, canaryShare 0.5',
    'hotswap.canary: minCalls 20, maxCalls 150, minLatencyIncreaseMs 1000',
    'patterns.fineTuneConfidence 0.7',
    'retrain: auto, afterFailedPromptRuns 1, minExamples 20, canaryShare 0.5, pollMs 200',
    'judge sampleRate 1 for the components with a knowledge problem',
  ];
  return {
    url,
    readySeconds: (Date.now() - t0) / 1000,
    dataDir: path.join(dir, 'data'),
    configPath,
    logPath,
    changed,
    logTail: (lines = 30) => (existsSync(logPath) ? readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : ''),
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
      if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
