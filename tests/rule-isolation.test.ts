import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { loadConfig } from '../src/config/index.ts';
import { startWorker } from '../src/main/worker.ts';
import { startFakeUpstream, type FakeUpstream } from '../testkit/fake-upstream/index.ts';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { eventually } from './support/eventually.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

/**
 * Issue 20, item 2: a custom rule module that does not exist stops serve and worker at start,
 * naming the field and the path; at run time a rule that throws is a counted, logged rule error —
 * the call is judged by the other rules, and the calls of other components are checked as usual.
 */
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'fixpoint-rule-isolation-'));
  writeFileSync(path.join(dir, 'throws.mjs'), `export default () => { throw new Error('lookup table missing'); };`);
  writeFileSync(path.join(dir, 'no-function.mjs'), `export const threshold = 3;`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the YAML where FIXPOINT_CONFIG points (rule modules resolve against its folder). */
function configFile(name: string, yaml: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

describe('rule modules are loaded and checked at start', () => {
  let fake: FakeUpstream;
  let db: TestDatabase;
  beforeAll(async () => {
    fake = await startFakeUpstream();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await fake?.close();
    await db?.drop();
  });

  const yaml = `
components:
  summarizer:
    rules:
      - { id: short, type: length, unit: words, max: 8 }
  brand-safe:
    rules:
      - { id: ok, type: labels, labels: [yes, no] }
      - { id: no-competitor, type: custom, module: ./rules/missing.mjs }
  audit:
    rules:
      - { id: audit, type: custom, module: ./no-function.mjs }
`;

  it('serve refuses to start, naming each bad rule’s field and the module’s path', async () => {
    const file = configFile('bad-rules.yaml', yaml);
    const err = (await startHarness({ FIXPOINT_CONFIG: file }, { yaml, fake, db }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ConfigError');
    expect(err.message).toContain(`FIXPOINT_CONFIG components.brand-safe.rules.1.module (rule no-competitor): cannot load custom rule module ${path.join(dir, 'rules', 'missing.mjs')}`);
    expect(err.message).toContain(`FIXPOINT_CONFIG components.audit.rules.0.module (rule audit): custom rule module ${path.join(dir, 'no-function.mjs')} exports no check function`);
    expect(err.message).not.toContain('summarizer');
  });

  it('so does the worker', async () => {
    const file = configFile('bad-rules-worker.yaml', yaml);
    const config = loadConfig({ FIXPOINT_CONFIG: file, REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: db.url, FIXPOINT_DATA_DIR: db.dataDir, LOG_LEVEL: 'silent', FIXPOINT_WORKER_METRICS_PORT: '0' }, yaml);
    await expect(startWorker(config)).rejects.toThrow(/components\.brand-safe\.rules\.1\.module \(rule no-competitor\): cannot load custom rule module .*missing\.mjs/);
  });
});

describe('at run time one bad rule blocks nothing else', () => {
  let h: Harness;
  let client: OpenAI;
  beforeAll(async () => {
    const yaml = `
components:
  brand-safe:
    rules:
      - { id: crashes, type: custom, module: ./throws.mjs }
      - { id: no-competitor, type: custom, module: ${JSON.stringify(path.join(fixtures, 'custom-rule.mjs'))}, options: { banned: [acme] } }
      - { id: short, type: length, unit: words, max: 3 }
`;
    h = await startHarness({ FIXPOINT_CONFIG: configFile('throwing-rule.yaml', yaml) }, { yaml, worker: true });
    client = clientFor(h);
  });
  afterAll(async () => h?.close());

  type Detail = { evaluation: { failure_count: number } | null; failures: { kind: string; rule_id: string }[] };
  const detail = async (id: string): Promise<Detail> => {
    await h.gateway.deps.recorder.flush();
    return eventually(async () => {
      const d = (await (await h.admin(`/api/calls/${id}`)).json()) as Detail;
      expect(d.evaluation).not.toBeNull();
      return d;
    });
  };
  const rules = (d: Detail) => d.failures.map((f) => `${f.kind}:${f.rule_id}`).sort();

  it('a rule that throws is a counted rule error, not a failure; the other rules of its component still judge the call', async () => {
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Better than Acme, truly.' }] }, { headers: { 'x-fixpoint-component': 'brand-safe' } })
      .withResponse();
    const d = await detail(response.headers.get('x-fixpoint-call-id')!);
    expect(rules(d)).toEqual(['rule:no-competitor', 'rule:short']);
    expect(await h.jobMetrics()).toMatch(/fixpoint_rule_errors_total\{component="brand-safe",rule="crashes",stage="check"\} [1-9]/);
  });

  it('calls of other components in the same batches are checked as usual (an upstream error is a failure)', async () => {
    h.fake.enqueue({ path: '/v1/chat/completions', status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } });
    const failed = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-fixpoint-component': 'other' } })
      .withResponse()
      .catch((e: { headers: Headers }) => ({ response: e }));
    const fine = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'no' }] }, { headers: { 'x-fixpoint-component': 'brand-safe' } }).withResponse();
    const other = await detail(failed.response.headers.get('x-fixpoint-call-id')!);
    expect(rules(other)[0]).toMatch(/^error:/);
    expect(rules(await detail(fine.response.headers.get('x-fixpoint-call-id')!))).toEqual([]);
  });
});
