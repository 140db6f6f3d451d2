import { readModelOutput, type ModelOutput } from '../../core/index.ts';
import type { CallView } from '../types.ts';

/** What the model produced, from any route's response: text, tool calls, refusal, and what was asked of it. */
export interface OutputView {
  text: string | null;
  toolCalls: { id: string | null; name: string; arguments: string }[];
  refusal: string | null;
}

/** The call's output, or null when the route has no model output or the response is not of its route's shape. */
export function readOutput(call: CallView): ModelOutput | null {
  return readModelOutput(call.route, call.response);
}

/** The public view of a read output (what custom rules see). */
export function viewOf(out: ModelOutput | null): OutputView {
  if (!out) return { text: null, toolCalls: [], refusal: null };
  return { text: out.text, toolCalls: out.toolCalls.map((t) => ({ id: t.id, name: t.name, arguments: t.arguments })), refusal: out.refusal ?? out.refusalStop };
}

/** What the model produced; an empty view when there is nothing to read. */
export function outputOf(call: CallView): OutputView {
  return viewOf(readOutput(call));
}
