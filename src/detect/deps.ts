import type { Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import type { PriceLookup, ProviderRegistry } from '../providers/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';

/** What the detection stage's jobs need, passed in by main. */
export interface DetectDeps {
  config: Config;
  db: Db;
  registry: ProviderRegistry;
  prices: PriceLookup;
  metrics: Metrics;
  logger: Logger;
}
