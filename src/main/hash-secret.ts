import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Shortest secret accepted from the file (as for FIXPOINT_HASH_SECRET); a generated one has 43 characters. */
const MIN_SECRET_LENGTH = 16;

/**
 * The secret for keyed hashes of client keys: FIXPOINT_HASH_SECRET, or one generated once under
 * the data directory. Several gateways sharing a database must share the secret (set the variable).
 * An empty or short file (a first start that died while writing it) stops the start: a fresh secret
 * would silently orphan the feedback ownership of every stored call, and "" would be no secret.
 */
export function loadHashSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'hash-secret');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return createSecretFile(dataDir, file);
  }
  const secret = text.trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `the hash secret file ${file} is ${secret.length === 0 ? 'empty' : `too short (${secret.length} characters, at least ${MIN_SECRET_LENGTH})`}: ` +
        'set FIXPOINT_HASH_SECRET, or delete the file to generate a new secret (feedback from clients of calls stored before will no longer match)',
    );
  }
  return secret;
}

/**
 * Writes a new secret atomically: a temporary file written and fsynced, then linked into place (a
 * rename that never replaces a file another process put there first) and the directory fsynced. A
 * crash or a full disk leaves no file or the whole one, never a short one.
 */
function createSecretFile(dataDir: string, file: string): string {
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, secret);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return loadHashSecret(undefined, dataDir); // another process made it first
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
      renameSync(tmp, file); // a filesystem without hard links
    }
    fsyncDir(dataDir);
    return secret;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* renamed, or never created */
    }
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
