/**
 * The real gateway in front of the simulated provider, started the way `fixpoint serve` starts it, with
 * a generated FIXPOINT_CONFIG that sets only what a user must: the provider, the components with their
 * rules and judge, the optimizer model (auto optimization is on by default). Embedded PGlite and
 * in-process jobs by default; a fresh database on the server of DATABASE_URL and a worker on REDIS_URL
 * when they are set.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { loadConfig, type Config } from '../../src/config/index.ts';
import type { Db } from '../../src/db/index.ts';
import { startGateway, type RunningGateway } from '../../src/main/serve.ts';
import { startWorker, type RunningWorker } from '../../src/main/worker.ts';
import { createScratchDatabase } from '../scratch-database.ts';
import { EMBEDDINGS_MODEL, JUDGE_MODEL, OPTIMIZER_MODEL } from './models.ts';
import type { World } from './world.ts';

export const SIM_PROVIDER_KEY = 'sk-sim-operator-0123456789abcdef';

/**
 * The only settings changed from the documented defaults, all of them intervals of a setting that exists
 * for the purpose: the policy sweep and the canary check look every 5 s instead of every 60 s and 30 s,
 * so a loop that takes hours of wall time in production fits in minutes.
 */
export const FLEET_INTERVALS: Record<string, string> = { FIXPOINT_OPTIMIZE_SWEEP_MS: '5000', FIXPOINT_CANARY_CHECK_MS: '5000' };

/** The FIXPOINT_CONFIG of the fleet: providers, components (rules, judge), optimizer model. */
export function fleetConfigYaml(world: World, providerBaseUrl: string, opts: { embeddings?: boolean; extra?: Record<string, unknown> } = {}): string {
  const components = Object.fromEntries(
    [...world.components.values()].map((c) => [c.name, { description: c.description, rules: c.rules, judge: { rubric: c.rubric, model: JUDGE_MODEL } }]),
  );
  return stringify({
    providers: { sim: { baseUrl: providerBaseUrl, apiKey: SIM_PROVIDER_KEY, modelPrefixes: ['sim-'] } },
    components,
    ...(opts.embeddings ? { patterns: { embeddings: { model: EMBEDDINGS_MODEL } } } : {}),
    optimizer: { model: OPTIMIZER_MODEL, auto: true },
    ...opts.extra,
  });
}

export interface FleetGateway {
  url: string;
  adminToken: string;
  db: Db;
  config: Config;
  yaml: string;
  /** `embedded` (PGlite, in-process jobs) or what DATABASE_URL / REDIS_URL gave. */
  mode: string;
  /** With a worker (REDIS_URL): stop it (as a crash or redeploy would, mid-job) and start a fresh one. */
  restartWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startFleetGateway(o: {
  world: World;
  providerBaseUrl: string;
  embeddings?: boolean;
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  logLevel?: string;
  /** More YAML sections (a test's retrain settings, say); they replace the fleet's own of the same name. */
  extra?: Record<string, unknown>;
  /** More environment settings (intervals). */
  env?: Record<string, string>;
}): Promise<FleetGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fixpoint-fleet-'));
  const yaml = fleetConfigYaml(o.world, o.providerBaseUrl, { embeddings: o.embeddings ?? false, ...(o.extra ? { extra: o.extra } : {}) });
  const configPath = path.join(dir, 'fixpoint.yaml');
  writeFileSync(configPath, yaml);
  const database = o.databaseUrl ? await createScratchDatabase(o.databaseUrl, 'fixpoint_fleet') : null;
  const adminToken = randomBytes(16).toString('hex');
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      OPENAI_BASE_URL: o.providerBaseUrl,
      OPENAI_API_KEY: SIM_PROVIDER_KEY,
      FIXPOINT_CONFIG: configPath,
      FIXPOINT_DATA_DIR: path.join(dir, 'data'),
      FIXPOINT_ADMIN_TOKEN: adminToken,
      DATABASE_URL: database?.url,
      REDIS_URL: o.redisUrl,
      LOG_LEVEL: o.logLevel ?? 'silent',
      ...FLEET_INTERVALS,
      ...o.env,
    },
    yaml,
  );
  const logger = pino({ level: o.logLevel ?? 'silent' });
  const jobPrefix = `fleet-${randomBytes(4).toString('hex')}`;
  const gateway: RunningGateway = await startGateway(config, { logger, jobPrefix });
  const newWorker = () => startWorker({ ...config, env: { ...config.env, FIXPOINT_WORKER_METRICS_PORT: 0 } }, { logger, jobPrefix });
  let worker: RunningWorker | null = config.env.REDIS_URL ? await newWorker() : null;
  return {
    url: gateway.url,
    adminToken,
    db: gateway.deps.database.db,
    config,
    yaml,
    mode: `${database ? 'postgres' : 'embedded PGlite'}, ${worker ? 'BullMQ worker on Redis' : 'in-process jobs'}`,
    async restartWorker() {
      if (!worker) throw new Error('no worker to restart: the fleet runs its jobs in-process without REDIS_URL');
      await worker.close(500);
      worker = await newWorker();
    },
    async close() {
      await worker?.close(2000);
      await gateway.close(2000, 0);
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
