import { isRecord } from '../../core/index.ts';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: null; code: string | null };
}

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

const genericMessage = 'The upstream provider returned an error.';

/** Anthropic error type → OpenAI error type and code. Unknown types pass through with no code. */
const openAIByAnthropicType: Record<string, { type: string; code: string | null }> = {
  invalid_request_error: { type: 'invalid_request_error', code: null },
  request_too_large: { type: 'invalid_request_error', code: 'request_too_large' },
  authentication_error: { type: 'authentication_error', code: 'invalid_api_key' },
  permission_error: { type: 'permission_error', code: null },
  billing_error: { type: 'insufficient_quota', code: 'insufficient_quota' },
  not_found_error: { type: 'not_found_error', code: null },
  rate_limit_error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  timeout_error: { type: 'timeout_error', code: null },
  api_error: { type: 'api_error', code: null },
  overloaded_error: { type: 'overloaded_error', code: 'overloaded' },
};

/** OpenAI (and OpenAI-compatible) error type or code → Anthropic error type. */
const anthropicByOpenAIType: Record<string, string> = {
  invalid_request_error: 'invalid_request_error',
  badrequesterror: 'invalid_request_error',
  context_length_exceeded: 'invalid_request_error',
  authentication_error: 'authentication_error',
  invalid_api_key: 'authentication_error',
  permission_error: 'permission_error',
  not_found_error: 'not_found_error',
  notfounderror: 'not_found_error',
  model_not_found: 'not_found_error',
  insufficient_quota: 'billing_error',
  rate_limit_error: 'rate_limit_error',
  rate_limit_exceeded: 'rate_limit_error',
  requests: 'rate_limit_error',
  tokens: 'rate_limit_error',
  timeout_error: 'timeout_error',
  overloaded_error: 'overloaded_error',
  server_error: 'api_error',
  api_error: 'api_error',
};

/**
 * An Anthropic error body (`{ type: 'error', error: { type, message, details? } }`) → OpenAI's error shape.
 * `details.error_code`, when Anthropic gives one, becomes the code. Anything else gets a generic message.
 */
export function anthropicErrorToOpenAI(body: unknown): OpenAIErrorBody {
  const error = errorObject(body);
  const anthropicType = stringField(error, 'type');
  const mapped = anthropicType ? openAIByAnthropicType[anthropicType] : undefined;
  const details = error?.['details'];
  const detailCode = isRecord(details) ? stringField(details, 'error_code') : null;
  return {
    error: {
      message: stringField(error, 'message') ?? genericMessage,
      type: mapped?.type ?? anthropicType ?? 'api_error',
      param: null,
      code: detailCode ?? mapped?.code ?? null,
    },
  };
}

/**
 * An OpenAI-style error body → Anthropic's error shape. Tolerates the variants OpenAI-compatible servers send:
 * `{ error: { message, type, code, param } }`, `{ error: 'text' }`, `{ message, type }`, `{ detail: 'text' }`.
 */
export function openaiErrorToAnthropic(body: unknown): AnthropicErrorBody {
  const parsed = parseIfString(body);
  const error = errorObject(parsed);
  const message =
    stringField(error, 'message') ??
    (isRecord(parsed) ? stringField(parsed, 'error') ?? stringField(parsed, 'detail') : null) ??
    genericMessage;
  const param = stringField(error, 'param');
  return {
    type: 'error',
    error: { type: anthropicErrorType(error), message: param ? `${param}: ${message}` : message },
  };
}

function anthropicErrorType(error: Record<string, unknown> | null): string {
  for (const key of ['type', 'code']) {
    const value = stringField(error, key)?.toLowerCase();
    const mapped = value ? anthropicByOpenAIType[value] : undefined;
    if (mapped) return mapped;
  }
  return 'api_error';
}

/** The object holding message/type: `body.error` when it is an object, else the body itself. */
function errorObject(body: unknown): Record<string, unknown> | null {
  const parsed = parseIfString(body);
  if (!isRecord(parsed)) return null;
  const inner = parsed['error'];
  return isRecord(inner) ? inner : parsed;
}

/** A raw text body that is JSON is read as JSON; other text (an HTML error page) is not shown to the client. */
function parseIfString(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}

function stringField(obj: Record<string, unknown> | null, key: string): string | null {
  const value = obj?.[key];
  return typeof value === 'string' && value !== '' ? value : null;
}
