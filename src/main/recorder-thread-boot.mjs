// Entry of the recorder's worker thread: registers the TypeScript loader (a worker does not inherit
// the parent's module hooks), then runs the thread's module.
import { register } from 'tsx/esm/api';

register();
await import('./recorder-thread.ts');
