import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from './heap-settings.ts';

const root = new URL('../../', import.meta.url);

describe('the gateway is started with its heap settings', () => {
  it('npm start passes every gateway node flag before the entry point', () => {
    const start = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts['start'] ?? '';
    const beforeEntry = start.slice(0, start.indexOf('src/main/cli.ts')).split(/\s+/);
    for (const flag of GATEWAY_NODE_FLAGS) expect(beforeEntry).toContain(flag);
  });

  it('bin/fixpoint.js passes them on its #! line', () => {
    const shebang = readFileSync(new URL('bin/fixpoint.js', root), 'utf8').split('\n')[0] ?? '';
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    for (const flag of GATEWAY_NODE_FLAGS) expect(shebang.split(/\s+/)).toContain(flag);
  });
});
