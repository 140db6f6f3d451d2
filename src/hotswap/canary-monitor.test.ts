import { describe, expect, it } from 'vitest';
import { decide, type ArmStats } from './canary-monitor.ts';

const settings = { alpha: 0.05, minCalls: 30, maxCalls: 2000, maxErrorRateIncrease: 0.05, maxLatencyRatio: 1.5, minLatencyIncreaseMs: 50, maxCostRatio: 1.5 };
const arm = (o: Partial<ArmStats>): ArmStats => ({ calls: 100, failures: 20, errors: 0, meanLatencyMs: 800, meanCostUsd: 0.001, ...o });

describe('canary decisions', () => {
  it('waits for enough calls on both arms', () => {
    expect(decide(arm({ calls: 10, failures: 9 }), arm({ calls: 10, failures: 0 }), settings).decision).toBe('continue');
  });
  it('ends at the horizon without a significant difference: promoted when not worse, rolled back when worse', () => {
    // 61 % against 62 % failing: no test tells them apart at 400 calls per arm; at the horizon the canary ends.
    const [control, canary] = [arm({ calls: 400, failures: 248 }), arm({ calls: 400, failures: 244 })];
    expect(decide(control, canary, settings).decision).toBe('continue');
    expect(decide(control, canary, { ...settings, maxCalls: 400 })).toMatchObject({ decision: 'promote', reason: expect.stringMatching(/after 400 calls per arm, and not worse/) });
    expect(decide(canary, control, { ...settings, maxCalls: 400 })).toMatchObject({ decision: 'rollback', reason: expect.stringMatching(/not better/) });
    expect(decide(control, { ...canary, calls: 399 }, { ...settings, maxCalls: 400 }).decision).toBe('continue');
  });
  it('promotes on a significantly lower failure rate and rolls back on a higher one', () => {
    expect(decide(arm({ failures: 60 }), arm({ failures: 5 }), settings).decision).toBe('promote');
    expect(decide(arm({ failures: 5 }), arm({ failures: 60 }), settings)).toMatchObject({ decision: 'rollback', reason: expect.stringMatching(/failure rate worse/) });
    expect(decide(arm({}), arm({ failures: 22 }), settings).decision).toBe('continue');
  });
  it('rolls back on guardrails even when failures improve: errors, latency (beyond a floor), cost', () => {
    const better = { failures: 0 };
    expect(decide(arm({}), arm({ ...better, errors: 10 }), settings).reason).toMatch(/upstream-error rate/);
    expect(decide(arm({}), arm({ ...better, meanLatencyMs: 1400 }), settings).reason).toMatch(/latency/);
    // 3× slower but by 20 ms: noise on fast calls, not a reason.
    expect(decide(arm({ meanLatencyMs: 10 }), arm({ ...better, meanLatencyMs: 30 }), settings).decision).toBe('promote');
    expect(decide(arm({}), arm({ ...better, meanCostUsd: 0.002 }), settings).reason).toMatch(/cost/);
  });
});
