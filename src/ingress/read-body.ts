import type { IncomingMessage } from 'node:http';
import { AppError } from '../core/errors.ts';

/** Reads a request body up to `limit` bytes; 413 past it (checked against Content-Length first). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    // An anonymous callback (tsx keeps function names: a named closure costs a defineProperty per call).
    req.on('data', (chunk: Buffer) => {
      if (refused) return; // the rest is read and dropped
      size += chunk.length;
      if (size > limit) {
        refused = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
    req.once('error', (err) => reject(new AppError('invalid_request', 'request body could not be read', { cause: err })));
  });
}

function tooLarge(limit: number): AppError {
  return new AppError('body_too_large', `request body is larger than the ${limit} bytes this gateway accepts (FIXPOINT_MAX_BODY_BYTES)`);
}

/** Parses a JSON object body; 400 naming the problem otherwise. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) throw new AppError('invalid_json', 'request body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new AppError('invalid_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('invalid_json', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
