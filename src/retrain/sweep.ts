import { sql } from 'drizzle-orm';
import { recommendationStatuses, rowsOf } from '../db/index.ts';
import { notify, type RetrainDeps } from './deps.ts';
import { followCanaries, resumeStalled } from './follow.ts';
import { approveByPolicy, refreshRecommendations } from './recommendations.ts';

const alerting = ['open', 'approved', 'training', 'evaluating', 'canary'];

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

async function updateGauges(deps: RetrainDeps): Promise<void> {
  const rows = rowsOf<{ component: string; status: string }>(await deps.db.execute(sql`select component, status from finetune_recommendations where updated_at > now() - interval '30 days' or status in ('needs_examples', 'open', 'approved', 'training', 'evaluating', 'canary')`));
  const m = deps.metrics;
  m.finetuneRecommended.reset();
  m.finetuneRecommendations.reset();
  m.tunedModelCanaries.reset();
  const byStatus = new Map<string, number>(recommendationStatuses.map((s) => [s, 0]));
  const recommended = new Map<string, number>();
  const canaries = new Map<string, number>();
  for (const r of rows) {
    byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    const component = m.label.component(r.component);
    recommended.set(component, Math.max(recommended.get(component) ?? 0, alerting.includes(r.status) ? 1 : 0));
    canaries.set(component, Math.max(canaries.get(component) ?? 0, r.status === 'canary' ? 1 : 0));
  }
  for (const [component, v] of recommended) m.finetuneRecommended.labels(component).set(v);
  for (const [component, v] of canaries) m.tunedModelCanaries.labels(component).set(v);
  for (const [status, n] of byStatus) m.finetuneRecommendations.labels(status).set(n);
}
