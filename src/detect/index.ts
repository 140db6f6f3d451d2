import type { JobSystem } from '../jobs/index.ts';
import type { DetectDeps } from './deps.ts';
import { createDetector } from './detector.ts';
import { createJudgeHandler } from './judge-job.ts';
import { sweepUnevaluated } from './sweep.ts';

export { createDetector, sampled } from './detector.ts';
export { createStoredCallsQueue, type StoredCallsQueue } from './stored-calls-queue.ts';

export type { DetectDeps } from './deps.ts';

/** How far back the sweep looks for calls nobody checked (covers a Redis outage of up to a day). */
export const SWEEP_LOOKBACK_MINUTES = 24 * 60;

/** The detection stage's jobs: check stored calls, sweep for missed ones, judge sampled ones. */
export function registerDetectHandlers(jobs: JobSystem, deps: DetectDeps): void {
  const detector = createDetector({ ...deps, jobs });
  jobs.handle(
    'detect.calls',
    async ({ callIds }, ctx) => {
      const r = await detector.detectCalls(callIds);
      deps.logger.debug({ jobId: ctx.jobId, ...r }, 'calls checked');
    },
    { concurrency: 2 },
  );
  jobs.handle('detect.sweep', async ({ lookbackMinutes }, ctx) => {
    const n = await sweepUnevaluated(deps.db, jobs, lookbackMinutes);
    if (n > 0) deps.logger.info({ jobId: ctx.jobId, calls: n }, 'unchecked calls found and enqueued');
  });
  const judges = Object.values(deps.config.file.components).flatMap((c) => (c.judge ? [c.judge.concurrency] : []));
  jobs.handle('judge.call', createJudgeHandler(deps), { concurrency: Math.max(1, ...judges) });
}
