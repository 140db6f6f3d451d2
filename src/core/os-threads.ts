import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';

/**
 * The threads of a gateway process as the operating system sees them (Linux, from /proc): the
 * calling thread's id, a name for it that `top -H`, `ps -L` and `perf` show, and the CPU time each
 * of the process's threads has used, by role. Elsewhere there is none of that: the id and the CPU
 * times are null, and a thread is not named.
 */

/** What the gateway's own worker threads call themselves (a thread's name holds at most 15 characters). */
export const THREAD_NAMES = { recorder: 'fixpoint-rec', database: 'fixpoint-db' } as const;

/** The roles CPU time is counted under: the proxying (main) thread, the named threads, and the rest (V8's and libuv's helpers). */
export type ThreadRole = 'main' | keyof typeof THREAD_NAMES | 'other';

const ROLE_OF_NAME = new Map<string, ThreadRole>(Object.entries(THREAD_NAMES).map(([role, name]) => [name, role as ThreadRole]));
const TICKS_PER_SECOND = 100; // USER_HZ, the unit of /proc's utime and stime on Linux

/** The calling thread's id (its task id; the main thread's is the process id), or null off Linux. */
export function currentThreadId(): number | null {
  if (process.platform !== 'linux') return null;
  // "/proc/thread-self" links to "<pid>/task/<tid>" (Linux ≥ 3.17).
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  return Number.isInteger(tid) && tid > 0 ? tid : null;
}

/**
 * Names the calling thread (never the main thread: its name is the process's). Returns false where
 * threads cannot be named here; the thread then goes on unnamed.
 */
export function nameCurrentThread(name: string): boolean {
  const tid = currentThreadId();
  if (tid === null || tid === process.pid) return false;
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, 15));
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU time (user + system, seconds) this process's live threads have used, summed by role; null off
 * Linux. A thread that has ended is no longer counted (a restarted thread counts from zero again).
 */
export function threadCpuSecondsByRole(): Map<ThreadRole, number> | null {
  if (process.platform !== 'linux') return null;
  const out = new Map<ThreadRole, number>([['main', 0], ...Object.keys(THREAD_NAMES).map((r) => [r as ThreadRole, 0] as const), ['other', 0]]);
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readTaskStat(`/proc/self/task/${tid}/stat`);
    if (!stat) continue; // ended between the listing and the read
    const role: ThreadRole = Number(tid) === process.pid ? 'main' : (ROLE_OF_NAME.get(stat.name) ?? 'other');
    out.set(role, (out.get(role) ?? 0) + stat.cpuSeconds);
  }
  return out;
}

/**
 * A process's or thread's `/proc/…/stat`: its name and the CPU time (user + system, seconds) it has
 * used; null when it cannot be read (gone, or not Linux).
 */
export function readTaskStat(file: string): { name: string; cpuSeconds: number } | null {
  let stat: string;
  try {
    stat = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  // "tid (name) state ...": the name may hold spaces and parentheses; it ends at the last ')'.
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND }; // utime, stime: fields 14 and 15
}
