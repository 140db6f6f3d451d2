import type { Config } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { JobSystem } from '../jobs/index.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import type { LivePrompts } from '../hotswap/index.ts';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { CallSink } from './proxy/call-context.ts';

/** What the HTTP surface needs, built once in main/deps.ts (tests build their own). */
export interface IngressDeps {
  config: Config;
  registry: ProviderRegistry;
  recorder: CallSink & {
    readonly accepting: boolean;
    readonly databaseUp: boolean;
    findPending(id: string): Promise<{ component: string; startedAt: Date; clientKeyHash: string | null } | null>;
    /** Metrics the recorder keeps outside `metrics.registry` (its own thread), merged into /metrics. */
    foreignMetrics(): Promise<MetricObjectWithValues<MetricValue<string>>[]>;
  };
  database: Database;
  jobs: JobSystem;
  metrics: Metrics;
  logger: Logger;
  prompts: LivePrompts;
  hashKey: (key: string | null) => string | null;
  lifecycle: { draining: boolean };
}
