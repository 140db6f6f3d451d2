import type { RetrainSettings } from '../config/index.ts';
import type { RecommendationArithmetic, RecommendedPattern } from '../db/index.ts';

/** Epochs assumed by the estimate when none are configured (OpenAI's and the local trainer's usual choice). */
const defaultEpochs = 3;

/**
 * What a person decides on, as the seed frames it: failures per day × what one costs, against the
 * estimated cost of training (rows × tokens per call × epochs × price) and of serving the tuned model.
 * Payback: the days until the failures removed have paid for the training.
 */
export function recommendationArithmetic(
  patterns: readonly RecommendedPattern[],
  trustedExamples: number,
  avgTokensPerCall: number,
  s: Pick<RetrainSettings, 'costPerFailureUsd' | 'replayShare' | 'maxRows' | 'splits' | 'hyperparameters' | 'estimate'>,
): RecommendationArithmetic {
  const failuresPerDay = patterns.reduce((n, p) => n + p.failures24h, 0);
  const failureCostPerDayUsd = failuresPerDay * s.costPerFailureUsd;
  const rows = Math.min(s.maxRows, Math.ceil(trustedExamples / (1 - s.replayShare)));
  const trainingRows = Math.round(rows * (1 - s.splits.gate - s.splits.validation));
  const estimatedTrainingTokens = Math.round(trainingRows * Math.max(avgTokensPerCall, 1) * (s.hyperparameters.epochs ?? defaultEpochs));
  const estimatedTrainingCostUsd = round2((estimatedTrainingTokens / 1000) * s.estimate.trainingUsdPer1kTokens);
  const servingCostPerDayUsd = s.estimate.servingUsdPerDay;
  const netPerDay = failureCostPerDayUsd - servingCostPerDayUsd;
  const paybackDays = netPerDay > 0 ? round2(estimatedTrainingCostUsd / netPerDay) : null;
  return { failuresPerDay, costPerFailureUsd: s.costPerFailureUsd, failureCostPerDayUsd: round2(failureCostPerDayUsd), estimatedTrainingTokens, estimatedTrainingCostUsd, servingCostPerDayUsd, paybackDays };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
