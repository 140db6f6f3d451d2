import { getPriority, setPriority } from 'node:os';
import { currentThreadId } from './os-threads.ts';

/**
 * Lowers the CPU priority of the calling thread alone by `increment` nice steps (at most to 19), so
 * that under CPU contention the scheduler serves the process's other threads first. Linux only:
 * there a thread is a task with a nice value of its own, and setpriority on its id changes that
 * thread only; elsewhere it would change the whole process, so nothing is done. Raising a nice value
 * needs no privilege. Returns the thread's id and its nice value now, or null when nothing was done.
 */
export function lowerThreadPriority(increment: number): { tid: number; nice: number } | null {
  if (increment <= 0) return null;
  const tid = currentThreadId();
  if (tid === null) return null;
  const nice = Math.min(19, getPriority(tid) + increment);
  setPriority(tid, nice);
  return { tid, nice };
}
