export * from './calls.ts';
export * from './detect.ts';
export * from './group.ts';
export * from './hotswap.ts';
export * from './optimize.ts';
export * from './retrain.ts';
