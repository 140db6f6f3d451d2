export * from './errors.ts';
export * from './ids.ts';
export * from './call-capture.ts';
export * from './sse.ts';
