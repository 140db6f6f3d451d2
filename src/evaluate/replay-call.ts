import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Config } from '../config/index.ts';
import { completeChat, estimateCost, type PriceLookup, type ProviderRegistry } from '../providers/index.ts';
import { rubricVersionOf, runJudge } from './judge/index.ts';
import type { CallView, FailureDraft } from './types.ts';

export interface Replay {
  passed: boolean;
  /** Estimated from the configured prices; 0 when the model has none. */
  costUsd: number;
  failures: FailureDraft[];
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
  /** The answer's text (empty when the call failed). */
  output: string;
}

export interface ReplayDeps {
  config: Config;
  registry: ProviderRegistry;
  prices: PriceLookup;
  check: (view: CallView) => Promise<FailureDraft[]>;
}

/**
 * Sends a chat request (a recorded one, with a candidate prompt or model put in) through the
 * providers like live traffic, and scores the answer with what production scores calls with: the
 * built-in checks, the component's rules, and its LLM judge when it has one — on every replay, since
 * an evaluation needs them all. An upstream error is a failed replay, not a thrown one.
 */
export async function replayChat(deps: ReplayDeps, component: string, callId: string, request: ChatCompletionCreateParamsNonStreaming, signal?: AbortSignal): Promise<Replay> {
  try {
    const r = await completeChat(deps.registry, request, { ...(signal ? { signal } : {}), timeoutMs: 60_000 });
    const view: CallView = {
      id: callId,
      component,
      route: 'chat.completions',
      status: 'success',
      httpStatus: 200,
      error: null,
      finishReasons: r.completion.choices.map((ch) => ch.finish_reason).filter((f): f is NonNullable<typeof f> => f !== null),
      outputTokens: r.usage.outputTokens,
      request,
      response: r.completion,
    };
    const failures = await deps.check(view);
    const { inputTokens, outputTokens } = r.usage;
    let costUsd = estimateCost(deps.prices(r.servedModel) ?? deps.prices(request.model), { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, cachedTokens: null }) ?? 0;
    const judge = deps.config.file.components[component]?.judge;
    if (judge) {
      const outcome = await runJudge({ registry: deps.registry, prices: deps.prices }, judge, view, signal);
      costUsd += outcome.costUsd ?? 0;
      if (!outcome.verdict.pass) {
        failures.push({ kind: 'judge', ruleId: `judge:${rubricVersionOf(judge)}`, message: `judge failed the replay (score ${outcome.verdict.score.toFixed(2)})`, evidence: { rationale: outcome.verdict.rationale } });
      }
    }
    const output = r.completion.choices[0]?.message.content ?? '';
    return { passed: failures.length === 0, costUsd, failures, latencyMs: r.latencyMs, inputTokens, outputTokens, output };
  } catch (err) {
    return { passed: false, costUsd: 0, failures: [{ kind: 'error', ruleId: 'replay', message: (err as Error).message, evidence: {} }], latencyMs: 0, inputTokens: 0, outputTokens: 0, output: '' };
  }
}
