export { createLivePrompts, type LivePrompts, type LiveComponent, type LiveVersion } from './live-prompts.ts';
export { compareFailureRates, type ArmCounts, type SequentialResult } from './sequential-test.ts';
export { monitorCanaries, decide, type CanaryDecision, type ArmStats } from './canary-monitor.ts';
export { registerHotswapHandlers } from './register.ts';
