export { createLogger, type Logger } from './logger.ts';
export { createMetrics, createLabelBound, type Metrics } from './metrics.ts';
