import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../core/index.ts';

/** The lock file's name inside FIXPOINT_DATA_DIR. */
export const lockFileName = 'fixpoint.lock';

export interface DataDirLock {
  /** The lock file (`<data dir>/fixpoint.lock`). */
  file: string;
  /** Removes the lock file if it is still this process's. Idempotent. */
  release(): void;
}

/** The pid written in a lock file, or null when it holds none (empty, torn, not a number). */
function pidIn(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Whether the lock's pid is a live process that could be a fixpoint: it exists (EPERM: under another
 * user), is not this process (a container restarted with the same pid finds its own old lock), and,
 * where /proc tells, runs node (a reused pid now running something else is no fixpoint).
 */
export function holderAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return /node|fixpoint|tsx/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
  } catch {
    return true; // no /proc (macOS) or not readable: the pid exists, so take it as held
  }
}

function inUse(dir: string, pid: number): AppError {
  return new AppError('conflict', `the data folder ${dir} is in use by another fixpoint process (pid ${pid}); stop it, or set FIXPOINT_DATA_DIR to another folder`);
}

const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the data folder of the embedded database (PGlite) for this process: two processes on one
 * PGlite folder would both migrate, run jobs and write it. The lock is a file created exclusively
 * (`wx`) holding the pid; one whose pid is gone (a crash, `kill -9`) is stale and taken over. It is
 * removed on release, or failing that when the process exits.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, lockFileName);
  let holder: number | null = null;
  for (let attempt = 0; attempt < 50; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      holder = pidIn(file);
      // A lock created this instant holds no pid yet: give its writer a moment before calling it stale.
      if (holder === null && attempt < 20) {
        pause(10);
        continue;
      }
      if (holder !== null && holderAlive(holder)) throw inUse(dataDir, holder);
      // Stale: move it aside and try again (when two processes find it at once, one rename wins).
      const aside = `${file}.stale-${process.pid}`;
      try {
        renameSync(file, aside);
        rmSync(aside, { force: true });
      } catch {
        // another process moved it first
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      process.off('exit', release);
      if (pidIn(file) === process.pid) rmSync(file, { force: true });
    };
    process.on('exit', release);
    return { file, release };
  }
  throw inUse(dataDir, holder ?? 0);
}
