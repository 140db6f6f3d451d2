import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isUniqueViolation } from './unavailable.ts';

const moduleUrl = new URL('./unavailable.ts', import.meta.url).href;
const root = fileURLToPath(new URL('../..', import.meta.url));

/** A Node process that installs the guard, then runs `leak` (which leaves an error unhandled); what it printed and how it ended. */
function runWithLeak(leak: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    import { surviveLeakedDatabaseErrors } from ${JSON.stringify(moduleUrl)};
    const logger = { warn: (o, msg) => console.log('WARN', o.origin, o.err.code, msg) };
    surviveLeakedDatabaseErrors(logger);
    ${leak};
    setTimeout(() => console.log('still running'), 50);
  `;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('database errors that escape the driver', () => {
  it('a leaked connection failure is logged and the process goes on', async () => {
    const r = await runWithLeak(`Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('WARN unhandledRejection ECONNREFUSED');
    expect(r.stdout).toContain('still running');
  });

  it("the driver's write on a socket it dropped inside a transaction (porsager/postgres#1208) is logged and the process goes on", async () => {
    const r = await runWithLeak(`
      const e = new TypeError("Cannot read properties of null (reading 'write')");
      e.stack = e.stack.split('\\n')[0] + '\\n    at Immediate.nextWrite (file:///app/node_modules/postgres/src/connection.js:255:22)';
      setImmediate(() => { throw e; })`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('WARN uncaughtException');
    expect(r.stdout).toContain('still running');
  });

  it('any other unhandled rejection or exception still ends the process with its error', async () => {
    for (const leak of [`Promise.reject(new Error('a bug, not an outage'))`, `setImmediate(() => { throw new TypeError('a bug, not an outage'); })`]) {
      const r = await runWithLeak(leak);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain('still running');
      expect(r.stderr).toContain('a bug, not an outage');
    }
  });

  it('reads connection failures and SQLSTATE connection classes as unavailable, through wrappers', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: 'CONNECTION_CLOSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: Object.assign(new Error('y'), { code: '57P01' }) }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
  });

  it('reads a unique violation (23505) as one, through wrappers, and nothing else', () => {
    expect(isUniqueViolation(Object.assign(new Error('unique'), { code: '23505' }))).toBe(true);
    expect(isUniqueViolation(new Error('wrapped', { cause: Object.assign(new Error('y'), { code: '23505' }) }))).toBe(true);
    expect(isUniqueViolation(Object.assign(new Error('nul'), { code: '22021' }))).toBe(false);
    expect(isUniqueViolation(Object.assign(new Error('gone'), { code: 'CONNECTION_CLOSED' }))).toBe(false);
  });
});
