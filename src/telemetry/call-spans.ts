/**
 * One OpenTelemetry span per proxied call, following the GenAI semantic conventions, built from the
 * finalized call record (after the response is on its way: in the recorder, in its own thread where
 * it has one) with the call's own start and end times, batched and sent over OTLP/HTTP (JSON).
 * This module loads the OpenTelemetry SDK; nothing imports it unless an OTLP endpoint is set.
 */
import { diag, DiagLogLevel, SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_ERROR_TYPE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
} from '@opentelemetry/semantic-conventions/incubating';
import type { CallCapture } from '../core/call-capture.ts';
import type { Logger } from './logger.ts';
import { genAiContentOf } from './gen-ai-messages.ts';
import type { CallSpans, CallSpanSettings, FinalizedCall } from './call-span-types.ts';

/** GenAI operation by the gateway's route; calls of other routes (model lists) get no span. */
const operations: Record<string, string> = {
  'chat.completions': GEN_AI_OPERATION_NAME_VALUE_CHAT,
  messages: GEN_AI_OPERATION_NAME_VALUE_CHAT,
  responses: GEN_AI_OPERATION_NAME_VALUE_CHAT,
  embeddings: GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
};
/** Longest attribute value (message content as JSON); longer values are cut by the SDK. */
const ATTRIBUTE_VALUE_LIMIT = 128 * 1024;
const SHUTDOWN_TIMEOUT_MS = 5000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** `server.address` and `server.port` of each provider, from its base URL. */
function serverAttributes(servers: Record<string, string>): Map<string, Attributes> {
  const out = new Map<string, Attributes>();
  for (const [name, origin] of Object.entries(servers)) {
    const url = new URL(origin);
    out.set(name, { [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 });
  }
  return out;
}

/** The request's sampling parameters that the conventions name. */
function requestAttributes(request: unknown): Attributes {
  if (!isObj(request)) return {};
  const maxTokens = num(request['max_completion_tokens']) ?? num(request['max_tokens']) ?? num(request['max_output_tokens']);
  const attrs: Attributes = {};
  if (maxTokens !== undefined) attrs[ATTR_GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
  const temperature = num(request['temperature']);
  if (temperature !== undefined) attrs[ATTR_GEN_AI_REQUEST_TEMPERATURE] = temperature;
  const topP = num(request['top_p']);
  if (topP !== undefined) attrs[ATTR_GEN_AI_REQUEST_TOP_P] = topP;
  return attrs;
}

/** `error.type`: the upstream's HTTP status for an upstream error, else how the call ended (timeout, client_abort, ...). */
function errorType(c: CallCapture): string {
  return c.status === 'upstream_error' && c.httpStatus >= 400 ? String(c.httpStatus) : c.status;
}

/** The span's attributes: the conventions' gen_ai.* and server.*, plus fixpoint.* for the call's own ids. */
export function callSpanAttributes(c: CallCapture, f: FinalizedCall, operation: string, server: Attributes | undefined, withContent: boolean): Attributes {
  const { response } = f;
  const attrs: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: operation,
    'fixpoint.call_id': c.id,
    'fixpoint.component': c.component,
    'fixpoint.route': c.route,
    'fixpoint.status': c.status,
    [ATTR_GEN_AI_REQUEST_STREAM]: c.stream,
    ...server,
    ...requestAttributes(c.request),
  };
  if (c.provider) attrs[ATTR_GEN_AI_PROVIDER_NAME] = c.provider;
  if (c.requestedModel) attrs[ATTR_GEN_AI_REQUEST_MODEL] = c.requestedModel;
  const servedModel = response.servedModel ?? c.servedModel;
  if (servedModel) attrs[ATTR_GEN_AI_RESPONSE_MODEL] = servedModel;
  if (isObj(response.body) && typeof response.body['id'] === 'string') attrs[ATTR_GEN_AI_RESPONSE_ID] = response.body['id'];
  if (response.finishReasons.length > 0) attrs[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = response.finishReasons;
  if (response.usage.inputTokens !== null) attrs[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = response.usage.inputTokens;
  if (response.usage.outputTokens !== null) attrs[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = response.usage.outputTokens;
  if (response.usage.cachedTokens) attrs[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = response.usage.cachedTokens;
  if (c.stream && c.ttftMs !== null) attrs[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = c.ttftMs / 1000;
  if (c.sessionId) attrs[ATTR_GEN_AI_CONVERSATION_ID] = c.sessionId;
  if (c.promptVersionId) attrs['fixpoint.prompt_version_id'] = c.promptVersionId;
  if (c.status !== 'success') attrs[ATTR_ERROR_TYPE] = errorType(c);
  if (withContent) {
    const content = genAiContentOf(c.response.shape, c.request, response.body, response.finishReasons);
    if (content.system.length > 0) attrs[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(content.system);
    if (content.input.length > 0) attrs[ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(content.input);
    if (content.output.length > 0) attrs[ATTR_GEN_AI_OUTPUT_MESSAGES] = JSON.stringify(content.output);
  }
  return attrs;
}

/** OpenTelemetry's own diagnostics (a collector that refuses or is down) go to the log as warnings. */
function logDiagnostics(logger: Logger): void {
  const log = logger.child({ component: 'otel' });
  diag.setLogger(
    {
      error: (message, ...args) => log.warn({ args }, message),
      warn: (message, ...args) => log.warn({ args }, message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
}

/** Starts the exporter: a tracer provider with a batch processor over OTLP/HTTP. */
export function createCallSpans(settings: CallSpanSettings, logger: Logger): CallSpans {
  logDiagnostics(logger);
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName })),
    spanLimits: { attributeValueLengthLimit: ATTRIBUTE_VALUE_LIMIT },
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: settings.url, headers: settings.headers }),
        maxQueueSize: 8192,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 2000,
      }),
    ],
  });
  const tracer = provider.getTracer('fixpoint');
  const servers = serverAttributes(settings.servers);
  let failedOnce = false;
  return {
    add(c, f) {
      const operation = operations[c.route];
      if (!operation) return;
      try {
        const attributes = callSpanAttributes(c, f, operation, c.provider ? servers.get(c.provider) : undefined, settings.captureMessageContent);
        const name = c.requestedModel ? `${operation} ${c.requestedModel}` : operation;
        const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: new Date(c.startedAt), attributes });
        if (c.status !== 'success') span.setStatus({ code: SpanStatusCode.ERROR, ...(f.error ? { message: f.error.slice(0, 1000) } : {}) });
        span.end(new Date(c.endedAt));
      } catch (err) {
        // A span is never worth a record: log the first failure, keep recording.
        if (!failedOnce) logger.warn({ err, callId: c.id }, 'could not build the call span; further failures are not logged');
        failedOnce = true;
      }
    },
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_TIMEOUT_MS);
        timer.unref();
      });
      try {
        await Promise.race([provider.shutdown(), timeout]);
      } catch (err) {
        logger.warn({ err }, 'could not flush the last call spans');
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
