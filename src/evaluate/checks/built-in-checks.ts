import { clip, type ModelOutput } from '../../core/index.ts';
import type { CallView, FailureDraft } from '../types.ts';
import { formatChecks } from './format-checks.ts';
import { evidenceText } from './json-text.ts';
import { readOutput } from './output-view.ts';
import { requestedMaxTokens } from './request-view.ts';
import { toolChecks } from './tool-checks.ts';

/** Call statuses that are failures of the upstream or the gateway (not of the client), and how to say them. */
const errorStatuses: Record<string, string> = {
  upstream_error: 'upstream error',
  timeout: 'upstream timed out',
  gateway_error: 'gateway error',
};

function errorCheck(call: CallView): FailureDraft | null {
  const label = errorStatuses[call.status];
  if (label === undefined) return null;
  const text = call.error ? clip(call.error, 300) : 'no error text';
  return {
    kind: 'error',
    ruleId: `error:${call.status}`,
    message: `${label} (HTTP ${call.httpStatus}): ${text}`,
    evidence: { status: call.status, httpStatus: call.httpStatus, error: call.error },
  };
}

function failedResponseCheck(call: CallView, out: ModelOutput): FailureDraft | null {
  if (!out.failed) return null;
  const { code, message } = out.failed;
  return {
    kind: 'error',
    ruleId: 'error:response_failed',
    message: `response failed (${code ?? 'no code'}): ${message ? clip(message, 300) : 'no error text'}`,
    evidence: { status: call.status, httpStatus: call.httpStatus, code, error: message },
  };
}

function truncationCheck(call: CallView, out: ModelOutput): FailureDraft | null {
  if (!out.truncated) return null;
  return {
    kind: 'truncation',
    ruleId: 'truncation',
    message: `output cut off at the token limit (${out.truncated})`,
    evidence: {
      output: evidenceText(out.text),
      reason: out.truncated,
      outputTokens: call.outputTokens,
      maxTokens: requestedMaxTokens(call),
      toolCalls: out.toolCalls.map((t) => ({ name: t.name, arguments: clip(t.arguments, 2000) })),
    },
  };
}

function refusalCheck(out: ModelOutput): FailureDraft | null {
  if (out.refusal !== null || out.refusalStop !== null) {
    const words = out.refusal ?? '';
    return {
      kind: 'refusal',
      ruleId: 'refusal',
      message: words.trim() ? `model refused: "${clip(words.trim(), 200)}"` : `model refused (${out.refusalStop ?? 'refusal'})`,
      evidence: { refusal: evidenceText(out.refusal), reason: out.refusalStop, output: evidenceText(out.text) },
    };
  }
  if (out.contentFilter !== null) {
    return {
      kind: 'refusal',
      ruleId: 'content_filter',
      message: `output stopped by a content filter (${out.contentFilter})`,
      evidence: { reason: out.contentFilter, output: evidenceText(out.text) },
    };
  }
  return null;
}

function emptyCheck(call: CallView, out: ModelOutput): FailureDraft | null {
  const stopped = out.truncated ?? out.contentFilter ?? out.refusalStop ?? out.refusal;
  if (stopped !== null || out.toolCalls.length > 0 || (out.text ?? '').trim() !== '') return null;
  return {
    kind: 'empty',
    ruleId: 'empty',
    message: 'empty output: no text, tool calls or refusal',
    evidence: { output: out.text, finishReasons: call.finishReasons, outputTokens: call.outputTokens },
  };
}

/** Runs one check; a check that trips over an unforeseen shape finds nothing rather than failing the batch. */
function guarded(fn: () => FailureDraft | FailureDraft[] | null): FailureDraft[] {
  try {
    const r = fn();
    return r === null ? [] : Array.isArray(r) ? r : [r];
  } catch {
    return [];
  }
}

/** Built-in checks run on every call of every component (declared or not). Never throws. */
export function builtInChecks(call: CallView): FailureDraft[] {
  const error = guarded(() => errorCheck(call));
  if (error.length > 0 || call.status !== 'success') return error;
  const out = readOutput(call);
  if (!out) return [];
  const failed = guarded(() => failedResponseCheck(call, out));
  if (failed.length > 0) return failed;
  return [
    ...guarded(() => truncationCheck(call, out)),
    ...guarded(() => refusalCheck(out)),
    ...guarded(() => emptyCheck(call, out)),
    ...guarded(() => formatChecks(call, out)),
    ...guarded(() => toolChecks(call, out)),
  ];
}
