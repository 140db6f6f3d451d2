import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir, lockFileName } from './data-dir-lock.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Another node process, alive until the test ends: the holder of a lock. */
async function otherProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid ?? 0;
}

/** The pid of a process that has exited: a crashed holder. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

const freshDir = () => path.join(mkdtempSync(path.join(tmpdir(), 'fixpoint-lock-')), 'data');

describe('the data folder lock', () => {
  it('writes the pid, and release removes it', () => {
    const dir = freshDir();
    const lock = lockDataDir(dir);
    expect(readFileSync(path.join(dir, lockFileName), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(path.join(dir, lockFileName))).toBe(false);
    lock.release(); // idempotent
    lockDataDir(dir).release(); // and the folder can be taken again
  });

  it('refuses a folder another live process holds, naming the folder and that pid', async () => {
    const dir = freshDir();
    const pid = await otherProcess();
    lockDataDir(dir).release();
    writeFileSync(path.join(dir, lockFileName), `${pid}\n`);
    expect(() => lockDataDir(dir)).toThrow(`the data folder ${dir} is in use by another fixpoint process (pid ${pid})`);
    expect(readFileSync(path.join(dir, lockFileName), 'utf8')).toBe(`${pid}\n`);
  });

  it('takes over a stale lock whose process is gone', async () => {
    const dir = freshDir();
    lockDataDir(dir).release();
    writeFileSync(path.join(dir, lockFileName), `${await deadPid()}\n`);
    const lock = lockDataDir(dir);
    expect(readFileSync(path.join(dir, lockFileName), 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it("takes over a lock with this process's own pid (a container restarted with the same pid) or no pid", () => {
    const dir = freshDir();
    lockDataDir(dir).release();
    writeFileSync(path.join(dir, lockFileName), `${process.pid}\n`);
    lockDataDir(dir).release();
    writeFileSync(path.join(dir, lockFileName), 'garbage');
    lockDataDir(dir).release();
  });
});
