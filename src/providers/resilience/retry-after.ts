import type { IncomingHttpHeaders } from 'node:http';

/**
 * How long an upstream asked to wait, ms, from `retry-after-ms` (OpenAI) or `retry-after` (seconds or
 * an HTTP date); null when it named none or something unreadable.
 */
export function retryAfterMsOfHeaders(headers: IncomingHttpHeaders, now: number = Date.now()): number | null {
  const ms = Number(headerText(headers['retry-after-ms']));
  if (headerText(headers['retry-after-ms']) !== '' && Number.isFinite(ms) && ms >= 0) return ms;
  const text = headerText(headers['retry-after']);
  if (text === '') return null;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function headerText(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}
