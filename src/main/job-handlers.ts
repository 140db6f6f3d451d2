import type { Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import { registerDetectHandlers, SWEEP_LOOKBACK_MINUTES } from '../detect/index.ts';
import { registerDiagnoseHandlers } from '../diagnose/index.ts';
import { registerGroupHandlers } from '../group/index.ts';
import { registerHotswapHandlers } from '../hotswap/index.ts';
import { registerOptimizeHandlers } from '../optimize/index.ts';
import type { JobSystem } from '../jobs/index.ts';
import { createPriceLookup, type ProviderRegistry } from '../providers/index.ts';
import { sweepRetention } from '../record/index.ts';
import { registerRetrainHandlers } from '../retrain/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';

const DAY_MS = 86_400_000;

/** Every background job handler, registered in whichever process runs jobs. Later stages add theirs here. */
export function registerJobHandlers(
  jobs: JobSystem,
  deps: { config: Config; db: Db; registry: ProviderRegistry; metrics: Metrics; logger: Logger; announcePrompts: () => Promise<void> },
): void {
  jobs.handle('retention.sweep', async ({ olderThanDays }, ctx) => {
    const deleted = await sweepRetention(deps.db, olderThanDays);
    deps.logger.info({ jobId: ctx.jobId, ...deleted, olderThanDays }, 'retention sweep done');
  });
  registerDetectHandlers(jobs, { ...deps, prices: createPriceLookup(deps.config.file.prices) });
  registerGroupHandlers(jobs, deps);
  registerDiagnoseHandlers(jobs, deps);
  registerHotswapHandlers(jobs, deps);
  registerOptimizeHandlers(jobs, deps);
  registerRetrainHandlers(jobs, deps);
}

/** Recurring jobs; idempotent, so every process may call it. */
export async function scheduleRecurringJobs(jobs: JobSystem, config: Config): Promise<void> {
  const days = config.env.FIXPOINT_RETENTION_DAYS;
  if (days > 0) await jobs.schedule('retention', 'retention.sweep', { olderThanDays: days }, DAY_MS / 4);
  await jobs.schedule('detect-sweep', 'detect.sweep', { lookbackMinutes: SWEEP_LOOKBACK_MINUTES }, config.env.FIXPOINT_DETECT_SWEEP_MS);
  await jobs.schedule('group-sweep', 'group.sweep', {}, config.env.FIXPOINT_GROUP_SWEEP_MS);
  await jobs.schedule('canary-check', 'hotswap.canary', {}, config.env.FIXPOINT_CANARY_CHECK_MS);
  await jobs.schedule('optimize-sweep', 'optimize.sweep', {}, config.env.FIXPOINT_OPTIMIZE_SWEEP_MS);
  await jobs.schedule('retrain-sweep', 'retrain.sweep', {}, config.env.FIXPOINT_RETRAIN_SWEEP_MS);
}
