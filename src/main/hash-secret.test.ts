import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync, closeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHashSecret } from './hash-secret.ts';

const freshDir = () => mkdtempSync(path.join(tmpdir(), 'fixpoint-secret-'));

describe('loadHashSecret', () => {
  it('generates a secret once, readable only by its owner, leaving no temporary file, and reads it back', () => {
    const dir = freshDir();
    const secret = loadHashSecret(undefined, dir);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loadHashSecret(undefined, dir)).toBe(secret);
    expect(readdirSync(dir)).toEqual(['hash-secret']);
    expect(statSync(path.join(dir, 'hash-secret')).mode & 0o777).toBe(0o600);
  });

  it('prefers the configured secret and writes no file', () => {
    const dir = freshDir();
    expect(loadHashSecret('configured-secret-0123456789', dir)).toBe('configured-secret-0123456789');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to start on an empty or short secret file, naming the file', () => {
    const dir = freshDir();
    const file = path.join(dir, 'hash-secret');
    writeFileSync(file, '');
    expect(() => loadHashSecret(undefined, dir)).toThrow(`the hash secret file ${file} is empty`);
    writeFileSync(file, '  \n');
    expect(() => loadHashSecret(undefined, dir)).toThrow(file);
    writeFileSync(file, 'short');
    expect(() => loadHashSecret(undefined, dir)).toThrow(/too short \(5 characters, at least 16\)/);
    writeFileSync(file, 'a-hand-written-secret-of-enough-length\n');
    expect(loadHashSecret(undefined, dir)).toBe('a-hand-written-secret-of-enough-length');
  });

  it('ignores a temporary file left by a crashed start', () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, 'hash-secret.123.abcd.tmp'), 'half');
    expect(loadHashSecret(undefined, dir)).toHaveLength(43);
  });

  // A small tmpfs filled to the brim: a real "disk full" (needs root to mount; skipped otherwise).
  const full = (() => {
    const dir = freshDir();
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      return null;
    }
    return dir;
  })();
  it.skipIf(!full)('on a full disk the start fails and leaves no secret file behind, so the next start generates a whole one', () => {
    const dir = full as string;
    try {
      const fd = openSync(path.join(dir, 'filler'), 'w');
      try {
        for (;;) writeSync(fd, Buffer.alloc(4096, 1));
      } catch {
        /* ENOSPC */
      } finally {
        closeSync(fd);
      }
      expect(() => loadHashSecret(undefined, dir)).toThrow(/ENOSPC/);
      expect(existsSync(path.join(dir, 'hash-secret'))).toBe(false);
      expect(readdirSync(dir)).toEqual(['filler']);
      execFileSync('rm', [path.join(dir, 'filler')]);
      const secret = loadHashSecret(undefined, dir);
      expect(readFileSync(path.join(dir, 'hash-secret'), 'utf8')).toBe(secret);
    } finally {
      execFileSync('umount', [dir]);
    }
  });
});
