export { createLogger, type Logger } from './logger.ts';
export { createMetrics, createLabelBound, type Metrics } from './metrics.ts';
export { formatLogLine, humanLogDestination } from './human-log.ts';
