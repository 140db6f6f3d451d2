/** Public types of the fake LLM upstream used by integration tests and the benchmark. */
import type { ServerResponse } from 'node:http';
import type { ReplyPlan } from './reply-plan.ts';

export interface RecordedRequest {
  method: string;
  /** Path including any query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Header names lowercased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body parsed as JSON, or null when empty or not JSON. */
  body: unknown;
  rawBody: string;
  /** `Date.now()` when the request body was complete. */
  at: number;
}

/** One server-sent event of a scripted stream. */
export type SseChunk =
  /** Sent as `event: <event>\n` (when given) + `data: <data>\n\n`; a string data is sent verbatim, anything else as JSON. */
  | { event?: string; data: unknown }
  /** Written to the socket exactly as given (for malformed or unusual framing). */
  | { raw: string };

/**
 * A one-shot scripted answer, consumed by the first request that matches `method`/`path`.
 * Scripts bypass directives and auth checks.
 */
export interface FakeScript {
  /** Match only this method (default: any). */
  method?: string;
  /** Match only this path, without query string (default: any). */
  path?: string;
  /** Default 200. */
  status?: number;
  /** Extra response headers (added to, and overriding, the defaults). */
  headers?: Record<string, string>;
  /** Non-streaming body: a string is sent verbatim, anything else as JSON. */
  body?: unknown;
  /** Streaming body: when set, the answer is `text/event-stream` made of these chunks. */
  sse?: SseChunk[];
  /** Wait this long before sending the response head. */
  delayMs?: number;
  /** Wait this long between SSE chunks. */
  chunkDelayMs?: number;
  /** Destroy the socket after sending this many SSE chunks (or, without `sse`, after the head and half the body). */
  destroyAfter?: number;
  /** Accept the request and never answer. */
  hang?: boolean;
  /** Read the request and close the connection without any answer (the client sees a reset / socket hang up). */
  reset?: boolean;
}

export interface FakeUpstream {
  /** `http://127.0.0.1:PORT`, no trailing slash, no `/v1`. */
  url: string;
  /** `url + '/v1'`, for the openai SDK and `OPENAI_BASE_URL`. */
  openaiBaseUrl: string;
  /** `url`, for the Anthropic SDK (it appends `/v1/messages`) and `ANTHROPIC_BASE_URL`. */
  anthropicBaseUrl: string;
  /** Every request received, in arrival order (empty when started with `record: false`). */
  requests: RecordedRequest[];
  /** Queue a one-shot scripted response for the next matching request. */
  enqueue(script: FakeScript): void;
  /** Requests whose socket the client closed before the response finished. */
  aborted(): number;
  close(): Promise<void>;
}

export interface FakeUpstreamOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Keep `requests` (default true). The benchmark turns this off so memory stays flat. */
  record?: boolean;
  /**
   * Answers of a model of your own, tried before the fake's built-in behaviour (judge, pattern models,
   * directives, echo): the simulated fleet (testkit/fleet) plugs its rule-following models in here and
   * keeps the fake's HTTP plumbing — wire shapes, streaming, usage, error bodies.
   */
  responder?: FakeResponder;
  /**
   * Routes of your own, tried after queued scripts and before the built-in ones (testkit/fake-finetune
   * serves OpenAI's Files and Fine-tuning APIs this way).
   */
  route?: FakeRoute;
}

/**
 * Answer on `res` and resolve true, or resolve false (writing nothing) to let the fake answer as usual.
 * The body was read as UTF-8 text (`rec.rawBody`); `pathname` is the path without its query string.
 */
export type FakeRoute = (rec: RecordedRequest, res: ServerResponse, pathname: string) => boolean | Promise<boolean>;

/** See FakeUpstreamOptions.responder. Return null to let the fake answer as usual. */
export interface FakeResponder {
  /** A chat completion's reply (non-streaming and streaming alike); build one with `textReply`. */
  chat?(body: Record<string, unknown>): ReplyPlan | null;
  /** One vector per input text, for `POST /v1/embeddings`. */
  embed?(inputs: string[], model: string): number[][] | null;
}
