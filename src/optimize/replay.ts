import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { exampleMessages } from '../core/index.ts';
import { replayChat, type Replay, type ReplayDeps } from '../evaluate/index.ts';
import { renderTemplate } from '../prompts/index.ts';
import type { OptimizationCase } from './cases.ts';

export type { Replay } from '../evaluate/index.ts';

/**
 * Replays a recorded request with a candidate prompt (the case's slot values carried over) through the
 * providers like live traffic, scored as production scores calls (evaluate/replay-call.ts).
 */
export async function replayCase(
  deps: ReplayDeps,
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
  return replayChat(deps, component, c.callId, request, signal);
}
