import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { parseOtlpHeaders, traceExportSettings } from './tracing.ts';

const settingsOf = (env: Record<string, string>) => traceExportSettings(loadConfig(env).env);

describe('trace export settings (OTEL_* variables)', () => {
  it('none without an OTLP endpoint: no exporter is started', () => {
    expect(settingsOf({})).toBeNull();
    expect(settingsOf({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_HEADERS: 'a=b', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' })).toBeNull();
  });

  it('the base endpoint gets /v1/traces; the traces endpoint is used as given and wins', () => {
    expect(settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
      url: 'http://collector:4318/v1/traces',
      headers: {},
      serviceName: 'fixpoint',
      captureMessageContent: false,
    });
    expect(settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/otlp/' })?.url).toBe('http://collector:4318/otlp/v1/traces');
    expect(settingsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/custom/path' })?.url).toBe('https://b/custom/path');
  });

  it('headers: URL-decoded pairs, the traces ones over the general ones; content capture only with true', () => {
    const s = settingsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team=a',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=b',
      OTEL_SERVICE_NAME: 'gw-eu',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'TRUE',
    });
    expect(s).toMatchObject({ headers: { authorization: 'Bearer abc', 'x-team': 'b' }, serviceName: 'gw-eu', captureMessageContent: true });
    expect(parseOtlpHeaders('novalue')).toBeNull();
  });

  it('a malformed value stops the start naming the variable', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'just-a-token' })).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
    expect(() => loadConfig({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'yes' })).toThrow(/OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT/);
  });
});
