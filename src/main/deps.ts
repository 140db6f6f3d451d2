import { Registry } from 'prom-client';
import { traceExportSettings, type Config } from '../config/index.ts';
import { migrateWhenReachable, openDatabase, type Database, type SchemaMigrations } from '../db/index.ts';
import { createJobSystem, createRedisClients, type JobSystem, type RedisClients } from '../jobs/index.ts';
import { createProviderRegistry, type ProviderRegistry } from '../providers/index.ts';
import { createRecorder, gatewayWriteTimeoutMs, ThreadedRecorder, type CallRecorder } from '../record/index.ts';
import { createLogger, createMetrics, type Logger, type Metrics } from '../telemetry/index.ts';
import { createKeyHasher } from '../ingress/index.ts';
import { createLivePrompts, type LivePrompts } from '../hotswap/index.ts';
import { createDetector, createStoredCallsQueue, type StoredCallsQueue } from '../detect/index.ts';
import { loadHashSecret } from './hash-secret.ts';

/** What every process needs: settings, logs, metrics, the database, Redis, the job system. */
export interface CoreDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  database: Database;
  /**
   * The database's migrations: applied at start when it answers, else retried in the background;
   * what reads or writes tables waits for them (`schema.whenMigrated`).
   */
  schema: SchemaMigrations;
  /**
   * The process's Redis connections when REDIS_URL is set (BullMQ's and pub/sub's), shared by the
   * job system and the live prompts; closed once, after both.
   */
  redis: RedisClients | undefined;
  jobs: JobSystem;
  /** Redis key prefix of this deployment (queues and pub/sub channels). */
  prefix: string;
}

/** The gateway adds providers, the recorder and its lifecycle. */
export interface Deps extends CoreDeps {
  registry: ProviderRegistry;
  recorder: CallRecorder;
  /** Ids of stored calls on their way to detection jobs (flushed at shutdown). */
  storedCalls: StoredCallsQueue;
  /** Live prompt versions (hot-swap), in memory. */
  prompts: LivePrompts;
  hashKey: (key: string | null) => string | null;
  lifecycle: { draining: boolean };
}

export interface BuildOptions {
  logger?: Logger;
  /** BullMQ prefix (tests isolate themselves with their own). */
  jobPrefix?: string;
}

/** The one place that builds connections and shared services; everything else gets them passed in. */
export async function buildCoreDeps(config: Config, opts: BuildOptions = {}): Promise<CoreDeps> {
  const { env } = config;
  const logger = opts.logger ?? createLogger(env.LOG_LEVEL);
  const metrics = createMetrics(new Registry());
  const database = openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.FIXPOINT_DATA_DIR,
    nice: env.FIXPOINT_RECORDER_NICE,
    embedded: {
      onError: (message) => logger.warn({ database: 'pglite', error: message }, 'embedded database: a connection failed'),
      onRestart: (reason, delayMs) => {
        metrics.embeddedDatabaseRestarts.inc();
        logger.error({ database: 'pglite', reason, delayMs }, "embedded database's thread died: starting it again; records are spooled until it is back");
      },
    },
  });
  // Say what the start is doing: the embedded database's first start (loading Postgres compiled to
  // WebAssembly, then every migration) takes a while on a small machine.
  logger.info(
    database.kind === 'pglite' ? { database: 'pglite', dataDir: env.FIXPOINT_DATA_DIR } : { database: 'postgres' },
    database.kind === 'pglite' ? 'opening the embedded database and applying migrations (the first start takes a while)' : 'connecting to Postgres and applying migrations',
  );
  const since = Date.now();
  const retryMax = env.FIXPOINT_MIGRATE_RETRY_MAX_MS;
  const schema = await migrateWhenReachable(database, logger, { minDelayMs: Math.min(500, retryMax), maxDelayMs: retryMax });
  if (schema.migrated) logger.info({ ms: Date.now() - since }, 'database ready: migrations applied');
  const redis = env.REDIS_URL ? createRedisClients(env.REDIS_URL, logger.child({ component: 'redis' })) : undefined;
  const jobs = createJobSystem({
    redis,
    prefix: opts.jobPrefix ?? env.FIXPOINT_REDIS_PREFIX,
    logger,
    hooks: {
      onCompleted: (name, seconds) => {
        metrics.jobsCompleted.labels(name).inc();
        metrics.jobDuration.labels(name).observe(seconds);
      },
      onFailed: (name, final) => metrics.jobsFailed.labels(name, String(final)).inc(),
    },
  });
  return { config, logger, metrics, database, schema, redis, jobs, prefix: opts.jobPrefix ?? env.FIXPOINT_REDIS_PREFIX };
}

/**
 * One line at start naming the providers without a configured key: keyless local calls to them (no
 * key, or the placeholder) get 401 naming the setting, and the gateway's own calls to them have no key.
 */
function warnAboutMissingKeys(registry: ProviderRegistry, logger: Logger): void {
  const keyless = [...registry.providers.values()].filter((p) => !p.apiKey);
  if (keyless.length === 0) return;
  logger.warn(
    { providers: keyless.map((p) => p.name), settings: keyless.map((p) => p.keySetting) },
    `no configured key for provider ${keyless.map((p) => `${p.name} (${p.keySetting})`).join(', ')}: keyless local calls (no key, or the placeholder key) to ${keyless.length === 1 ? 'it' : 'them'} get 401 naming the setting; calls with a client key are forwarded as usual`,
  );
}

/** The recorder thread's entry module. */
export const RECORDER_THREAD_ENTRY = new URL('./recorder-thread-boot.mjs', import.meta.url);

export async function buildGatewayDeps(core: CoreDeps): Promise<Deps> {
  const { config, logger, metrics, database } = core;
  const { env } = config;
  const storedCalls = createStoredCallsQueue(core.jobs, (err, calls) => {
    metrics.detectEnqueueFailures.inc();
    logger.warn({ err, calls }, 'could not enqueue detection; the sweep will pick these calls up');
  });
  const onStored = (callIds: string[]) => storedCalls.add(callIds);
  const registry = createProviderRegistry(config, { connectTimeoutMs: env.FIXPOINT_CONNECT_TIMEOUT_MS, idleTimeoutMs: env.FIXPOINT_IDLE_TIMEOUT_MS });
  warnAboutMissingKeys(registry, logger);
  const traces = traceExportSettings(env);
  const settings = {
    dataDir: env.FIXPOINT_DATA_DIR,
    prices: config.file.prices,
    batchSize: env.FIXPOINT_RECORD_BATCH_SIZE,
    flushMs: env.FIXPOINT_RECORD_FLUSH_MS,
    bufferMax: env.FIXPOINT_RECORD_BUFFER_MAX,
    writeTimeoutMs: gatewayWriteTimeoutMs(database.kind, env.FIXPOINT_RECORD_WRITE_TIMEOUT_MS),
    schemaPending: !core.schema.migrated,
    // One OpenTelemetry span per call, made where the record is finalized (the recorder's thread, if it has one).
    callSpans: traces && { ...traces, servers: Object.fromEntries([...registry.providers.values()].map((p) => [p.name, p.origin])) },
  };
  // Where this process runs the detection jobs (no Redis), the recorder checks the calls it stores as
  // it has them; the rest (replayed from the spool, stored cleaned) still go to the detection jobs.
  const detectInHand = core.jobs.kind === 'in-process';
  // The recorder's thread connects on its own: to Postgres, or to the embedded database's thread.
  const recorder: CallRecorder =
    env.FIXPOINT_RECORDER === 'thread'
      ? await ThreadedRecorder.start(
          { ...settings, databaseUrl: database.url, logLevel: env.LOG_LEVEL, nice: env.FIXPOINT_RECORDER_NICE, cpuProfileDir: env.BENCH_GATEWAY_PROFILE, ...(detectInHand ? { detection: { config } } : {}) },
          logger,
          {
            entry: RECORDER_THREAD_ENTRY,
            onStored,
            enqueue: ({ name, payload, opts }) =>
              void core.jobs.enqueue(name, payload, opts).catch((err: unknown) => logger.warn({ err, job: name }, 'could not enqueue a job from the recorder thread')),
          },
        )
      : await createRecorder({ ...settings, database, metrics, logger, onStored, ...(detectInHand ? { detect: createDetector({ config, db: database.db, jobs: core.jobs, metrics, logger }).detectRecorded } : {}) });
  const hashKey = createKeyHasher(loadHashSecret(env.FIXPOINT_HASH_SECRET, env.FIXPOINT_DATA_DIR));
  const prompts = createLivePrompts({ db: database.db, redis: core.redis, channel: `${core.prefix}:prompts`, reloadMs: env.FIXPOINT_PROMPT_RELOAD_MS, logger });
  core.schema.whenMigrated(() => recorder.schemaMigrated());
  return { ...core, registry, recorder, storedCalls, prompts, hashKey, lifecycle: { draining: false } };
}
