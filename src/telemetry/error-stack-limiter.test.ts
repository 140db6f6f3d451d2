import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createErrorSerializer, errorKind } from './error-stack-limiter.ts';
import { createLogger } from './logger.ts';

const refused = (port: number) => Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), { code: 'ECONNREFUSED' });

describe('error stack limiter', () => {
  it('logs the stack of a kind once per interval, then one line with a count', () => {
    let t = 0;
    const serialize = createErrorSerializer(1000, () => t);
    const first = serialize(refused(6379)) as Record<string, unknown>;
    expect(first['stack']).toContain('ECONNREFUSED');
    const second = serialize(refused(6380)) as Record<string, unknown>;
    expect(second).toEqual({ type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:6380', code: 'ECONNREFUSED', repeats: 1 });
    expect((serialize(refused(6379)) as Record<string, unknown>)['repeats']).toBe(2);
    // Another kind has its own budget.
    expect((serialize(new TypeError('boom')) as Record<string, unknown>)['stack']).toContain('TypeError');
    t = 1000;
    const again = serialize(refused(6379)) as Record<string, unknown>;
    expect(again['stack']).toContain('ECONNREFUSED');
    expect(again['repeatsWithoutStack']).toBe(2);
  });

  it('blurs numbers and ids into one kind, and leaves non-errors alone', () => {
    expect(errorKind(refused(1))).toBe(errorKind(refused(65000)));
    expect(errorKind(new Error('a'))).not.toBe(errorKind(new Error('b')));
    expect(createErrorSerializer()('just text')).toBe('just text');
  });

  it('is what the logger uses: 90 identical warnings carry one stack', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    const logger = createLogger('warn', sink);
    for (let i = 0; i < 90; i++) logger.warn({ err: refused(6379) }, 'redis error');
    const errs = lines.map((l) => (JSON.parse(l) as { err: { stack?: string; repeats?: number } }).err);
    expect(errs).toHaveLength(90);
    expect(errs.filter((e) => e.stack !== undefined)).toHaveLength(1);
    expect(errs.at(-1)?.repeats).toBe(89);
  });
});
