import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { formatLogLine, humanLogDestination } from './human-log.ts';

describe('the log format for people', () => {
  it('turns a JSON line into time, level, message and fields, without the JSON noise', () => {
    const line = formatLogLine(JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 1, 12, 0, 1, 234), pid: 1, hostname: 'h', service: 'fixpoint', msg: 'fixpoint gateway listening', url: 'http://127.0.0.1:8787', jobs: 'in-process' }), false);
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.234 INFO  fixpoint gateway listening {2}url=http:\/\/127\.0\.0\.1:8787 jobs=in-process\n$/);
    expect(line).not.toContain('hostname');
  });

  it('shows an error as type, message and stack on lines of their own; colors only when asked', () => {
    const err = { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (x.ts:1:1)', code: 'ECONNREFUSED' };
    const line = formatLogLine(JSON.stringify({ level: 50, time: 0, msg: 'write failed', err, note: 'two words' }), false);
    expect(line).toContain('ERROR write failed  note="two words"\n    Error (ECONNREFUSED): boom\n      at f (x.ts:1:1)\n');
    expect(formatLogLine(JSON.stringify({ level: 40, msg: 'careful' }), true)).toContain('\u001b[33mWARN ');
    expect(formatLogLine('not json', false)).toBe('not json\n');
  });

  it('is a pino destination', () => {
    const out: string[] = [];
    createLogger('info', humanLogDestination((s) => out.push(s), false)).info({ calls: 3 }, 'flushed');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/ INFO  flushed {2}calls=3\n$/);
  });
});
