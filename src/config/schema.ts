import { z } from 'zod';
import { componentSchema } from './components.ts';
import { hotswapSchema } from './hotswap.ts';
import { checkModelReferences } from './model-references.ts';
import { optimizerSchema } from './optimizer.ts';
import { patternsSchema } from './patterns.ts';
import { aliasSchema, aliasTarget, resilienceSchema, upstreamTimeoutsSchema } from './resilience.ts';
import { retrainSchema } from './retrain.ts';
import { tracingEnvSchema } from './tracing.ts';
import { translationSchema } from './translation.ts';

/** Prices in USD per million tokens. */
export const priceSchema = z.object({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
});
export type Price = z.infer<typeof priceSchema>;

const providerNamePattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * A provider's base URL: http or https with a host. `new URL('localhost:9901/v1')` reads `localhost:`
 * as the scheme and `ftp://…` parses too; both would fail only on the first call, with a stack trace.
 */
const httpBaseUrl = () =>
  z.url({ protocol: z.regexes.httpProtocol, error: 'must be an http:// or https:// URL, e.g. http://localhost:9901/v1' });

export const providerSchema = z.object({
  /** `openai` speaks the OpenAI wire format (OpenAI, vLLM, Ollama, Together, ...); `anthropic` the Messages API. */
  kind: z.enum(['openai', 'anthropic']).default('openai'),
  baseUrl: httpBaseUrl(),
  /** Key used for keyless clients (loopback only) and for the gateway's own calls. May be `${ENV_VAR}`. */
  apiKey: z.string().min(1).optional(),
  /** Model-name prefixes routed here when a plain name is used, e.g. ["llama-", "qwen"]. */
  modelPrefixes: z.array(z.string().min(1)).default([]),
  /** Extra headers sent upstream on every call. */
  headers: z.record(z.string(), z.string()).default({}),
  /**
   * Ask chat streams for usage (`stream_options.include_usage`) so streamed calls are recorded with
   * token counts; turn off for an upstream that rejects the field (tokens of its streams stay unknown).
   */
  streamUsage: z.boolean().default(true),
  /** This provider's upstream timeouts, over `resilience.timeouts` (a route's own override these). */
  timeouts: upstreamTimeoutsSchema.optional(),
});
export type ProviderSettings = z.infer<typeof providerSchema>;

/** The YAML file named by FIXPOINT_CONFIG. Later stages add components, judge, optimizer, retrain. */
export const fileConfigSchema = z
  .object({
    providers: z
      .record(z.string().regex(providerNamePattern, 'provider names are lowercase letters, digits, - and _'), providerSchema)
      .default({}),
    /** alias -> "provider/model" or a plain model name, or { model, fallbacks }. */
    aliases: z.record(z.string().min(1), aliasSchema).default({}),
    /** model name (as served) -> price; overrides the built-in table. */
    prices: z.record(z.string().min(1), priceSchema).default({}),
    /** Agent components by name (the x-fixpoint-component value or an auto:… fingerprint): rules and judge. */
    components: z.record(z.string().min(1), componentSchema).default({}),
    /** Grouping failures into patterns, and their diagnosis. */
    patterns: patternsSchema.default(() => patternsSchema.parse({})),
    /** Prompt hot-swap: the canary monitor's bounds. */
    hotswap: hotswapSchema.default(() => hotswapSchema.parse({})),
    /** Prompt re-optimization: the optimizer model, budgets and acceptance. */
    optimizer: optimizerSchema.default(() => optimizerSchema.parse({})),
    /** Weight fine-tuning: when a pattern becomes a candidate. */
    retrain: retrainSchema.default(() => retrainSchema.parse({})),
    /** Translating between the OpenAI and Anthropic formats: the token-limit fields and defaults. */
    translation: translationSchema.default(() => translationSchema.parse({})),
    /** Upstream retries, fallbacks' limits, circuit breakers and timeouts. */
    resilience: resilienceSchema.default(() => resilienceSchema.parse({})),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const [alias, entry] of Object.entries(cfg.aliases)) {
      const target = aliasTarget(entry);
      if (cfg.aliases[target] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['aliases', alias], message: `points at another alias (${target}); point it at a model` });
      }
    }
    checkModelReferences(cfg, ctx);
  });
export type FileConfig = z.infer<typeof fileConfigSchema>;

const intFromEnv = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

export const envSchema = z.object({
  PORT: intFromEnv(8787, 0).refine((p) => p <= 65535, 'must be a port number'),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  /** Key prefix of the job queues in Redis (several deployments can share one Redis). */
  FIXPOINT_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (up to 64)').default('fixpoint'),
  OPENAI_BASE_URL: httpBaseUrl().default('https://api.openai.com/v1'),
  OPENAI_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: httpBaseUrl().default('https://api.anthropic.com'),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  FIXPOINT_CONFIG: z.string().min(1).optional(),
  FIXPOINT_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  FIXPOINT_DATA_DIR: z.string().min(1).default('./.fixpoint'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest request body accepted, bytes. */
  FIXPOINT_MAX_BODY_BYTES: intFromEnv(20 * 1024 * 1024, 1024),
  /**
   * Deepest nesting of arrays and objects a proxied JSON body may have (the top level is 1); deeper
   * gets 400. Real requests stay within a few dozen levels. 0: no limit.
   */
  FIXPOINT_MAX_JSON_DEPTH: intFromEnv(256, 0),
  /** Upstream connect timeout and idle (no bytes) timeout, ms. */
  FIXPOINT_CONNECT_TIMEOUT_MS: intFromEnv(10_000, 1),
  FIXPOINT_IDLE_TIMEOUT_MS: intFromEnv(300_000, 1),
  /** Keep-alive of client connections; longer than common load balancers' idle timeouts (AWS ALB 60 s, GCP 600 s). */
  FIXPOINT_KEEPALIVE_TIMEOUT_MS: intFromEnv(650_000, 1),
  /**
   * Client connections: the whole request (headers and body) must arrive within the request timeout,
   * its headers within the headers timeout (at most the request timeout), else 408 and the connection
   * closes; slow-body clients cannot hold connections for Node's default 300 s.
   */
  FIXPOINT_REQUEST_TIMEOUT_MS: intFromEnv(60_000, 100),
  FIXPOINT_HEADERS_TIMEOUT_MS: intFromEnv(60_000, 100),
  /** Most client connections open at once; more are closed on arrival (0: no limit). */
  FIXPOINT_MAX_CONNECTIONS: intFromEnv(10_000, 0),
  /** Bearer token /metrics asks for; without it /metrics is open (scraped from a private network). */
  FIXPOINT_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Longest wait between attempts to migrate a database that was unreachable at start, ms. */
  FIXPOINT_MIGRATE_RETRY_MAX_MS: intFromEnv(30_000, 100),
  /** After SIGTERM, how long /readyz is red while calls are still served (load balancer deregistration). */
  FIXPOINT_SHUTDOWN_GRACE_MS: intFromEnv(1000, 0),
  /** Then how long in-flight calls get to finish before their connections are closed. */
  FIXPOINT_DRAIN_TIMEOUT_MS: intFromEnv(25_000, 0),
  /** Recorder: records per insert batch, flush interval, in-memory bound before spilling to the spool. */
  FIXPOINT_RECORD_BATCH_SIZE: intFromEnv(200, 1),
  FIXPOINT_RECORD_FLUSH_MS: intFromEnv(50, 1),
  FIXPOINT_RECORD_BUFFER_MAX: intFromEnv(20_000, 1),
  /**
   * How long the recorder waits for one write (or a check) of the database before it takes the
   * database as unreachable and spills what it holds to the spool. Unset: 500 ms on Postgres, 10 s
   * on the embedded database (see gatewayWriteTimeoutMs in src/record).
   */
  FIXPOINT_RECORD_WRITE_TIMEOUT_MS: z.coerce.number().int().min(1).optional(),
  /**
   * With Postgres, the recorder runs in a worker thread of its own (`thread`), off the thread that
   * proxies calls; `inline` keeps it in the gateway's thread. Embedded PGlite is always inline.
   */
  FIXPOINT_RECORDER: z.enum(['thread', 'inline']).default('thread'),
  /**
   * How many nice steps below the gateway's own CPU priority the recorder's thread runs (Linux; 0:
   * the same), so that on a busy machine the calls being proxied are served first and the recording
   * catches up in the gaps.
   */
  FIXPOINT_RECORDER_NICE: intFromEnv(10, 0).refine((n) => n <= 19, 'must be 0 to 19'),
  /**
   * A directory the recorder's thread writes a V8 CPU profile to when it stops (set by the benchmark,
   * bench/gateway.ts, which profiles the gateway's main thread with node's own --cpu-prof); none by default.
   */
  BENCH_GATEWAY_PROFILE: z.string().min(1).optional(),
  /** Where `fixpoint worker` serves its /metrics (0: any free port). */
  FIXPOINT_WORKER_METRICS_PORT: intFromEnv(9464, 0).refine((p) => p <= 65535, 'must be a port number'),
  /** How often the detectors look for recorded calls nobody checked (lost enqueues, Redis outages). */
  FIXPOINT_DETECT_SWEEP_MS: intFromEnv(60_000, 100),
  /** How often waiting failures are grouped and pattern statistics refreshed, ms. */
  FIXPOINT_GROUP_SWEEP_MS: intFromEnv(5_000, 100),
  /** The safety-net reload of live prompt versions, ms (changes arrive at once over Redis pub/sub). */
  FIXPOINT_PROMPT_RELOAD_MS: intFromEnv(5_000, 100),
  /** How often canaries are compared with their control, ms. */
  FIXPOINT_CANARY_CHECK_MS: intFromEnv(30_000, 100),
  /** How often systematic prompt-fixable patterns are looked for to optimize by policy, ms. */
  FIXPOINT_OPTIMIZE_SWEEP_MS: intFromEnv(60_000, 100),
  /** How often fine-tuning candidates are looked for, recommendations updated and training jobs watched, ms. */
  FIXPOINT_RETRAIN_SWEEP_MS: intFromEnv(60_000, 100),
  /** Signs fine-tuning webhooks (HMAC-SHA256); overrides `retrain.webhook.secret`. */
  FIXPOINT_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Calls older than this are deleted by the retention job; 0 keeps everything. */
  FIXPOINT_RETENTION_DAYS: intFromEnv(30, 0),
  /** Secret for keyed hashes of client keys (feedback ownership). Defaults to one generated under the data dir. */
  FIXPOINT_HASH_SECRET: z.string().min(16).optional(),
  /** OpenTelemetry: one span per call over OTLP/HTTP when an endpoint is set (tracing.ts). */
  ...tracingEnvSchema,
});
export type EnvSettings = z.infer<typeof envSchema>;
