import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retrainSchema } from '../src/config/retrain.ts';
import { finetuneRecommendations, trainingJobs, type Database, type RecommendationRow } from '../src/db/index.ts';
import { movePromptPointer } from '../src/prompts/index.ts';
import type { RetrainDeps } from '../src/retrain/deps.ts';
import { evaluateTuned } from '../src/retrain/evaluate-tuned.ts';
import { approveByPolicy } from '../src/retrain/recommendations.ts';
import { startTraining } from '../src/retrain/start-training.ts';
import { seedVersion } from './support/retrain-seed.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';

/**
 * A tuned model is trained and judged on the prompt that will serve with it. While a component's
 * prompt is on canary, what serves it is about to change: `fixpoint demo`'s product recommender (a
 * format problem fixed by a prompt, a knowledge problem by a tuned model) had its tuned model judged
 * under the agent's own vague prompt while the prompt fix was on canary, lost the format on the
 * replayed passing calls and was rejected; the loop never closed for it.
 */
let database: Database;
let close: (() => Promise<void>) | undefined;
beforeAll(async () => {
  ({ database, close } = await openMigratedTestDatabase());
});
afterAll(async () => close?.());

const arithmetic = { failuresPerDay: 10, costPerFailureUsd: 0.05, failureCostPerDayUsd: 0.5, estimatedTrainingTokens: 1000, estimatedTrainingCostUsd: 0.1, servingCostPerDayUsd: 0, paybackDays: 0.2 };

async function componentWithPromptCanary(): Promise<{ component: string; promptFix: string }> {
  const component = `recommender-${randomUUID().slice(0, 8)}`;
  await seedVersion(database.db, { component, version: 0, template: 'Recommend one product.', status: 'observed', source: 'observed' });
  const promptFix = await seedVersion(database.db, { component, version: 1, template: 'Recommend one product. Reply with only JSON {"product_id", "reason"}.', status: 'candidate', source: 'optimizer' });
  await movePromptPointer(database.db, promptFix, { action: 'canary', share: 0.5 }, 'optimizer');
  return { component, promptFix };
}

async function recommendation(component: string, status: string, extra: Partial<RecommendationRow> = {}): Promise<string> {
  const id = randomUUID();
  await database.db.insert(finetuneRecommendations).values({
    id, component, status, examples: { trusted: 20, bySource: { teacher: 0, correction: 20, later_prompt: 0 }, missing: 0 }, baseModel: 'sim-base', backend: 'openai', arithmetic, ...extra,
  });
  return id;
}

const statusOf = async (id: string) => (await database.db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.id, id)))[0]?.status;

describe('fine-tuning waits while the prompt is on canary', () => {
  it('retrain.auto approves a recommendation only once its component’s prompt canary is decided', async () => {
    const { component, promptFix } = await componentWithPromptCanary();
    const id = await recommendation(component, 'open');
    const settings = retrainSchema.parse({ auto: true, autoSpendCapUsdPerDay: 1_000 });
    expect((await approveByPolicy(database.db, settings)).map((a) => a.row.id)).not.toContain(id);
    expect(await statusOf(id)).toBe('open');
    await movePromptPointer(database.db, promptFix, { action: 'activate' }, 'canary-monitor');
    expect((await approveByPolicy(database.db, settings)).map((a) => a.row.id)).toContain(id);
    expect(await statusOf(id)).toBe('approved');
  });

  it('a recommendation approved by hand during the canary starts training after it, on a dataset built then', async () => {
    const { component, promptFix } = await componentWithPromptCanary();
    const id = await recommendation(component, 'approved', { approvedBy: 'admin' });
    const built: string[] = [];
    const started: string[] = [];
    const deps = {
      db: database.db,
      settings: retrainSchema.parse({}),
      logger: pino({ level: 'silent' }),
      metrics: undefined,
      jobs: { enqueue: async () => {} },
      buildDataset: async (q: { recommendationId: string }) => {
        built.push(q.recommendationId);
        throw Object.assign(new Error('stop here'), { stopHere: true });
      },
      backend: () => ({ start: async () => (started.push(id), { externalId: 'job' }) }),
    } as unknown as RetrainDeps;

    await startTraining(deps, id);
    expect(built).toEqual([]);
    expect(await statusOf(id)).toBe('approved');
    expect(await database.db.select().from(trainingJobs).where(eq(trainingJobs.recommendationId, id))).toHaveLength(0);

    await movePromptPointer(database.db, promptFix, { action: 'activate' }, 'canary-monitor');
    await expect(startTraining(deps, id)).rejects.toThrow('stop here');
    expect(built).toEqual([id]); // the dataset is built now, under the prompt that won
  });

  it('a tuned model whose training overlapped a new prompt canary is judged once the canary is decided', async () => {
    const { component, promptFix } = await componentWithPromptCanary();
    const id = await recommendation(component, 'evaluating', { tunedModel: 'sim/ft:sim-base:demo:job1', datasetId: randomUUID() });
    const deps = { db: database.db, settings: retrainSchema.parse({}), logger: pino({ level: 'silent' }) } as unknown as RetrainDeps;
    await evaluateTuned(deps, id);
    expect(await statusOf(id)).toBe('evaluating');
    const [rec] = await database.db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.id, id));
    expect(rec?.evaluation).toBeNull();
    // Once it is decided the evaluation runs (here it stops at the dataset, which this test never built).
    await movePromptPointer(database.db, promptFix, { action: 'activate' }, 'canary-monitor');
    await expect(evaluateTuned(deps, id)).rejects.toThrow(/dataset .* is missing/);
  });
});
