import { sql, type SQL } from 'drizzle-orm';
import type { OptimizerSettings } from '../config/index.ts';
import { rowsOf, type Db } from '../db/index.ts';
import type { JobSystem } from '../jobs/index.ts';
import { createRun } from './run-optimization.ts';

/**
 * By policy: a systematic (or regressed) pattern whose remedy is the prompt, with at least
 * `minCases` failing calls in 7 days, and no run within the cooldown, gets one — one component at a
 * time (its largest due pattern first), and not while the component has a run in flight or a canary
 * still being decided: a new version must not replace a canary before the monitor has judged it. A run that ended
 * inconclusive (too few cases, an effect not yet significant) holds the pattern back only until as
 * many new failing calls arrived as it had cases: then the next run has twice the evidence. A run
 * that fixed it holds it back only until its version, promoted, still fails `minCases` calls of the
 * pattern: a partial fix is built on rather than left for a day. Returns the runs started.
 */
export async function startPolicyRuns(db: Db, jobs: JobSystem, s: OptimizerSettings): Promise<string[]> {
  if (!s.auto || !s.model) return [];
  // Failing calls of the pattern served by the given version while it is the component's active one.
  const failingUnderWinner = (version: SQL) => sql`(select count(distinct f.call_id) from failures f join calls c on c.id = f.call_id
    join component_prompts cp on cp.component = p.component and cp.active_version_id = ${version}
    where f.pattern_id = p.id and c.prompt_version_id = ${version})`;
  const failingCalls = (since: SQL) => sql`(select count(distinct f.call_id) from failures f where f.pattern_id = p.id and f.created_at > ${since})`;
  const due = rowsOf<{ id: string; component: string }>(
    await db.execute(sql`
      select distinct on (p.component) p.id, p.component from patterns p
      where p.merged_into is null and p.status in ('systematic', 'regressed') and p.remedy in ('prompt', 'prompt_then_finetune')
        and ${failingCalls(sql`now() - interval '7 days'`)} >= ${s.minCases}
        and not exists (select 1 from optimization_runs r where r.component = p.component and r.status in ('queued', 'running'))
        and not exists (select 1 from component_prompts cp where cp.component = p.component and cp.canary_version_id is not null)
        and not exists (select 1 from optimization_runs r where r.pattern_id = p.id
          and r.created_at > now() - make_interval(secs => ${s.cooldownHours * 3600})
          and not (r.outcome = 'inconclusive' and ${failingCalls(sql`r.created_at`)} >= greatest(${s.minCases}, coalesce((r.sets->>'patternCases')::int, 0)))
          and not (r.outcome = 'fixed' and ${failingUnderWinner(sql`r.winner_version_id`)} >= ${s.minCases}))
      order by p.component, ${failingCalls(sql`now() - interval '7 days'`)} desc, p.last_seen desc limit 20`),
  );
  const started: string[] = [];
  for (const p of due) {
    const runId = await createRun(db, p.id, p.component, 'policy');
    await jobs.enqueue('optimize.run', { runId }, { jobId: `optimize:${runId}` });
    started.push(runId);
  }
  return started;
}
