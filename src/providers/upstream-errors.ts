import type { CallStatus } from '../core/call-capture.ts';
import { AppError } from '../core/errors.ts';

export interface UpstreamFailure {
  status: CallStatus;
  /** The answer to give the client if nothing has been sent yet. */
  error: AppError;
  /** What goes into the record (no keys, no internals beyond the error class). */
  message: string;
}

/** Classifies an error from an upstream request (undici) into a call status and a client-safe error. */
export function upstreamFailure(err: unknown, providerName: string, clientGone: boolean): UpstreamFailure {
  const code = (err as { code?: unknown })?.code;
  if (clientGone || (err as { name?: unknown })?.name === 'AbortError' || code === 'UND_ERR_ABORTED') {
    return { status: 'client_abort', error: new AppError('invalid_request', 'client closed the request'), message: 'client closed the connection' };
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting to' : 'waiting for';
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
