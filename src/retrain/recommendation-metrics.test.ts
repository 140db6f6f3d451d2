import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../telemetry/index.ts';
import { observeDatasetRows, observeRecommendations, observeTrainingJobFinished } from './recommendation-metrics.ts';

async function values(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const out: Record<string, number> = {};
  for (const v of (metric?.values ?? []) as { labels: Record<string, string | number>; value: number; metricName?: string }[]) {
    out[[v.metricName ?? name, ...Object.entries(v.labels).map(([k, l]) => `${k}=${l}`)].join(' ')] = v.value;
  }
  return out;
}

describe('retrain metrics', () => {
  it('sets recommended per component, counts by status and canaries; gone components drop out', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { defaultMetrics: false });
    observeRecommendations(metrics, [
      { component: 'support', status: 'open' },
      { component: 'search', status: 'needs_examples' },
      { component: 'billing', status: 'canary' },
      { component: 'old', status: 'promoted' },
    ]);
    expect(await values(registry, 'fixpoint_finetune_recommended')).toEqual({
      'fixpoint_finetune_recommended component=support': 1,
      'fixpoint_finetune_recommended component=search': 0,
      'fixpoint_finetune_recommended component=billing': 1,
      'fixpoint_finetune_recommended component=old': 0,
    });
    const byStatus = await values(registry, 'fixpoint_finetune_recommendations');
    expect(byStatus['fixpoint_finetune_recommendations status=open']).toBe(1);
    expect(byStatus['fixpoint_finetune_recommendations status=dismissed']).toBe(0);
    expect(Object.keys(byStatus)).toHaveLength(10);
    expect(await values(registry, 'fixpoint_tuned_model_canaries')).toMatchObject({ 'fixpoint_tuned_model_canaries component=billing': 1, 'fixpoint_tuned_model_canaries component=support': 0 });
    observeRecommendations(metrics, [{ component: 'support', status: 'dismissed' }]);
    expect(await values(registry, 'fixpoint_finetune_recommended')).toEqual({ 'fixpoint_finetune_recommended component=support': 0 });
  });

  it('counts finished training jobs with their run time, and the last dataset by split', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { defaultMetrics: false });
    observeTrainingJobFinished(metrics, { backend: 'local', status: 'succeeded', startedAt: new Date(0), finishedAt: new Date(1_200_000) });
    expect(await values(registry, 'fixpoint_training_jobs_total')).toEqual({ 'fixpoint_training_jobs_total backend=local status=succeeded': 1 });
    const duration = await values(registry, 'fixpoint_training_job_duration_seconds');
    expect(duration['fixpoint_training_job_duration_seconds_sum backend=local']).toBe(1200);
    observeDatasetRows(metrics, { train: 900, validation: 100, gate: 200, bogus: 5 });
    expect(await values(registry, 'fixpoint_finetune_dataset_rows')).toEqual({
      'fixpoint_finetune_dataset_rows split=train': 900,
      'fixpoint_finetune_dataset_rows split=validation': 100,
      'fixpoint_finetune_dataset_rows split=gate': 200,
    });
  });
});
