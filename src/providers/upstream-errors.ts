import type { CallStatus } from '../core/call-capture.ts';
import { AppError } from '../core/errors.ts';

export interface UpstreamFailure {
  status: CallStatus;
  /** The answer to give the client if nothing has been sent yet. */
  error: AppError;
  /** What goes into the record (no keys, no internals beyond the error class). */
  message: string;
}

/** The code of the error an attempt is aborted with when its total timeout (`timeouts.totalMs`) passes. */
export const TOTAL_TIMEOUT_CODE = 'FIXPOINT_TOTAL_TIMEOUT';

function isTimeoutCode(code: unknown): boolean {
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === TOTAL_TIMEOUT_CODE;
}

/** The error a total timeout aborts an attempt with. */
export function totalTimeoutError(ms: number): Error {
  return Object.assign(new Error(`upstream attempt took longer than ${ms} ms`), { name: 'TimeoutError', code: TOTAL_TIMEOUT_CODE });
}

/** The kind of an upstream request error, for the retry policy: a timeout or a connection failure. */
export function failureKindOf(err: unknown): { kind: 'timeout' | 'connect'; code: string } {
  const code = (err as { code?: unknown })?.code;
  const text = typeof code === 'string' ? code : 'connection error';
  return { kind: isTimeoutCode(code) ? 'timeout' : 'connect', code: text };
}

/** Classifies an error from an upstream request (undici) into a call status and a client-safe error. */
export function upstreamFailure(err: unknown, providerName: string, clientGone: boolean): UpstreamFailure {
  const code = (err as { code?: unknown })?.code;
  if (clientGone || (err as { name?: unknown })?.name === 'AbortError' || code === 'UND_ERR_ABORTED') {
    return { status: 'client_abort', error: new AppError('invalid_request', 'client closed the request'), message: 'client closed the connection' };
  }
  if (isTimeoutCode(code)) {
    const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting to' : code === TOTAL_TIMEOUT_CODE ? 'the whole answer of' : 'waiting for';
    return {
      status: 'timeout',
      error: new AppError('upstream_timeout', `timed out ${what} provider ${providerName}`),
      message: `upstream timeout (${String(code)})`,
    };
  }
  return {
    status: 'upstream_error',
    error: new AppError('upstream_unreachable', `provider ${providerName} could not be reached or closed the connection`),
    message: `upstream failure (${typeof code === 'string' ? code : 'connection error'})`,
  };
}
