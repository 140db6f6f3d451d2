import type { JobSystem } from '../jobs/index.ts';
import { startPolicyRuns } from './policy.ts';
import { runOptimization, type OptimizeDeps } from './run-optimization.ts';

export { runOptimization, createRun, type OptimizeDeps } from './run-optimization.ts';
export { rejectCandidate } from './guards.ts';
export { startPolicyRuns } from './policy.ts';
export { OPTIMIZER_MARKER } from './propose.ts';

/** The optimization stage's job: one run at a time per worker (runs are long and call models). */
export function registerOptimizeHandlers(jobs: JobSystem, deps: Omit<OptimizeDeps, 'jobs'>): void {
  jobs.handle('optimize.run', async ({ runId }, ctx) => runOptimization({ ...deps, jobs }, runId, ctx.signal), { concurrency: 1 });
  jobs.handle('optimize.sweep', async (_payload, ctx) => {
    const started = await startPolicyRuns(deps.db, jobs, deps.config.file.optimizer);
    if (started.length > 0) deps.logger.info({ jobId: ctx.jobId, runs: started }, 'optimization runs started by policy');
  });
}
