export * from './calls.ts';
export * from './detect.ts';
