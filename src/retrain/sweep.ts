import { sql } from 'drizzle-orm';
import { rowsOf } from '../db/index.ts';
import { notify, type RetrainDeps } from './deps.ts';
import { followCanaries, resumeStalled } from './follow.ts';
import { approveByPolicy, refreshRecommendations } from './recommendations.ts';
import { observeRecommendations } from './recommendation-metrics.ts';

/**
 * The stage's periodic job: recommendations brought up to date with the candidates, approval by
 * policy (retrain.auto), canaries followed, stalled work queued again, and the gauges the alert
 * rule and dashboards read.
 */
export async function sweepRetrain(deps: RetrainDeps): Promise<void> {
  const changed = await refreshRecommendations({ db: deps.db, settings: deps.settings, countExamples: deps.countExamples, notify: (id, eventId) => notify(deps, id, eventId) });
  for (const { row, eventId } of await approveByPolicy(deps.db, deps.settings)) {
    await notify(deps, row.id, eventId);
    await deps.jobs.enqueue('retrain.train', { recommendationId: row.id }, { jobId: `train:${row.id}` });
  }
  await followCanaries(deps);
  await resumeStalled(deps);
  await updateGauges(deps);
  if (changed.length > 0) deps.logger.info({ recommendations: changed.map((r) => ({ id: r.id, component: r.component, status: r.status })) }, 'fine-tuning recommendations changed');
}

/** The gauges from the latest recommendation of every component. */
async function updateGauges(deps: RetrainDeps): Promise<void> {
  const latest = rowsOf<{ component: string; status: string }>(
    await deps.db.execute(sql`select distinct on (component) component, status from finetune_recommendations order by component, created_at desc`),
  );
  observeRecommendations(deps.metrics, latest);
}
