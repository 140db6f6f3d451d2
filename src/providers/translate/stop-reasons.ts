import type { StopReason } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletion } from 'openai/resources/chat/completions';

export type ChatFinishReason = ChatCompletion.Choice['finish_reason'];

const finishReasonByStopReason: Record<StopReason, ChatFinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Anthropic `stop_reason` → OpenAI `finish_reason`. Unknown (newer) reasons read as a plain stop. */
export function stopReasonToFinishReason(reason: StopReason | null): ChatFinishReason {
  if (reason === null) return 'stop';
  return finishReasonByStopReason[reason] ?? 'stop';
}

/** OpenAI `finish_reason` → Anthropic `stop_reason`. A missing or unknown reason reads as `end_turn`. */
export function finishReasonToStopReason(reason: string | null | undefined): StopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}
