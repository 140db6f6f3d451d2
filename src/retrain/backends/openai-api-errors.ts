import OpenAI from 'openai';
import { redactKeys, retryAfterMsOf, UpstreamHttpError } from '../../providers/index.ts';

/** Masked keys as providers echo them (`sk-abc***wxyz`, `my-k*****-key`). */
const maskedKey = /\S*\*{3,}\S*/g;

function messageOf(err: InstanceType<typeof OpenAI.APIError>): string {
  const body: unknown = err.error;
  const inner = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
  return typeof inner === 'string' && inner ? inner : err.message;
}

/**
 * What a failed call of the files / fine-tuning API becomes: an UpstreamHttpError with the provider's
 * status (0: no answer came) and its message, without anything key-like. An abort is rethrown as is.
 */
export function fineTuningApiError(err: unknown, what: string, providerName: string, apiKey: string | undefined): unknown {
  if (err instanceof OpenAI.APIUserAbortError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return new UpstreamHttpError(0, `provider ${providerName}: ${what} timed out`, { cause: err });
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return new UpstreamHttpError(0, `provider ${providerName}: ${what} failed, the provider could not be reached`, { cause: err });
  }
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    const text = redactKeys(messageOf(err), apiKey ?? null).replace(maskedKey, '[redacted]').slice(0, 500);
    const retryAfterMs = err.headers ? retryAfterMsOf(Object.fromEntries(err.headers.entries())) : null;
    return new UpstreamHttpError(err.status, `provider ${providerName}: ${what} failed with ${err.status}: ${text}`, { retryAfterMs });
  }
  return err;
}
