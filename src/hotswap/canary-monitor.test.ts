import { describe, expect, it } from 'vitest';
import { decide, type ArmStats } from './canary-monitor.ts';

const settings = { alpha: 0.05, minCalls: 30, maxErrorRateIncrease: 0.05, maxLatencyRatio: 1.5, minLatencyIncreaseMs: 50, maxCostRatio: 1.5 };
const arm = (o: Partial<ArmStats>): ArmStats => ({ calls: 100, failures: 20, errors: 0, meanLatencyMs: 800, meanCostUsd: 0.001, ...o });

describe('canary decisions', () => {
  it('waits for enough calls on both arms', () => {
    expect(decide(arm({ calls: 10, failures: 9 }), arm({ calls: 10, failures: 0 }), settings).decision).toBe('continue');
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
