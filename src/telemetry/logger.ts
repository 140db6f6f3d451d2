import { pino, type Logger } from 'pino';
import { createErrorSerializer } from './error-stack-limiter.ts';

export type { Logger };

/**
 * Structured JSON logs. Never log prompt bodies or keys: the redact list is a safety net, not the plan.
 * Errors under `err` carry their stack once a minute per kind of error, one line with a count otherwise.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'fixpoint' },
      serializers: { err: createErrorSerializer() },
      redact: {
        paths: ['authorization', 'apiKey', 'headers.authorization', 'headers["x-api-key"]', '*.apiKey', '*.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
