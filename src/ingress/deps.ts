import type { Config } from '../config/index.ts';
import type { Database, SchemaMigrations } from '../db/index.ts';
import type { JobSystem } from '../jobs/index.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import type { LivePrompts } from '../hotswap/index.ts';
import type { CallRecorder } from '../record/index.ts';

/** What the HTTP surface needs, built once in main/deps.ts (tests build their own). */
export interface IngressDeps {
  config: Config;
  registry: ProviderRegistry;
  recorder: Pick<CallRecorder, 'capture' | 'accepting' | 'databaseUp' | 'findPending' | 'foreignMetrics'>;
  database: Database;
  /** Whether the tables exist yet (migrations wait for an unreachable database). */
  schema: Pick<SchemaMigrations, 'migrated' | 'lastError'>;
  jobs: JobSystem;
  metrics: Metrics;
  logger: Logger;
  prompts: LivePrompts;
  hashKey: (key: string | null) => string | null;
  lifecycle: { draining: boolean };
}
