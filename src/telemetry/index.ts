export { createLogger, type Logger } from './logger.ts';
export { createMetrics, createLabelBound, type Metrics } from './metrics.ts';
export { formatLogLine, humanLogDestination } from './human-log.ts';
export { startCallSpans } from './start-call-spans.ts';
export type { CallSpans, CallSpanSettings, FinalizedCall } from './call-span-types.ts';
