import type { AttemptOutcome, CallCapture, CallStatus, ResponseShape, UpstreamAttempt } from '../../core/call-capture.ts';
import type { Metrics } from '../../telemetry/index.ts';

export interface CallSink {
  capture(c: CallCapture): void;
}

/**
 * One call's bookkeeping on the hot path: timings, what to record, metrics. `finish` runs exactly
 * once whatever ends the call (success, upstream error, timeout, client abort), so there is
 * exactly one record per call.
 */
export class CallContext {
  readonly id: string;
  readonly route: string;
  readonly startedAt = Date.now();
  private readonly t0 = performance.now();
  private upstreamStart: number | null = null;
  private upstreamEnd: number | null = null;
  private firstByte: number | null = null;
  private done = false;
  /** The upstream attempts so far; the last one may still be running (`attemptOpen`). */
  private readonly attemptLog: UpstreamAttempt[] = [];
  private attemptOpen = false;
  private sent = 0;
  /** The running attempt's upstream sent its response head. */
  upstreamAnswered = false;

  component = 'unknown';
  provider: string | null = null;
  requestedModel: string | null = null;
  servedModel: string | null = null;
  stream = false;
  request: unknown = null;
  private requestBytes: Buffer | null = null;
  private parsedRequest: unknown = null;
  sessionId: string | null = null;
  userId: string | null = null;
  properties: Record<string, string> = {};
  clientKeyHash: string | null = null;
  promptVersionId: string | null = null;
  httpStatus = 0;
  responseShape: ResponseShape = 'none';
  responseBody: Buffer | unknown[] | object | null = null;

  constructor(
    id: string,
    route: string,
    private readonly sink: CallSink,
    private readonly metrics: Metrics,
  ) {
    this.id = id;
    this.route = route;
    metrics.inflight.inc();
  }

  upstreamStarted(): void {
    this.upstreamStart = performance.now();
    this.upstreamEnd = null;
  }

  /** An upstream attempt begins on this provider and model (the record's provider and served model follow it). */
  attemptStarted(provider: string, model: string, fallback: boolean): void {
    this.provider = provider;
    this.servedModel = model;
    this.attemptLog.push(attempt(provider, model, 'success', fallback));
    this.attemptOpen = true;
    this.sent++;
    this.upstreamAnswered = false;
    this.upstreamStarted();
  }

  /** The running attempt ended without an answer to the client (another may follow). */
  attemptFailed(outcome: AttemptOutcome, httpStatus: number | null, retryAfterMs: number | null): void {
    const a = this.closeOpenAttempt(outcome, httpStatus, performance.now());
    if (a && retryAfterMs !== null) a.retry_after_ms = retryAfterMs;
  }

  /** An attempt refused by the provider's open circuit: nothing was sent. */
  attemptRefused(provider: string, model: string, fallback: boolean): void {
    this.attemptLog.push(attempt(provider, model, 'breaker_open', fallback));
  }

  /** How the last attempt ended (after the call finished: the answered one). */
  get lastAttemptOutcome(): AttemptOutcome | null {
    return this.attemptLog.at(-1)?.outcome ?? null;
  }

  /** How many attempts were sent upstream (refused ones aside). */
  get attemptsSent(): number {
    return this.sent;
  }
  upstreamFinished(): void {
    this.upstreamEnd ??= performance.now();
  }
  firstChunkWritten(): void {
    this.firstByte ??= performance.now();
  }
  /** The request as received: its parse and the bytes it came from. */
  receivedRequest(body: unknown, bytes: Buffer): void {
    this.request = body;
    this.parsedRequest = body;
    this.requestBytes = bytes;
  }

  get finished(): boolean {
    return this.done;
  }

  finish(status: CallStatus, error: string | null = null): void {
    if (this.done) return;
    this.done = true;
    const end = performance.now();
    const latencyMs = end - this.t0;
    const upstreamLatencyMs = this.upstreamStart === null ? null : (this.upstreamEnd ?? end) - this.upstreamStart;
    const ttftMs = this.stream && this.firstByte !== null ? this.firstByte - this.t0 : null;
    this.closeAttempt(status, end);
    this.observe(status, latencyMs, upstreamLatencyMs, ttftMs);
    this.sink.capture({
      id: this.id,
      route: this.route,
      startedAt: this.startedAt,
      endedAt: this.startedAt + latencyMs,
      latencyMs,
      upstreamLatencyMs,
      ttftMs,
      component: this.component,
      provider: this.provider,
      requestedModel: this.requestedModel,
      servedModel: this.servedModel,
      status,
      httpStatus: this.httpStatus,
      stream: this.stream,
      request: this.request,
      // Only while the request recorded is still the parse of the bytes received (not a swapped prompt).
      requestBytes: this.requestBytes !== null && this.request === this.parsedRequest ? this.requestBytes : null,
      response: { shape: this.responseShape, stream: this.stream, body: this.responseBody },
      error,
      sessionId: this.sessionId,
      userId: this.userId,
      properties: this.properties,
      clientKeyHash: this.clientKeyHash,
      promptVersionId: this.promptVersionId,
      attempts: this.attemptLog.length > 1 || this.attemptLog[0]?.fallback === true ? this.attemptLog : null,
    });
  }

  /** The attempt that was running when the call finished: the one that answered (or failed mid-response). */
  private closeAttempt(status: CallStatus, end: number): void {
    const httpStatus = this.httpStatus > 0 && this.httpStatus !== 499 ? this.httpStatus : null;
    this.closeOpenAttempt(attemptOutcomeOf(status, this.httpStatus, this.firstByte !== null, this.upstreamAnswered), httpStatus, this.upstreamEnd ?? end);
  }

  /** Ends the running attempt, if one is open: how it went, its status and how long it took. */
  private closeOpenAttempt(outcome: AttemptOutcome, httpStatus: number | null, endedAt: number): UpstreamAttempt | null {
    const a = this.attemptLog.at(-1);
    if (!a || !this.attemptOpen) return null;
    this.attemptOpen = false;
    a.outcome = outcome;
    a.http_status = httpStatus;
    a.latency_ms = Math.round(endedAt - (this.upstreamStart ?? this.t0));
    return a;
  }

  private observe(status: CallStatus, latencyMs: number, upstreamMs: number | null, ttftMs: number | null): void {
    const m = this.metrics;
    m.inflight.dec();
    const provider = this.provider ?? 'none';
    const model = m.label.model(this.servedModel ?? this.requestedModel);
    const component = m.label.component(this.component);
    m.requests.series(this.route, provider, model, component, status).inc();
    m.requestDuration.series(this.route, provider, model, component, status).observe(latencyMs / 1000);
    if (upstreamMs !== null) {
      m.upstreamDuration.series(this.route, provider, model).observe(upstreamMs / 1000);
      m.overhead.series(this.route).observe(Math.max(0, latencyMs - upstreamMs) / 1000);
    }
    if (ttftMs !== null) m.timeToFirstToken.series(this.route, provider, model).observe(ttftMs / 1000);
  }
}

const attempt = (provider: string, model: string, outcome: AttemptOutcome, fallback: boolean): UpstreamAttempt => ({ provider, model, outcome, http_status: null, latency_ms: 0, ...(fallback ? { fallback: true } : {}) });

/** How the attempt that ended a call went, from the call's status. */
function attemptOutcomeOf(status: CallStatus, httpStatus: number, bytesSent: boolean, answered: boolean): AttemptOutcome {
  switch (status) {
    case 'success':
      return 'success';
    case 'client_abort':
      return 'client_abort';
    case 'timeout':
      return bytesSent ? 'cut_mid_response' : 'timeout';
    default:
      if (!answered) return 'connect_error';
      return bytesSent && httpStatus < 400 ? 'cut_mid_response' : 'http_error';
  }
}
