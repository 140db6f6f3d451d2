import { readdirSync, readFileSync } from 'node:fs';

/** A thread's nice value as the kernel reports it (field 19 of /proc/<pid>/task/<tid>/stat). Linux only. */
export function taskNice(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** The nice value of every thread of this process, by thread id. Linux only. */
export function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${process.pid}/task`).map(Number)) {
    try {
      out.set(tid, taskNice(tid));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
