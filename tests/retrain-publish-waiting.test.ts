import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retrainSchema } from '../src/config/retrain.ts';
import { componentPrompts, finetuneRecommendations, promptVersions, type Database, type RecommendationRow } from '../src/db/index.ts';
import { movePromptPointer } from '../src/prompts/index.ts';
import type { RetrainDeps } from '../src/retrain/deps.ts';
import { publishTunedModel } from '../src/retrain/publish-tuned.ts';
import { seedVersion } from './support/retrain-seed.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';

/**
 * An accepted tuned model that waits for a prompt canary to be decided is published on the prompt that
 * won: the `fixpoint demo` product recommender (a format problem fixed by a prompt, a knowledge problem
 * by a tuned model) found that the waiting version kept the old prompt and its canary took the prompt
 * fix back.
 */
let database: Database;
let close: (() => Promise<void>) | undefined;
beforeAll(async () => {
  ({ database, close } = await openMigratedTestDatabase());
});
afterAll(async () => close?.());

describe('publishing a tuned model that waited for the canary', () => {
  it('carries the prompt promoted meanwhile, not the one live when it was accepted', async () => {
    const db = database.db;
    const component = `recommender-${randomUUID().slice(0, 8)}`;
    await seedVersion(db, { component, version: 0, template: 'Recommend one product.', status: 'observed', source: 'observed' });
    const promptFix = await seedVersion(db, { component, version: 1, template: 'Recommend one product. Reply with only JSON {"product_id", "reason"}.', status: 'candidate', source: 'optimizer' });
    await movePromptPointer(db, promptFix, { action: 'canary', share: 0.5 }, 'optimizer');
    const recId = randomUUID();
    await db.insert(finetuneRecommendations).values({
      id: recId, component, status: 'evaluating', examples: { trusted: 20, bySource: { teacher: 0, correction: 20, later_prompt: 0 }, missing: 0 }, baseModel: 'sim-base', backend: 'openai', tunedModel: 'sim/ft:sim-base:demo:job1',
      arithmetic: { failuresPerDay: 1, costPerFailureUsd: 0.05, failureCostPerDayUsd: 0.05, estimatedTrainingTokens: 1000, estimatedTrainingCostUsd: 0.1, servingCostPerDayUsd: 0, paybackDays: 2 },
      evaluation: { accepted: true },
    });
    const announced: number[] = [];
    const deps = { db, settings: retrainSchema.parse({ canaryShare: 0.5 }), announcePrompts: async () => void announced.push(1), jobs: { enqueue: async () => {} } } as unknown as RetrainDeps;
    const rec = async () => (await db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.id, recId)))[0] as RecommendationRow;

    // The prompt canary is still being decided: the tuned model waits as a candidate on the agent's own prompt.
    await publishTunedModel(deps, await rec());
    const waiting = await rec();
    expect(waiting.status).toBe('evaluating');
    const [first] = await db.select().from(promptVersions).where(eq(promptVersions.id, waiting.versionId!));
    expect(first?.status).toBe('candidate');
    expect(first?.template).toBe('Recommend one product.');

    // The prompt fix is promoted; the next sweep publishes the tuned model on it.
    await movePromptPointer(db, promptFix, { action: 'activate' }, 'canary-monitor');
    await publishTunedModel(deps, waiting);
    const published = await rec();
    expect(published.status).toBe('canary');
    expect(published.versionId).not.toBe(waiting.versionId);
    const [tuned] = await db.select().from(promptVersions).where(eq(promptVersions.id, published.versionId!));
    expect(tuned?.template).toContain('Reply with only JSON');
    expect(tuned?.model).toBe('sim/ft:sim-base:demo:job1');
    const [pointers] = await db.select().from(componentPrompts).where(eq(componentPrompts.component, component));
    expect(pointers?.activeVersionId).toBe(promptFix);
    expect(pointers?.canaryVersionId).toBe(published.versionId);
    expect(announced.length).toBe(1);
  });
});
