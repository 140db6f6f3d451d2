import type { JudgeSettings } from '../../config/index.ts';
import { completeChat, estimateCost, type PriceLookup, type ProviderRegistry } from '../../providers/index.ts';
import type { CallView } from '../types.ts';
import { buildJudgeRequest } from './judge-request.ts';
import { JudgeOutputError, parseVerdict, type Verdict } from './verdict.ts';

/** The longest a judge call may take, answer read included. */
export const JUDGE_TIMEOUT_MS = 60_000;

export interface JudgeOutcome {
  /** The verdict as returned, except `pass`: false when the judge said pass with a score below `passScore`. */
  verdict: Verdict;
  /** `pass` exactly as the judge returned it. */
  rawPass: boolean;
  costUsd: number | null;
  latencyMs: number;
  /** The model that answered, as the provider reported it. */
  judgeModel: string;
  inputTokens: number;
  outputTokens: number;
}

export interface JudgeDeps {
  registry: ProviderRegistry;
  prices: PriceLookup;
}

/**
 * Asks the component's judge model for a verdict on one call, through the providers like live traffic,
 * with the judge's own key when it has one. Throws UpstreamHttpError (see its `retryable`) when the call
 * fails, and JudgeOutputError when the answer is not a valid verdict.
 */
export async function runJudge(deps: JudgeDeps, judge: JudgeSettings, call: CallView, signal?: AbortSignal): Promise<JudgeOutcome> {
  const { upstreamModel } = deps.registry.resolve(judge.model);
  const req = buildJudgeRequest(judge, upstreamModel, call);
  const result = await completeChat(deps.registry, req, { ...(judge.apiKey ? { apiKey: judge.apiKey } : {}), ...(signal ? { signal } : {}), timeoutMs: JUDGE_TIMEOUT_MS });
  const { inputTokens, outputTokens } = result.usage;
  const cachedTokens = result.completion.usage?.prompt_tokens_details?.cached_tokens ?? null;
  const price = deps.prices(result.servedModel) ?? deps.prices(upstreamModel);
  const costUsd = estimateCost(price, { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, cachedTokens });
  const message = result.completion.choices[0]?.message;
  let raw: Verdict;
  try {
    raw = parseVerdict(message?.content, message?.refusal);
  } catch (err) {
    if (err instanceof JudgeOutputError) throw new JudgeOutputError(err.message, { costUsd });
    throw err;
  }
  return {
    verdict: { ...raw, pass: raw.pass && raw.score >= judge.passScore },
    rawPass: raw.pass,
    costUsd,
    latencyMs: result.latencyMs,
    judgeModel: result.servedModel,
    inputTokens,
    outputTokens,
  };
}
