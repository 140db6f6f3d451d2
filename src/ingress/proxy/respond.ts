import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { AppError, toAnthropicErrorBody, toOpenAIErrorBody } from '../../core/errors.ts';

export type ErrorDialect = 'openai' | 'anthropic';

/** Writes a whole JSON answer (only when nothing was sent yet). Returns the bytes written. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): Buffer {
  const bytes = Buffer.from(JSON.stringify(body));
  if (!res.headersSent) {
    res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': bytes.length });
    res.end(bytes);
  }
  return bytes;
}

export function errorBody(err: AppError, dialect: ErrorDialect): object {
  return dialect === 'anthropic' ? toAnthropicErrorBody(err) : toOpenAIErrorBody(err);
}

export function sendError(res: ServerResponse, err: AppError, dialect: ErrorDialect, headers: OutgoingHttpHeaders = {}): object {
  const body = errorBody(err, dialect);
  sendJson(res, err.status, body, { ...headers, ...err.headers });
  return body;
}

export const sseHeaders: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** res.write that respects backpressure: resolves when the socket can take more. */
export function write(res: ServerResponse, chunk: string | Uint8Array): Promise<void> | undefined {
  if (res.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
