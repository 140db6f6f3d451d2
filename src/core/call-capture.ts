/** How a response body was produced, so the recorder knows how to read it back. */
export type ResponseShape =
  | 'openai.chat'
  | 'openai.responses'
  | 'openai.embeddings'
  | 'openai.models'
  | 'anthropic.messages'
  | 'none';

/** How a call ended (the calls table's status column). */
export const callStatuses = ['success', 'upstream_error', 'timeout', 'client_abort', 'gateway_error', 'rejected'] as const;
export type CallStatus = (typeof callStatuses)[number];

/** How one upstream attempt of a call ended (the `outcome` of an attempt in the record and the metrics). */
export const attemptOutcomes = ['success', 'http_error', 'retryable_status', 'connect_error', 'timeout', 'breaker_open', 'client_abort', 'cut_mid_response'] as const;
export type AttemptOutcome = (typeof attemptOutcomes)[number];

/** One upstream attempt of a call, as stored in the calls table's `attempts` (snake_case, as the admin API answers). */
export interface UpstreamAttempt {
  provider: string;
  model: string;
  outcome: AttemptOutcome;
  /** The upstream's status, when it answered. */
  http_status: number | null;
  /** From sending the attempt to its end (0 for one refused by an open circuit). */
  latency_ms: number;
  /** What the upstream asked to wait (`retry-after`), when it did. */
  retry_after_ms?: number;
  /** The attempt was a fallback (another model than the one asked for). */
  fallback?: boolean;
}

/**
 * What the hot path hands to the recorder: cheap to build, nothing parsed that did not have to be.
 * The recorder turns it into a database row after the response is on its way.
 * Never holds a key: only a keyed hash of it.
 */
export interface CallCapture {
  id: string;
  route: string;
  startedAt: number; // epoch ms
  endedAt: number;
  latencyMs: number;
  upstreamLatencyMs: number | null;
  ttftMs: number | null;
  component: string;
  provider: string | null;
  requestedModel: string | null;
  servedModel: string | null;
  status: CallStatus;
  httpStatus: number;
  stream: boolean;
  /** The request as the client sent it (parsed). */
  request: unknown;
  /**
   * The bytes `request` was parsed from, when it is exactly their parse: a recorder in another
   * thread sends these and parses them again there, cheaper than copying the object graph across.
   */
  requestBytes?: Uint8Array | null;
  /**
   * The JSON text `request` was parsed from, when it is exactly its parse (the recorder's thread,
   * which parses the bytes again, keeps it): the record stores it with the system prompts replaced
   * in place rather than writing the whole request again.
   */
  requestText?: string | null;
  /** The response as the client received it: raw bytes (JSON or SSE text), or an object already built. */
  response: { shape: ResponseShape; stream: boolean; body: Buffer | unknown[] | object | null };
  error: string | null;
  sessionId: string | null;
  userId: string | null;
  properties: Record<string, string>;
  clientKeyHash: string | null;
  /** The prompt version swapped in (hot-swap), or null when the request went as sent. */
  promptVersionId?: string | null;
  /** Every upstream attempt, when there was more than one or a fallback answered; null: the one attempt the record describes. */
  attempts?: UpstreamAttempt[] | null;
}
