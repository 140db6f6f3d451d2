import type { Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import type { JobSystem } from '../jobs/index.ts';
import type { Logger, Metrics } from '../telemetry/index.ts';
import { monitorCanaries } from './canary-monitor.ts';

/** The hot-swap stage's job: the periodic canary check, which promotes or rolls back by itself. */
export function registerHotswapHandlers(
  jobs: JobSystem,
  deps: { config: Config; db: Db; metrics: Metrics; logger: Logger; announcePrompts: () => Promise<void> },
): void {
  jobs.handle('hotswap.canary', async (_payload, ctx) => {
    const decisions = await monitorCanaries({ db: deps.db, settings: deps.config.file.hotswap.canary, metrics: deps.metrics, logger: deps.logger, announce: deps.announcePrompts });
    const taken = decisions.filter((d) => d.decision !== 'continue');
    if (taken.length > 0) deps.logger.info({ jobId: ctx.jobId, decisions: taken.map((d) => ({ component: d.component, decision: d.decision, reason: d.reason })) }, 'canaries decided');
  });
}
