import type { Logger } from './logger.ts';
import type { CallSpans, CallSpanSettings } from './call-span-types.ts';

/**
 * The call span exporter, with the OpenTelemetry SDK loaded only now: a gateway without an OTLP
 * endpoint never loads it (nor starts an exporter).
 */
export async function startCallSpans(settings: CallSpanSettings, logger: Logger): Promise<CallSpans> {
  const { createCallSpans } = await import('./call-spans.ts');
  const url = new URL(settings.url);
  logger.info({ url: `${url.origin}${url.pathname}`, serviceName: settings.serviceName, messageContent: settings.captureMessageContent }, 'exporting one OpenTelemetry span per call over OTLP/HTTP');
  return createCallSpans(settings, logger);
}
