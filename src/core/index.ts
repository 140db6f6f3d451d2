export * from './errors.ts';
export * from './ids.ts';
export * from './call-capture.ts';
export * from './sse.ts';
export * from './json-value.ts';
export * from './clip-text.ts';
export * from './wire-request.ts';
export * from './wire-response.ts';
