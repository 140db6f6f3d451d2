import { z } from 'zod';

/**
 * OpenTelemetry's own variables for the trace exporter (the names every OTel SDK reads), validated
 * here with the rest of the environment. Only traces are exported: one span per proxied call.
 */

/** `key=value,key2=value2` with URL-encoded values (OTEL_EXPORTER_OTLP_HEADERS), or null when malformed. */
export function parseOtlpHeaders(text: string): Record<string, string> | null {
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) return null;
    try {
      const key = decodeURIComponent(pair.slice(0, eq).trim());
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) return null;
      headers[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return headers;
}

const otlpHeaders = () =>
  z
    .string()
    .refine((v) => parseOtlpHeaders(v) !== null, 'must be key=value pairs separated by commas (values URL-encoded), e.g. authorization=Bearer%20abc')
    .optional();

const otlpUrl = () => z.url({ protocol: z.regexes.httpProtocol, error: 'must be an http:// or https:// URL, e.g. http://localhost:4318' }).optional();

export const tracingEnvSchema = {
  /** OTLP/HTTP base URL; traces go to `<it>/v1/traces`. Unset (and no traces endpoint): no spans are made. */
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl(),
  /** The traces URL itself (used as given); wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl(),
  OTEL_EXPORTER_OTLP_HEADERS: otlpHeaders(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: otlpHeaders(),
  OTEL_SERVICE_NAME: z.string().min(1).default('fixpoint'),
  /** Message content (prompts, completions) on the spans: off unless `true`. */
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: z
    .enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False'])
    .default('false')
    .transform((v) => v.toLowerCase() === 'true'),
};

const tracingEnv = z.object(tracingEnvSchema);
type TracingEnv = z.infer<typeof tracingEnv>;

/** Where and how call spans are exported (structured-cloneable: it crosses to the recorder's thread). */
export interface TraceExportSettings {
  /** The OTLP/HTTP traces URL. */
  url: string;
  headers: Record<string, string>;
  serviceName: string;
  captureMessageContent: boolean;
}

/** The trace exporter's settings, or null when no OTLP endpoint is set (then no exporter is started). */
export function traceExportSettings(env: TracingEnv): TraceExportSettings | null {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!url) return null;
  return {
    url,
    headers: {
      ...parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS ?? ''),
      ...parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? ''),
    },
    serviceName: env.OTEL_SERVICE_NAME,
    captureMessageContent: env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
  };
}
