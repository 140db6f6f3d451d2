import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retrainSchema } from '../src/config/retrain.ts';
import { eq } from 'drizzle-orm';
import { finetuneRecommendations, optimizationRuns, patterns, recommendationEvents, type Database } from '../src/db/index.ts';
import { recommendationArithmetic } from '../src/retrain/arithmetic.ts';
import { findCandidates } from '../src/retrain/candidates.ts';
import { approveByPolicy, refreshRecommendations } from '../src/retrain/recommendations.ts';
import { openMigratedTestDatabase } from './support/test-database.ts';

let closeDatabase: (() => Promise<void>) | undefined;
let database: Database;

beforeAll(async () => {
  ({ database, close: closeDatabase } = await openMigratedTestDatabase());
}, 60_000);
afterAll(async () => closeDatabase?.());

const settings = retrainSchema.parse({});
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

async function pattern(component: string, o: { status?: string; systematic?: boolean; remedy?: string; diagnosis?: string; merged?: boolean; mergedInto?: string; h24?: number; share?: number }): Promise<string> {
  const id = crypto.randomUUID();
  await database.db.insert(patterns).values({
    id, component, kind: 'judge', ruleId: 'judge:v1', shape: 's', title: `${component} pattern`, summary: 's', space: 'local', centroid: { idx: [], val: [] }, centroidNorm2: 0,
    firstSeen: hoursAgo(48), lastSeen: hoursAgo(0), status: o.status ?? 'systematic', systematic: o.systematic ?? true, remedy: o.remedy ?? 'prompt', diagnosis: o.diagnosis ?? 'behavioral',
    mergedInto: o.mergedInto ?? (o.merged ? crypto.randomUUID() : null),
    stats: { windows: { h1: 1, h24: o.h24 ?? 40, d7: 100 }, componentCalls: { h1: 10, h24: 200, d7: 900 }, share24h: o.share ?? 0.2, rateLowerBound: 0.1, hoursSeen: 20, hoursWithTraffic: 24, sessions: 10, users: 8, unmet: [] },
  });
  return id;
}

async function run(patternId: string, component: string, outcome: string, gate: Record<string, unknown> = {}): Promise<void> {
  await database.db.insert(optimizationRuns).values({ id: crypto.randomUUID(), patternId, component, status: outcome === 'fixed' ? 'accepted' : 'not_fixed', outcome, trigger: 'policy', gate });
}

describe('fine-tuning candidates', () => {
  it('take (a) a finetune remedy, (b) judged could-not-fix runs, (c) a fix that grew the prompt past bakeGrowth — nothing else', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const a = await pattern(`a-${tag}`, { remedy: 'finetune', diagnosis: 'knowledge' });
    const b = await pattern(`b-${tag}`, { remedy: 'prompt' });
    await run(b, `b-${tag}`, 'could_not_fix');
    await run(b, `b-${tag}`, 'could_not_fix');
    const bOnce = await pattern(`b1-${tag}`, { remedy: 'prompt' });
    await run(bOnce, `b1-${tag}`, 'could_not_fix');
    await run(bOnce, `b1-${tag}`, 'inconclusive');
    const c = await pattern(`c-${tag}`, { status: 'resolved', systematic: false });
    await run(c, `c-${tag}`, 'fixed', { growth: 1.6 });
    const cSmall = await pattern(`c2-${tag}`, { status: 'resolved', systematic: false });
    await run(cSmall, `c2-${tag}`, 'fixed', { growth: 0.4 });
    await pattern(`e-${tag}`, { status: 'emerging', systematic: false, remedy: 'finetune' });
    await pattern(`m-${tag}`, { remedy: 'finetune', merged: true });
    // Two candidates of one component: one recommendation covers both.
    const both1 = await pattern(`both-${tag}`, { remedy: 'finetune', h24: 10 });
    const both2 = await pattern(`both-${tag}`, { remedy: 'prompt_then_finetune' });
    await run(both2, `both-${tag}`, 'could_not_fix');
    await run(both2, `both-${tag}`, 'could_not_fix');

    const found = (await findCandidates(database.db, settings)).filter((x) => x.component.endsWith(tag));
    const by = new Map(found.map((x) => [x.component, x.patterns]));
    expect([...by.keys()].sort()).toEqual([`a-${tag}`, `b-${tag}`, `both-${tag}`, `c-${tag}`].sort());
    expect(by.get(`a-${tag}`)!.map((p) => [p.id, p.reasons])).toEqual([[a, ['finetune_remedy']]]);
    expect(by.get(`b-${tag}`)!.map((p) => [p.id, p.reasons])).toEqual([[b, ['prompt_could_not_fix']]]);
    expect(by.get(`c-${tag}`)!.map((p) => [p.id, p.reasons])).toEqual([[c, ['prompt_grew']]]);
    expect(by.get(`both-${tag}`)!.map((p) => p.id).sort()).toEqual([both1, both2].sort());
    expect(by.get(`a-${tag}`)![0]!.failures24h).toBe(40);
    expect(by.get(`a-${tag}`)![0]!.failureRate).toBeCloseTo(0.2);
  });
});

describe('the arithmetic', () => {
  it('weighs failures per day by their cost against training and serving', () => {
    const s = retrainSchema.parse({ costPerFailureUsd: 0.5, estimate: { trainingUsdPer1kTokens: 0.01, servingUsdPerDay: 2 }, hyperparameters: { epochs: 2 } });
    const p = { id: 'x', title: 't', kind: 'judge', diagnosis: 'knowledge', remedy: 'finetune', reasons: ['finetune_remedy' as const], failures24h: 30, failureRate: 0.3 };
    const a = recommendationArithmetic([p, { ...p, failures24h: 10 }], 100, 500, s);
    expect(a.failuresPerDay).toBe(40);
    expect(a.failureCostPerDayUsd).toBe(20);
    // 100 trusted / (1 - 0.5 replay) = 200 rows, 70 % of them trained on, × 500 tokens × 2 epochs.
    expect(a.estimatedTrainingTokens).toBe(140 * 500 * 2);
    expect(a.estimatedTrainingCostUsd).toBe(1.4);
    expect(a.paybackDays).toBe(round2(1.4 / 18));
    expect(recommendationArithmetic([{ ...p, failures24h: 1 }], 100, 500, s).paybackDays).toBeNull();
  });
});

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

describe('recommendations', () => {
  const arithmetic = (cost: number) => ({ failuresPerDay: 10, costPerFailureUsd: 1, failureCostPerDayUsd: 10, estimatedTrainingTokens: 1000, estimatedTrainingCostUsd: cost, servingCostPerDayUsd: 0, paybackDays: cost / 10 });
  async function openRecommendation(component: string, cost: number): Promise<string> {
    const id = crypto.randomUUID();
    await database.db.insert(finetuneRecommendations).values({ id, component, status: 'open', examples: { trusted: 60, bySource: { correction: 60, later_prompt: 0, teacher: 0 }, missing: 0 }, baseModel: 'gpt-4o-mini', backend: 'openai', arithmetic: arithmetic(cost) });
    return id;
  }

  it('retrain.auto approves by policy within the daily spend cap, and not at all when off', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const first = await openRecommendation(`auto1-${tag}`, 30);
    const second = await openRecommendation(`auto2-${tag}`, 30);
    expect(await approveByPolicy(database.db, retrainSchema.parse({ auto: false }))).toEqual([]);
    // Other tests' recommendations may be open too: a cap that fits one of these two, counted from what policy already spent today.
    const approved = await approveByPolicy(database.db, retrainSchema.parse({ auto: true, autoSpendCapUsdPerDay: 45 }));
    const mine = approved.filter((a) => [first, second].includes(a.row.id));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.row).toMatchObject({ status: 'approved', approvedBy: 'policy' });
    // The cap holds across sweeps: 30 spent today, another 30 does not fit in 45.
    expect((await approveByPolicy(database.db, retrainSchema.parse({ auto: true, autoSpendCapUsdPerDay: 45 }))).filter((a) => [first, second].includes(a.row.id))).toHaveLength(0);
    const events = await database.db.select().from(recommendationEvents).where(eq(recommendationEvents.recommendationId, mine[0]!.row.id));
    expect(events).toMatchObject([{ fromStatus: 'open', toStatus: 'approved', actor: 'policy' }]);
  });

  it('a waiting recommendation whose patterns no longer qualify is dismissed, with an event', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const id = await openRecommendation(`gone-${tag}`, 1);
    const notified: string[] = [];
    const changed = await refreshRecommendations({ db: database.db, settings, countExamples: async () => ({ trusted: 0, bySource: { correction: 0, later_prompt: 0, teacher: 0 }, missing: 0 }), notify: async (rid) => void notified.push(rid) });
    expect(changed.find((r) => r.id === id)).toMatchObject({ status: 'dismissed', error: expect.stringMatching(/no candidate pattern left/) });
    expect(notified).toContain(id);
  });
});

describe('merged patterns', () => {
  it("hand their could-not-fix runs to the pattern they were merged into, through a chain of merges", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const survivor = await pattern(`merged-${tag}`, { remedy: 'prompt_then_finetune', diagnosis: 'unknown' });
    const middle = await pattern(`merged-${tag}`, { remedy: 'prompt_then_finetune', mergedInto: survivor });
    const first = await pattern(`merged-${tag}`, { remedy: 'prompt_then_finetune', mergedInto: middle });
    await run(first, `merged-${tag}`, 'could_not_fix');
    await run(middle, `merged-${tag}`, 'could_not_fix');
    // Its own runs: none. Before, it was no candidate (and a waiting recommendation on `first` was dismissed).
    const found = (await findCandidates(database.db, settings)).filter((x) => x.component === `merged-${tag}`);
    expect(found.map((x) => x.patterns.map((p) => [p.id, p.reasons]))).toEqual([[[survivor, ['prompt_could_not_fix']]]]);
  });
});

describe('the cooldown', () => {
  it('leaves out a pattern a recommendation ended on lately, unless a promoted one regressed', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const ended = async (component: string, status: string, patternId: string, hoursAgo: number, id: string = crypto.randomUUID()) =>
      database.db.insert(finetuneRecommendations).values({
        id, component, status, examples: { trusted: 60, bySource: { correction: 60, later_prompt: 0, teacher: 0 }, missing: 0 }, baseModel: 'm', backend: 'openai',
        arithmetic: { failuresPerDay: 1, costPerFailureUsd: 1, failureCostPerDayUsd: 1, estimatedTrainingTokens: 1, estimatedTrainingCostUsd: 1, servingCostPerDayUsd: 0, paybackDays: 1 },
        patterns: [{ id: patternId, title: 't', kind: 'judge', diagnosis: 'knowledge', remedy: 'finetune', reasons: ['finetune_remedy'], failures24h: 1, failureRate: 0.1 }], updatedAt: new Date(Date.now() - hoursAgo * 3_600_000),
      });
    const promoted = await pattern(`promoted-${tag}`, { remedy: 'finetune' });
    await ended(`promoted-${tag}`, 'promoted', promoted, 1);
    const regressed = await pattern(`regressed-${tag}`, { remedy: 'finetune', status: 'regressed' });
    await ended(`regressed-${tag}`, 'promoted', regressed, 1);
    const dismissed = await pattern(`dismissed-${tag}`, { remedy: 'finetune' });
    await ended(`dismissed-${tag}`, 'dismissed', dismissed, 1);
    const long = await pattern(`long-ago-${tag}`, { remedy: 'finetune' });
    await ended(`long-ago-${tag}`, 'rejected', long, 100);
    // A rejection on a pattern since merged into another holds the other back too.
    const survivor = await pattern(`merged-rejected-${tag}`, { remedy: 'finetune' });
    const gone = await pattern(`merged-rejected-${tag}`, { remedy: 'finetune', mergedInto: survivor });
    await ended(`merged-rejected-${tag}`, 'rejected', gone, 1);
    // The sweep's own dismissal ("no candidate pattern left") is no judgement: no cooldown.
    const swept = await pattern(`swept-${tag}`, { remedy: 'finetune' });
    const sweptRec = crypto.randomUUID();
    await ended(`swept-${tag}`, 'dismissed', swept, 1, sweptRec);
    await database.db.insert(recommendationEvents).values({ id: crypto.randomUUID(), recommendationId: sweptRec, type: 'status', fromStatus: 'needs_examples', toStatus: 'dismissed', actor: 'retrain', detail: { reason: 'no candidate pattern left' } });
    const found = (await findCandidates(database.db, settings)).filter((x) => x.component.endsWith(tag)).map((x) => x.component).sort();
    expect(found).toEqual([`long-ago-${tag}`, `regressed-${tag}`, `swept-${tag}`]);
  });
});
