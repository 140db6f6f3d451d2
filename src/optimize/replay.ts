import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Config } from '../config/index.ts';
import { exampleMessages } from '../core/index.ts';
import { type CallView, type FailureDraft, rubricVersionOf, runJudge } from '../evaluate/index.ts';
import { renderTemplate } from '../prompts/index.ts';
import { completeChat, estimateCost, type PriceLookup, type ProviderRegistry } from '../providers/index.ts';
import type { OptimizationCase } from './cases.ts';

export interface Replay {
  passed: boolean;
  /** Estimated from the configured prices; 0 when the model has none. */
  costUsd: number;
  failures: FailureDraft[];
  latencyMs: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Replays a recorded request with a candidate prompt (the case's slot values carried over) through the
 * providers like live traffic, and scores the answer with the detectors production uses: the built-in
 * checks, the component's rules, and its LLM judge when it has one.
 */
export async function replayCase(
  deps: { config: Config; registry: ProviderRegistry; prices: PriceLookup; check: (view: CallView) => Promise<FailureDraft[]> },
  component: string,
  c: OptimizationCase,
  template: string,
  model: string | null,
  signal?: AbortSignal,
  fewShot: { user: string; assistant: string }[] = [],
): Promise<Replay> {
  const recorded = c.request['messages'] as { role: string; content: unknown }[];
  const messages = [
    { ...recorded[0]!, content: renderTemplate(template, c.slots) },
    ...exampleMessages(fewShot),
    ...recorded.slice(1),
  ];
  const { stream: _s, stream_options: _so, ...rest } = c.request;
  const request = { ...rest, messages, model: model ?? (c.request['model'] as string) } as unknown as ChatCompletionCreateParamsNonStreaming;
  try {
    const r = await completeChat(deps.registry, request, { ...(signal ? { signal } : {}), timeoutMs: 60_000 });
    const view: CallView = {
      id: c.callId,
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
    // The component's judge, as in production, but on every replay (an evaluation needs them all).
    const judge = deps.config.file.components[component]?.judge;
    if (judge) {
      const outcome = await runJudge({ registry: deps.registry, prices: deps.prices }, judge, view, signal);
      costUsd += outcome.costUsd ?? 0;
      if (!outcome.verdict.pass) {
        failures.push({ kind: 'judge', ruleId: `judge:${rubricVersionOf(judge)}`, message: `judge failed the replay (score ${outcome.verdict.score.toFixed(2)})`, evidence: { rationale: outcome.verdict.rationale } });
      }
    }
    return { passed: failures.length === 0, costUsd, failures, latencyMs: r.latencyMs, inputTokens, outputTokens };
  } catch (err) {
    return { passed: false, costUsd: 0, failures: [{ kind: 'error', ruleId: 'replay', message: (err as Error).message, evidence: {} }], latencyMs: 0, inputTokens: 0, outputTokens: 0 };
  }
}
