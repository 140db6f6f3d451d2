import type { FailureKind } from '../db/index.ts';

export { failureKinds, type FailureKind } from '../db/index.ts';

/**
 * A recorded call as the detectors see it: the stored row with system prompts restored.
 * `request` and `response` are the wire objects (chat completion, Anthropic message, Responses
 * object, embeddings) of the call's route; a stream's response is the assembled object.
 */
export interface CallView {
  id: string;
  component: string;
  /** chat.completions | responses | embeddings | messages | models */
  route: string;
  /** success | upstream_error | timeout | client_abort | gateway_error | rejected */
  status: string;
  httpStatus: number;
  error: string | null;
  finishReasons: string[];
  outputTokens: number | null;
  request: unknown;
  response: unknown;
}

/** What a detector found. `ruleId` is stable (it keys idempotency and grouping); the message is for people. */
export interface FailureDraft {
  kind: FailureKind;
  ruleId: string;
  message: string;
  /** Enough for a person, the optimizer or a training set to see exactly what went wrong (the offending output, path, expected, got). */
  evidence: Record<string, unknown>;
}
