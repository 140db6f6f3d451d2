import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs. Never log prompt bodies or keys: the redact list is a safety net, not the plan. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'fixpoint' },
      redact: {
        paths: ['authorization', 'apiKey', 'headers.authorization', 'headers["x-api-key"]', '*.apiKey', '*.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
