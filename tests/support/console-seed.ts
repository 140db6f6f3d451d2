import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { finetuneDatasets, finetuneRecommendations, judgeVerdicts, optimizationRuns, recommendationEvents, trainingJobs, type Db } from '../../src/db/index.ts';
import { seedCall } from './retrain-seed.ts';

/**
 * State the console shows that takes minutes to reach through the loop itself (a finished
 * optimization run, fine-tuning recommendations with a dataset and a training job), written as the
 * optimize and retrain stages write it.
 */

export async function seedAcceptedRun(db: Db, o: { patternId: string; component: string; current: string; winner: string; winnerVersionId: string }): Promise<string> {
  const id = randomUUID();
  const score = (passed: number, total: number) => ({ passed, total });
  await db.insert(optimizationRuns).values({
    id, patternId: o.patternId, component: o.component, status: 'accepted', trigger: 'policy', outcome: 'fixed',
    result: 'version 2: pattern failure rate 100 % → 0 % on the gate set (p = 0.0010)',
    candidates: [
      { id: 'current', parent: null, template: o.current, model: null, rejected: null, scores: { selection: score(0, 8), gate: score(0, 10) }, costUsd: 0.001, latencyMs: 900 },
      { id: 'c1', parent: 'current', template: o.winner, model: null, rejected: null, scores: { selection: score(8, 8), gate: score(10, 10) }, costUsd: 0.002, latencyMs: 950 },
      { id: 'c1@gpt-4o', parent: 'c1', template: o.winner, model: 'gpt-4o', rejected: null, scores: { selection: score(7, 8) }, costUsd: 0.004, latencyMs: 1200 },
      { id: 'c2', parent: 'current', template: `${o.current} Never mention {{slot3}}.`, model: null, rejected: 'adds a slot the observed template lacks: {{slot3}}', scores: {}, costUsd: 0, latencyMs: 0 },
    ],
    sets: { feedback: 4, selection: 8, gate: 10 },
    gate: { accepted: true, inconclusive: false, reasons: [], patternFailRate: { current: 1, candidate: 0 }, regressionPassRate: { current: 1, candidate: 1 }, pValue: 0.001, regressionPValue: 1, netFall: 0.8, growth: 0.35, candidate: 'c1' },
    winnerVersionId: o.winnerVersionId, evalCalls: 58, optimizerTokens: 4200, costUsd: 0.0123,
    startedAt: new Date(Date.now() - 95_000), finishedAt: new Date(Date.now() - 5_000),
  });
  return id;
}

const arithmetic = { failuresPerDay: 42, costPerFailureUsd: 0.5, failureCostPerDayUsd: 21, estimatedTrainingTokens: 182_000, estimatedTrainingCostUsd: 5.46, servingCostPerDayUsd: 1.2, paybackDays: 0.27 };
const examples = { trusted: 64, bySource: { correction: 40, later_prompt: 24, teacher: 0 }, missing: 0 };

/** An open recommendation for `component` (one of its patterns), waiting for a person. */
export async function seedOpenRecommendation(db: Db, o: { component: string; patternId: string; title: string }): Promise<string> {
  const id = randomUUID();
  await db.insert(finetuneRecommendations).values({
    id, component: o.component, status: 'open', baseModel: 'gpt-4o-mini-2024-07-18', backend: 'openai', arithmetic, examples,
    patterns: [{ id: o.patternId, title: o.title, kind: 'rule', diagnosis: 'knowledge', remedy: 'finetune', reasons: ['prompt_could_not_fix'], failures24h: 42, failureRate: 0.6 }],
  });
  await db.insert(recommendationEvents).values({ id: randomUUID(), recommendationId: id, type: 'status', fromStatus: null, toStatus: 'open', actor: 'retrain', detail: { reasons: ['prompt_could_not_fix'] } });
  return id;
}

/** A recommendation whose training job is running: dataset files on disk, events and checkpoints. */
export async function seedTrainingRecommendation(db: Db, o: { component: string; dir: string }): Promise<{ id: string; datasetId: string }> {
  const id = randomUUID();
  const datasetId = randomUUID();
  const jobId = randomUUID();
  const dir = path.join(o.dir, datasetId);
  mkdirSync(dir, { recursive: true });
  const train = '{"messages":[{"role":"user","content":"What is a widget?"},{"role":"assistant","content":"A widget is a part."}]}\n';
  writeFileSync(path.join(dir, 'train.jsonl'), train);
  await db.insert(finetuneRecommendations).values({
    id, component: o.component, status: 'training', baseModel: 'gpt-4o-mini-2024-07-18', backend: 'openai', arithmetic, examples, approvedBy: 'admin', datasetId, trainingJobId: jobId,
    patterns: [{ id: randomUUID(), title: 'Wrong product facts', kind: 'judge', diagnosis: 'knowledge', remedy: 'finetune', reasons: ['finetune_remedy'], failures24h: 42, failureRate: 0.3 }],
  });
  await db.insert(finetuneDatasets).values({
    id: datasetId, recommendationId: id, component: o.component, sha256: 'a'.repeat(64), dir,
    files: { 'train.jsonl': { rows: 1, bytes: train.length, sha256: 'b'.repeat(64) } }, counts: { train: 1, validation: 0, gate: 0 }, manifest: {},
  });
  const now = Math.floor(Date.now() / 1000);
  await db.insert(trainingJobs).values({
    id: jobId, recommendationId: id, datasetId, backend: 'openai', externalId: 'ftjob-console-test', status: 'running', baseModel: 'gpt-4o-mini-2024-07-18',
    hyperparameters: { epochs: 2 }, trainedTokens: 91_000, startedAt: new Date(Date.now() - 600_000),
    events: [
      { id: 'e1', at: now - 600, level: 'info', message: 'Validating training file' },
      { id: 'e2', at: now - 300, level: 'info', message: 'Step 50/100: training loss=0.4210' },
    ],
    checkpoints: [{ id: 'cp1', step: 50, metrics: { train_loss: 0.421, valid_loss: 0.455 }, model: null }],
  });
  for (const [from, to] of [[null, 'open'], ['open', 'approved'], ['approved', 'training']] as const) {
    await db.insert(recommendationEvents).values({ id: randomUUID(), recommendationId: id, type: 'status', fromStatus: from, toStatus: to, actor: to === 'approved' ? 'admin' : 'retrain', detail: {} });
  }
  return { id, datasetId };
}

/** A day of earlier traffic for a component (evaluated calls, some failed), so its charts have a shape. */
export async function seedHistory(db: Db, o: { component: string; system: (i: number) => string }): Promise<number> {
  let n = 0;
  for (let hour = 23; hour >= 1; hour--) {
    const calls = 4 + ((hour * 7) % 6);
    const failing = Math.round(calls * (hour > 12 ? 0.15 : 0.6) * ((hour % 3) + 1) / 2);
    for (let k = 0; k < calls; k++) {
      const startedAt = new Date(Date.now() - hour * 3_600_000 + k * 1000);
      await seedCall(db, { component: o.component, startedAt, system: o.system(1000 + n), messages: [{ role: 'user', content: 'my card was charged twice' }], output: k < failing ? 'Echo: my card was charged twice' : 'billing', evaluated: k < failing ? 1 : 0 });
      n++;
    }
  }
  return n;
}

/** A judge verdict on a call, as the judge writes it. */
export async function seedVerdict(db: Db, callId: string, component: string): Promise<void> {
  await db.insert(judgeVerdicts).values({
    id: randomUUID(), callId, component, rubricVersion: 'r1', judgeModel: 'gpt-4o-mini', pass: false, score: 0.2, failedCriteria: ['answers with one label'], rationale: 'The reply echoes the ticket instead of naming a label.', latencyMs: 420,
  });
}
