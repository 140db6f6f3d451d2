import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { checkDeclaredRules, createCallChecker, type ComponentRuleError } from './check-call.ts';
import { chatCall, chatCompletion } from './checks/call-fixtures.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fixpoint-check-call-'));
  writeFileSync(path.join(dir, 'fine.mjs'), `export default ({ output }) => (output.text ?? '').includes('acme') ? { message: 'acme' } : null;`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const configWith = (yaml: string) => {
  const file = path.join(dir, 'fixpoint.yaml');
  writeFileSync(file, yaml);
  return loadConfig({ FIXPOINT_CONFIG: file }, yaml);
};

const yaml = `
components:
  broken:
    rules:
      - { id: gone, type: custom, module: ./gone.mjs }
      - { id: short, type: length, unit: words, max: 2 }
  healthy:
    rules:
      - { id: fine, type: custom, module: ./fine.mjs }
`;

describe('createCallChecker', () => {
  it('a rule module that fails to load costs only that rule: its component’s other rules and other components are checked', async () => {
    const errors: ComponentRuleError[] = [];
    const check = createCallChecker(configWith(yaml), (e) => errors.push(e));
    const broken = await check(chatCall(chatCompletion('one two three acme'), {}, { id: 'c1', component: 'broken' }));
    expect(broken.map((f) => f.ruleId)).toEqual(['short']);
    expect(errors).toEqual([{ component: 'broken', callId: 'c1', ruleId: 'gone', stage: 'load', message: expect.stringContaining(`cannot load custom rule module ${path.join(dir, 'gone.mjs')}`) }]);
    const healthy = await check(chatCall(chatCompletion('acme'), {}, { id: 'c2', component: 'healthy' }));
    expect(healthy.map((f) => f.ruleId)).toEqual(['fine']);
    const upstreamError = await check(chatCall(null, {}, { id: 'c3', component: 'broken', status: 'upstream_error', httpStatus: 503 }));
    expect(upstreamError.map((f) => f.kind)).toEqual(['error']);
  });
});

describe('checkDeclaredRules (at start)', () => {
  it('names the field and the path of a module that does not load', async () => {
    await expect(checkDeclaredRules(configWith(yaml))).rejects.toThrow(`FIXPOINT_CONFIG components.broken.rules.0.module (rule gone): cannot load custom rule module ${path.join(dir, 'gone.mjs')}`);
  });

  it('passes when every rule builds', async () => {
    await expect(checkDeclaredRules(configWith(yaml.replace('./gone.mjs', './fine.mjs')))).resolves.toBeUndefined();
  });
});
