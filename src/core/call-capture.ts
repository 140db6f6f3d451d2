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
  /** The response as the client received it: raw bytes (JSON or SSE text), or an object already built. */
  response: { shape: ResponseShape; stream: boolean; body: Buffer | unknown[] | object | null };
  error: string | null;
  sessionId: string | null;
  userId: string | null;
  properties: Record<string, string>;
  clientKeyHash: string | null;
  /** The prompt version swapped in (hot-swap), or null when the request went as sent. */
  promptVersionId?: string | null;
}
