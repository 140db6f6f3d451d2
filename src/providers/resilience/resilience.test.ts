import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';
import { retryAfterMsOfHeaders } from './retry-after.ts';
import { RetryBudget } from './retry-budget.ts';
import { retryDelayMs } from './failure-kinds.ts';

describe('circuit breaker', () => {
  it('opens at the threshold, half-opens after openMs with one probe, closes on its success and reopens on its failure', () => {
    let now = 0;
    const seen: string[] = [];
    const b = new CircuitBreaker({ failureThreshold: 2, openMs: 100, halfOpenProbes: 1 }, (s) => seen.push(s), () => now);
    b.failure();
    b.success(); // a success in between resets the count
    b.failure();
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    now = 100;
    expect(b.tryAcquire()).toBe(true); // the probe
    expect(b.tryAcquire()).toBe(false); // only one at once
    b.failure();
    expect(b.state).toBe('open');
    now = 250;
    expect(b.tryAcquire()).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
    expect(seen).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('never opens with a threshold of 0', () => {
    const b = new CircuitBreaker({ failureThreshold: 0, openMs: 100, halfOpenProbes: 1 });
    for (let i = 0; i < 50; i++) b.failure();
    expect(b.tryAcquire()).toBe(true);
  });
});

describe('retry budget', () => {
  it('starts with its burst, refills by the ratio of first attempts and refuses when empty', () => {
    const b = new RetryBudget(0.5, 1);
    expect(b.trySpend()).toBe(true);
    expect(b.trySpend()).toBe(false);
    b.deposit();
    expect(b.trySpend()).toBe(false);
    b.deposit();
    expect(b.trySpend()).toBe(true);
  });
});

describe('retry-after and the retry decision', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(retryAfterMsOfHeaders({ 'retry-after-ms': '250' })).toBe(250);
    expect(retryAfterMsOfHeaders({ 'retry-after': '2' })).toBe(2000);
    expect(retryAfterMsOfHeaders({ 'retry-after': new Date(10_000).toUTCString() }, 7_000)).toBe(3000);
    expect(retryAfterMsOfHeaders({ 'retry-after': 'soon' })).toBeNull();
    expect(retryAfterMsOfHeaders({})).toBeNull();
  });

  it('retries connect errors with backoff and 429/5xx only when they name a wait within the cap', () => {
    const s = { backoffMs: 100, maxRetryAfterMs: 5000 };
    expect(retryDelayMs({ kind: 'connect', code: 'ECONNREFUSED' }, 2, s)).toBe(400);
    expect(retryDelayMs({ kind: 'status', status: 503, retryAfterMs: 1000 }, 0, s)).toBe(1000);
    expect(retryDelayMs({ kind: 'status', status: 503, retryAfterMs: null }, 0, s)).toBeNull();
    expect(retryDelayMs({ kind: 'status', status: 429, retryAfterMs: 60_000 }, 0, s)).toBeNull();
  });
});
