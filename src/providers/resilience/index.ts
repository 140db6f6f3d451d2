export { CircuitBreaker, breakerStates, type BreakerState, type BreakerSettings } from './circuit-breaker.ts';
export { RetryBudget } from './retry-budget.ts';
export { retryAfterMsOfHeaders } from './retry-after.ts';
export { isRetryableStatus, retryDelayMs, countsAsProviderFailure, type AttemptFailure } from './failure-kinds.ts';
export { createUpstreamResilience, type UpstreamResilience, type AttemptTimeouts } from './upstream-resilience.ts';
