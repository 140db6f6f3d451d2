import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import OpenAI from 'openai';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { calls, type CallSelect } from '../../src/db/index.ts';
import { startGateway, type RunningGateway } from '../../src/main/serve.ts';
import { startWorker, type RunningWorker } from '../../src/main/worker.ts';
import { startFakeUpstream, type FakeUpstream } from '../../testkit/fake-upstream/index.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export const CLIENT_KEY = 'sk-client-abcdefghijklmnopqrstuvwxyz0123';
export const OPENAI_KEY = 'sk-operator-openai-ABCDEFGHIJKLMNOPQRSTUV';
export const ANTHROPIC_KEY = 'sk-ant-op_test_ABCDEFGHIJKLMNOPQRSTUVWX'; // a fake key, shaped so secret scanners do not mistake it for a real one
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

export interface Harness {
  gateway: RunningGateway;
  fake: FakeUpstream;
  db: TestDatabase;
  /** The settings the gateway runs with (for a worker process on the same database and queues). */
  config: Config;
  jobPrefix: string;
  worker: RunningWorker | null;
  /** Waits until the recorder has written everything, then reads one call's row. */
  callRow(id: string): Promise<CallSelect | undefined>;
  allRows(): Promise<CallSelect[]>;
  admin(path: string): Promise<Response>;
  /** The metrics of whichever process runs the jobs (the worker with Redis, else the gateway). */
  jobMetrics(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A gateway on an ephemeral port in front of a fake upstream, on real Postgres and Redis when
 * DATABASE_URL / REDIS_URL are set, PGlite and in-process jobs otherwise.
 */
export async function startHarness(
  env: Record<string, string | undefined> = {},
  /** worker: with REDIS_URL set the gateway only enqueues jobs; start a worker (in this process) to run them. */
  /** logger: the gateway's (default silent), e.g. one writing to a test's own stream to read what was logged. */
  opts: { yaml?: string; fake?: FakeUpstream; db?: TestDatabase; worker?: boolean; jobPrefix?: string; logger?: Logger } = {},
): Promise<Harness> {
  const fake = opts.fake ?? (await startFakeUpstream());
  const db = opts.db ?? (await createTestDatabase());
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      OPENAI_BASE_URL: fake.openaiBaseUrl,
      OPENAI_API_KEY: OPENAI_KEY,
      ANTHROPIC_BASE_URL: fake.anthropicBaseUrl,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      FIXPOINT_DATA_DIR: db.dataDir,
      FIXPOINT_ADMIN_TOKEN: ADMIN_TOKEN,
      FIXPOINT_RECORD_FLUSH_MS: '50',
      DATABASE_URL: db.url,
      REDIS_URL: process.env['REDIS_URL'],
      LOG_LEVEL: 'silent',
      FIXPOINT_RETENTION_DAYS: '0',
      ...env,
    },
    opts.yaml,
  );
  const jobPrefix = opts.jobPrefix ?? `fpt-${randomBytes(4).toString('hex')}`;
  const gateway = await startGateway(config, { logger: opts.logger ?? pino({ level: 'silent' }), jobPrefix });
  const worker: RunningWorker | null =
    opts.worker && config.env.REDIS_URL ? await startWorker({ ...config, env: { ...config.env, FIXPOINT_WORKER_METRICS_PORT: 0 } }, { logger: pino({ level: 'silent' }), jobPrefix }) : null;
  const database = gateway.deps.database.db;
  return {
    gateway,
    fake,
    db,
    config,
    jobPrefix,
    async callRow(id) {
      // The client can hold its answer a moment before the gateway hands the finished capture to the
      // recorder (the response's close comes after its last byte), so a flush alone can miss it.
      for (let waited = 0; ; waited += 50) {
        await gateway.deps.recorder.flush();
        const [row] = await database.select().from(calls).where(eq(calls.id, id));
        if (row || waited >= 5_000) return row;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async allRows() {
      await gateway.deps.recorder.flush();
      return database.select().from(calls);
    },
    jobMetrics: async () => (await fetch(`${worker?.metricsUrl ?? gateway.url}/metrics`)).text(),
    admin: (p) => fetch(`${gateway.url}${p}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
    worker,
    async close() {
      await worker?.close(2000);
      await gateway.close(2000, 0);
      if (!opts.fake) await fake.close();
      if (!opts.db) await db.drop();
    },
  };
}

/** The official openai client pointed at a harness's gateway, as an agent would be (with the client's own key). */
export function clientFor(h: Harness): OpenAI {
  return new OpenAI({ baseURL: `${h.gateway.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
}
