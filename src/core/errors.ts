/**
 * The one error type. Thrown where a failure is; turned into an HTTP answer once, at the boundary.
 * Messages are written for clients: they never carry keys, stack traces or upstream internals.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'body_too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'model_not_found'
  | 'unsupported'
  | 'overloaded'
  | 'upstream_timeout'
  | 'upstream_unreachable'
  | 'internal';

const statusByCode: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_json: 400,
  body_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  model_not_found: 404,
  unsupported: 400,
  overloaded: 503,
  upstream_timeout: 504,
  upstream_unreachable: 502,
  internal: 500,
};

const openAITypeByStatus: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  500: 'api_error',
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** The request field the error is about, e.g. `messages[0].content`. */
  readonly param: string | null;
  /** Extra response headers, e.g. Retry-After for 503. */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, opts: { param?: string; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = statusByCode[code];
    this.param = opts.param ?? null;
    this.headers = opts.headers ?? {};
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** OpenAI's error shape: `{ error: { message, type, param, code } }`. */
export function toOpenAIErrorBody(err: AppError): { error: { message: string; type: string; param: string | null; code: string } } {
  return {
    error: {
      message: err.message,
      type: openAITypeByStatus[err.status] ?? 'api_error',
      param: err.param,
      code: err.code,
    },
  };
}

/** Anthropic's error shape: `{ type: 'error', error: { type, message } }`. */
export function toAnthropicErrorBody(err: AppError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: openAITypeByStatus[err.status] ?? 'api_error', message: err.param ? `${err.param}: ${err.message}` : err.message } };
}
