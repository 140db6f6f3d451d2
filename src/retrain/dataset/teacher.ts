import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { JudgeSettings } from '../../config/index.ts';
import { isRecord } from '../../core/index.ts';
import { runJudge, type CallView, type FailureDraft } from '../../evaluate/index.ts';
import { completeChat, estimateCost, type PriceLookup, type ProviderRegistry } from '../../providers/index.ts';
import { targetFromResponse, type AssistantTurn } from './chat-rows.ts';

/** The component's judge and a way to run it on a view; `pass` false fails the teacher's answer. */
export interface DatasetJudge {
  settings: JudgeSettings;
  run(view: CallView, signal?: AbortSignal): Promise<{ pass: boolean; costUsd: number | null }>;
}

/** The component's judge run through the providers (its own key when it has one), as detection runs it. */
export function createDatasetJudge(deps: { registry: ProviderRegistry; prices: PriceLookup }, settings: JudgeSettings): DatasetJudge {
  return {
    settings,
    run: async (view, signal) => {
      const outcome = await runJudge(deps, settings, view, signal);
      return { pass: outcome.verdict.pass, costUsd: outcome.costUsd };
    },
  };
}

export interface TeacherDeps {
  registry: ProviderRegistry;
  prices: PriceLookup;
  check: (view: CallView) => Promise<FailureDraft[]>;
  judge: DatasetJudge | null;
}

export type TeacherVerdict = 'passed' | 'failed_checks' | 'failed_judge' | 'no_output' | 'error';

export interface TeacherResult {
  target: AssistantTurn | null;
  verdict: TeacherVerdict;
  costUsd: number;
}

/** The recorded request as the teacher is asked it: not streamed, one answer, the teacher's model. */
function teacherRequest(request: Record<string, unknown>, model: string): ChatCompletionCreateParamsNonStreaming {
  const { stream: _s, stream_options: _so, n: _n, ...rest } = request;
  return { ...rest, model } as unknown as ChatCompletionCreateParamsNonStreaming;
}

/**
 * The teacher's answer to a recorded request, kept only when the component's checks and rules find
 * nothing wrong with it AND its judge (when it has one) passes it: an unverified answer is never a target.
 */
export async function teacherTarget(deps: TeacherDeps, teacherModel: string, call: { id: string; component: string; request: unknown }, signal?: AbortSignal): Promise<TeacherResult> {
  if (!isRecord(call.request)) return { target: null, verdict: 'error', costUsd: 0 };
  const request = teacherRequest(call.request, teacherModel);
  let costUsd = 0;
  try {
    const r = await completeChat(deps.registry, request, { ...(signal ? { signal } : {}), timeoutMs: 60_000 });
    const { inputTokens, outputTokens } = r.usage;
    costUsd += estimateCost(deps.prices(r.servedModel) ?? deps.prices(teacherModel), { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, cachedTokens: null }) ?? 0;
    const view: CallView = {
      id: call.id,
      component: call.component,
      route: 'chat.completions',
      status: 'success',
      httpStatus: 200,
      error: null,
      finishReasons: r.completion.choices.map((c) => c.finish_reason).filter((f): f is NonNullable<typeof f> => f !== null),
      outputTokens,
      request,
      response: r.completion,
    };
    const target = targetFromResponse(r.completion);
    if (!target) return { target: null, verdict: 'no_output', costUsd };
    if ((await deps.check(view)).length > 0) return { target: null, verdict: 'failed_checks', costUsd };
    if (deps.judge) {
      const j = await deps.judge.run(view, signal);
      costUsd += j.costUsd ?? 0;
      if (!j.pass) return { target: null, verdict: 'failed_judge', costUsd };
    }
    return { target, verdict: 'passed', costUsd };
  } catch (err) {
    if (signal?.aborted) throw err;
    return { target: null, verdict: 'error', costUsd };
  }
}
