/** The shared flow of every planned answer: hang, error directive, JSON, or a stream. */
import {
  delay,
  directiveErrorHeaders,
  sendJson,
  sendStream,
  sendTruncatedJson,
  type Exchange,
  type Headers,
  type StreamEvent,
} from './http-io.ts';
import type { ReplyPlan } from './reply-plan.ts';

export interface ApiRenderer {
  headers: Headers;
  stream: boolean;
  errorBody(status: number, message: string): unknown;
  json(): unknown;
  events(): StreamEvent[];
}

export async function answerPlanned(ex: Exchange, plan: ReplyPlan, api: ApiRenderer): Promise<void> {
  const d = plan.directives;
  if (d.hang) return; // never answer; the socket's close is counted as an abort
  const leaked = d.leakKey ? (ex.credential ?? '') : null;
  if (d.error !== undefined) {
    const message = leaked === null ? `Fake upstream error ${d.error} (directive)` : `Incorrect API key provided: ${leaked}. You can find your API key in your account settings.`;
    const body = api.errorBody(d.error, message);
    return sendJson(ex.res, d.error, body, directiveErrorHeaders(api.headers));
  }
  if (leaked !== null && plan.toolCalls.length === 0) {
    // The renderers read the plan when called: the key becomes the answer's last word.
    plan.content += ` ${leaked}`;
    plan.pieces.push(` ${leaked}`);
    plan.completionTokens += 1;
  }
  if (!api.stream) {
    await delay(d.slowMs);
    if (ex.res.destroyed) return;
    if (d.cut) return sendTruncatedJson(ex, api.json(), api.headers);
    return sendJson(ex.res, 200, api.json(), api.headers);
  }
  const cutAfterDeltas = d.cut ? 2 : undefined;
  return sendStream(ex, api.events(), { headers: api.headers, gapMs: d.slowMs, cutAfterDeltas });
}

/** Split a tool call's arguments JSON into two stream deltas. */
export function argumentHalves(args: string): [string, string] {
  const mid = Math.ceil(args.length / 2);
  return [args.slice(0, mid), args.slice(mid)];
}
