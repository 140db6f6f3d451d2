import type { Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import type { JobSystem } from '../jobs/index.ts';
import type { ProviderRegistry } from '../providers/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import { describePattern } from './describe-pattern.ts';
import { componentsWithUngrouped, groupComponentFailures } from './group-failures.ts';
import { PatternCache } from './pattern-cache.ts';
import { createTrafficCache, refreshPatterns, updatePatternGauges } from './refresh-patterns.ts';
import { createEmbeddingSpace, createLocalSpace, type VectorSpace } from './vector-space.ts';

export interface GroupDeps {
  config: Config;
  db: Db;
  registry: ProviderRegistry;
  metrics: Metrics;
  logger: Logger;
}

/** Defaults tuned on the labelled corpus: local TF-IDF vectors, and embeddings (which sit closer together). */
export const defaultThresholds = { local: { assign: 0.25, merge: 0.2 }, embeddings: { assign: 0.8, merge: 0.85 } };

/** The grouping stage's jobs: group failures per component, the periodic sweep and refresh, and summaries. */
export function registerGroupHandlers(jobs: JobSystem, deps: GroupDeps): void {
  const settings = deps.config.file.patterns;
  const kind = settings.embeddings ? 'embeddings' : 'local';
  const assign = settings.assignThreshold ?? defaultThresholds[kind].assign;
  const merge = settings.mergeThreshold ?? defaultThresholds[kind].merge;
  // Built on first use (it reads the learned frequencies from the database), then shared.
  let state: Promise<{ space: VectorSpace; cache: PatternCache }> | undefined;
  const grouping = (): Promise<{ space: VectorSpace; cache: PatternCache }> => {
    state ??= (settings.embeddings ? createEmbeddingSpace(deps.db, deps.registry, settings.embeddings) : createLocalSpace(deps.db)).then(
      (space) => ({ space, cache: new PatternCache(space, assign) }),
      (err: unknown) => {
        state = undefined;
        throw err;
      },
    );
    return state;
  };

  jobs.handle(
    'group.failures',
    async ({ component }, ctx) => {
      const { space, cache } = await grouping();
      const r = await groupComponentFailures(deps.db, { space, cache, mergeThreshold: merge, signal: ctx.signal }, component);
      const label = deps.metrics.label.component(component);
      deps.metrics.failuresGrouped.labels(label).inc(r.grouped);
      deps.metrics.patternsCreated.labels(label).inc(r.created);
      deps.metrics.patternsMerged.labels(label).inc(r.merged);
      if (r.grouped > 0) deps.logger.debug({ jobId: ctx.jobId, component, ...r }, 'failures grouped');
    },
    { concurrency: 2 },
  );

  const traffic = createTrafficCache();
  jobs.handle('group.sweep', async (_payload, ctx) => {
    for (const component of await componentsWithUngrouped(deps.db)) {
      await jobs.enqueue('group.failures', { component }, { jobId: `group:${component}` });
    }
    const refreshed = await refreshPatterns({ db: deps.db, jobs, settings, summariesConfigured: settings.summaries !== undefined, metrics: deps.metrics, logger: deps.logger, traffic });
    await updatePatternGauges(deps.db, deps.metrics);
    if (refreshed > 0) deps.logger.debug({ jobId: ctx.jobId, refreshed }, 'pattern statistics refreshed');
  });

  jobs.handle('group.describe', async ({ patternId }, ctx) => {
    const { space } = await grouping();
    await describePattern({ db: deps.db, registry: deps.registry, space, model: settings.summaries, logger: deps.logger }, patternId, ctx.signal);
  });
}
