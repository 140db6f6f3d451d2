import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RuleSettings } from '../../config/index.ts';
import { anthropicCall, anthropicMessage, chatCall, chatCompletion, chatToolCall, textBlock } from './call-fixtures.ts';
import { CUSTOM_RULE_TIMEOUT_MS } from './custom-rule.ts';
import { compileRules, compileRulesIsolated, type RuleError } from './index.ts';

let dir: string;
const custom = (module: string, options: Record<string, unknown> = {}): RuleSettings => ({ id: 'brand-safe', type: 'custom', module, options });

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fixpoint-custom-rule-'));
  const write = (name: string, src: string) => writeFileSync(path.join(dir, name), src);
  // flags outputs that mention a competitor, as a user would write it
  write(
    'no-competitor.mjs',
    `export default async function check({ output, options }) {
      const hit = (options.banned ?? []).find((w) => (output.text ?? '').toLowerCase().includes(w));
      return hit ? { message: 'mentions a competitor (' + hit + ')', evidence: { word: hit } } : null;
    }`,
  );
  write(
    'tool-audit.mjs',
    `export function check({ call, output }) {
      return output.toolCalls.filter((t) => t.name.startsWith('delete_')).map((t) => ({ message: 'destructive tool ' + t.name + ' in ' + call.component, evidence: { tool: t.name } }));
    }`,
  );
  write('throws.mjs', `export default () => { throw new Error('lookup table missing'); };`);
  write('bad-result.mjs', `export default () => 'looks fine to me';`);
  write('never.mjs', `export default () => new Promise(() => {});`);
  write('no-function.mjs', `export const threshold = 3;`);
  write('syntax.mjs', `export default (() => {`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

describe('custom rule modules', () => {
  it('a default export, resolved against baseDir, given the output and its options', async () => {
    const rules = await compileRules([custom('./no-competitor.mjs', { banned: ['acme'] })], { baseDir: dir });
    expect(await rules.check(chatCall(chatCompletion('We are the best.')))).toEqual([]);
    expect(await rules.check(chatCall(chatCompletion('Better than Acme.')))).toEqual([
      { kind: 'rule', ruleId: 'brand-safe', message: 'mentions a competitor (acme)', evidence: { output: 'Better than Acme.', module: path.join(dir, 'no-competitor.mjs'), word: 'acme' } },
    ]);
    expect(await rules.check(anthropicCall(anthropicMessage([textBlock('Acme does that too.')])))).toHaveLength(1);
  });

  it('a `check` export by absolute path, seeing tool calls; several findings become one failure listing them', async () => {
    const rules = await compileRules([{ ...custom(path.join(dir, 'tool-audit.mjs')), id: 'no-destructive-tools' }], { baseDir: '/nowhere' });
    const calls = [chatToolCall('delete_user', '{}', 'c1'), chatToolCall('get_user', '{}', 'c2'), chatToolCall('delete_order', '{}', 'c3')];
    const [f, ...rest] = await rules.check(chatCall(chatCompletion(null, { tool_calls: calls })));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ kind: 'rule', ruleId: 'no-destructive-tools', message: 'destructive tool delete_user in test (and 1 more)', evidence: { tool: 'delete_user' } });
    expect(f?.evidence['findings']).toEqual([
      { message: 'destructive tool delete_user in test', evidence: { tool: 'delete_user' } },
      { message: 'destructive tool delete_order in test', evidence: { tool: 'delete_order' } },
    ]);
    expect(await rules.check(chatCall(chatCompletion(null, { tool_calls: [calls[1]!] })))).toEqual([]);
  });

  it('a rule that throws, answers nonsense or never answers is a rule error, not a failure of the call, nor a crash', async () => {
    const rules = await compileRules(
      [
        { ...custom('throws.mjs'), id: 'throws' },
        { ...custom('bad-result.mjs'), id: 'bad-result' },
        { ...custom('no-competitor.mjs', { banned: ['acme'] }), id: 'still-runs' },
      ],
      { baseDir: dir },
    );
    const errors: RuleError[] = [];
    const found = await rules.check(chatCall(chatCompletion('hello Acme')), (e) => errors.push(e));
    expect(found).toMatchObject([{ kind: 'rule', ruleId: 'still-runs', message: 'mentions a competitor (acme)' }]);
    expect(errors).toEqual([
      { ruleId: 'throws', stage: 'check', message: `custom rule ${path.join(dir, 'throws.mjs')} threw: lookup table missing` },
      { ruleId: 'bad-result', stage: 'check', message: expect.stringMatching(/returned an invalid result .*: "looks fine to me"$/) },
    ]);

    const stuck = await compileRules([{ ...custom('never.mjs'), id: 'stuck' }], { baseDir: dir });
    vi.useFakeTimers();
    const stuckErrors: RuleError[] = [];
    const pending = stuck.check(chatCall(chatCompletion('hello')), (e) => stuckErrors.push(e));
    await vi.advanceTimersByTimeAsync(CUSTOM_RULE_TIMEOUT_MS + 1);
    expect(await pending).toEqual([]);
    expect(stuckErrors).toMatchObject([{ ruleId: 'stuck', message: expect.stringContaining(`threw: no answer within ${CUSTOM_RULE_TIMEOUT_MS} ms`) }]);
  });

  it('compileRulesIsolated leaves out a rule that cannot be built, reporting it on each call it would have judged', async () => {
    const rules = await compileRulesIsolated([custom('./missing.mjs'), { ...custom('./no-competitor.mjs', { banned: ['acme'] }), id: 'works' }], { baseDir: dir });
    const errors: RuleError[] = [];
    expect(await rules.check(chatCall(chatCompletion('Acme!')), (e) => errors.push(e))).toMatchObject([{ ruleId: 'works' }]);
    expect(errors).toEqual([{ ruleId: 'brand-safe', stage: 'load', message: expect.stringContaining(`cannot load custom rule module ${path.join(dir, 'missing.mjs')}`) }]);
  });

  it('a module that cannot be loaded rejects compileRules, naming the rule and the path', async () => {
    await expect(compileRules([custom('./missing.mjs')], { baseDir: dir })).rejects.toThrow(`rule brand-safe: cannot load custom rule module ${path.join(dir, 'missing.mjs')}`);
    await expect(compileRules([custom('./syntax.mjs')], { baseDir: dir })).rejects.toThrow(/^rule brand-safe: cannot load custom rule module .*syntax\.mjs/);
    await expect(compileRules([custom('./no-function.mjs')], { baseDir: dir })).rejects.toThrow(/^rule brand-safe: custom rule module .*no-function\.mjs exports no check function/);
  });

  it('does not run on errored calls', async () => {
    const rules = await compileRules([custom('./no-competitor.mjs', { banned: ['acme'] })], { baseDir: dir });
    expect(await rules.check(chatCall(chatCompletion('Acme'), {}, { status: 'timeout', httpStatus: 504 }))).toEqual([]);
  });
});
