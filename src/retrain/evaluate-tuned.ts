import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { finetuneDatasets, finetuneRecommendations, moveRecommendation, type RecommendationRow } from '../db/index.ts';
import { judgeGate, loadCalls, replayChat, type GateOutcome } from '../evaluate/index.ts';
import { currentSetup, requestUnder } from './current-setup.ts';
import { waitsForPromptCanary } from './wait-for-canary.ts';
import { notify, type RetrainDeps } from './deps.ts';
import { publishTunedModel } from './publish-tuned.ts';

/** A gate row's pointer back to its recorded call (the dataset builder writes it; the gate is never trained on). */
interface GateCase {
  callId: string;
  kind: 'pattern' | 'replay';
}

async function gateCases(file: string, maxPerKind: number): Promise<GateCase[]> {
  const out: GateCase[] = [];
  const seen = { pattern: 0, replay: 0 };
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    const meta = (JSON.parse(line) as { metadata?: { call_id?: string; kind?: string } }).metadata;
    const kind = meta?.kind === 'pattern' ? 'pattern' : 'replay';
    if (!meta?.call_id || seen[kind] >= maxPerKind) continue;
    seen[kind] += 1;
    out.push({ callId: meta.call_id, kind });
  }
  return out;
}

/**
 * The tuned model (with the current prompt) against the current model on the dataset's gate set —
 * sessions it never trained on — each recorded call replayed through the providers under both and
 * scored by production's checks, rules and judge, then judged by the paired rule prompts are judged
 * by: the pattern cases' failure rate must fall by the margin with significance, and the replayed
 * passing calls must show no regression beyond the tolerance. Accepted → the tuned model goes on a
 * canary; rejected → `rejected` with the numbers.
 */
export async function evaluateTuned(deps: RetrainDeps, recommendationId: string, signal?: AbortSignal): Promise<void> {
  const [rec] = await deps.db.select().from(finetuneRecommendations).where(eq(finetuneRecommendations.id, recommendationId));
  if (!rec || rec.status !== 'evaluating' || !rec.tunedModel || !rec.datasetId) return;
  if (rec.evaluation && (rec.evaluation as { accepted?: boolean }).accepted) return void (await publishTunedModel(deps, rec));
  // A prompt canary began while it trained: judged once it is decided, against the prompt that serves then.
  if (await waitsForPromptCanary(deps, rec, 'evaluation')) return;
  const [dataset] = await deps.db.select().from(finetuneDatasets).where(eq(finetuneDatasets.id, rec.datasetId));
  if (!dataset) throw new Error(`dataset ${rec.datasetId} of recommendation ${rec.id} is missing`);
  const cases = await gateCases(path.join(dataset.dir, 'gate.jsonl'), deps.settings.evaluation.maxCases);
  const views = new Map((await loadCalls(deps.db, cases.map((c) => c.callId))).map((v) => [v.view.id, v.view]));
  const setup = await currentSetup(deps.db, rec.component);
  const pairs: Record<GateCase['kind'], { current: boolean; candidate: boolean }[]> = { pattern: [], replay: [] };
  let costUsd = 0;
  for (const c of cases) {
    const view = views.get(c.callId);
    if (!view || view.route !== 'chat.completions') continue;
    const recorded = view.request as Record<string, unknown>;
    const current = await replayChat(deps, rec.component, c.callId, requestUnder(setup, recorded), signal);
    const tuned = await replayChat(deps, rec.component, c.callId, requestUnder(setup, recorded, rec.tunedModel), signal);
    costUsd += current.costUsd + tuned.costUsd;
    pairs[c.kind].push({ current: current.passed, candidate: tuned.passed });
  }
  const e = deps.settings.evaluation;
  const gate = judgeGate({ pattern: pairs.pattern, regression: pairs.replay, currentLength: 0, candidateLength: 0, settings: { margin: e.margin, alpha: e.alpha, regressionTolerance: e.regressionTolerance, maxGrowth: 0 } });
  const evaluation = summary(gate, pairs, costUsd, rec);
  if (!gate.accepted) {
    const moved = await moveRecommendation(deps.db, rec.id, { from: ['evaluating'], to: 'rejected', actor: 'retrain', detail: evaluation, patch: { evaluation, error: `the tuned model did not pass the gate: ${gate.reasons.join('; ')}` } });
    if (moved) await notify(deps, rec.id, moved.eventId);
    return;
  }
  await deps.db.update(finetuneRecommendations).set({ evaluation }).where(eq(finetuneRecommendations.id, rec.id));
  await publishTunedModel(deps, { ...rec, evaluation });
}

function summary(gate: GateOutcome, pairs: Record<GateCase['kind'], unknown[]>, costUsd: number, rec: RecommendationRow): Record<string, unknown> {
  return {
    accepted: gate.accepted,
    reasons: gate.reasons,
    tunedModel: rec.tunedModel,
    cases: { pattern: pairs.pattern.length, replay: pairs.replay.length },
    patternFailRate: gate.patternFailRate,
    regressionPassRate: gate.regressionPassRate,
    pValue: gate.pValue,
    regressionPValue: gate.regressionPValue,
    costUsd,
  };
}
