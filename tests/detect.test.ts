import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { completionBody } from './support/completions.ts';
import { eventually } from './support/eventually.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const yaml = `
components:
  intent-classifier:
    rules:
      - { id: intent-label, type: labels, labels: [billing, technical, account] }
  summarizer:
    rules:
      - { id: short, type: length, unit: words, max: 8 }
      - { id: no-apology, type: regex, pattern: "\\\\bsorry\\\\b", flags: i, mustMatch: false }
      - { id: has-summary, type: required, sections: [Summary] }
  extractor:
    rules:
      - id: invoice
        type: json_schema
        schema: { type: object, required: [total], properties: { total: { type: number } } }
      - { id: keys, type: required, keys: [currency] }
  brand-safe:
    rules:
      - { id: no-competitor, type: custom, module: ./custom-rule.mjs, options: { banned: [acme] } }
`;

let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  const cfgPath = path.join(here, 'fixtures', 'detect-config.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(cfgPath, yaml);
  h = await startHarness({ FIXPOINT_CONFIG: cfgPath, FIXPOINT_DETECT_SWEEP_MS: '500' }, { yaml, worker: true });
  client = clientFor(h);
});
afterAll(async () => h?.close());

type Detail = {
  evaluation: { failure_count: number } | null;
  failures: { kind: string; rule_id: string; message: string; evidence: Record<string, unknown> }[];
  response_body: unknown;
  status: string;
};

/** Sends one call whose answer is scripted, and returns what the detectors made of it. */
async function scripted(component: string, body: object, request: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}): Promise<Detail> {
  h.fake.enqueue({ path: '/v1/chat/completions', body });
  const { response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'classify: my invoice is wrong' }], ...request }, { headers: { 'x-fixpoint-component': component } })
    .withResponse()
    .catch((e: { headers: Headers }) => ({ response: e }));
  return detail(response.headers.get('x-fixpoint-call-id')!);
}

async function detail(id: string): Promise<Detail> {
  await h.gateway.deps.recorder.flush();
  return eventually(async () => {
    const d = (await (await h.admin(`/api/calls/${id}`)).json()) as Detail;
    expect(d.evaluation).not.toBeNull();
    return d;
  });
}

const rules = (d: Detail) => d.failures.map((f) => `${f.kind}:${f.rule_id}`).sort();
/** rules(), with the call's status and response in the assertion message when it fails. */
const expectRules = (d: Detail, expected: string[]) => expect(rules(d), JSON.stringify({ status: d.status, response: d.response_body })).toEqual(expected);

describe('declared rules, through the gateway', () => {
  it('labels: exactly one of the set passes; a variant label or a sentence fails, naming what came', async () => {
    expect(rules(await scripted('intent-classifier', completionBody('billing')))).toEqual([]);
    const variant = await scripted('intent-classifier', completionBody('BILLING_ISSUE'));
    expect(rules(variant)).toEqual(['rule:intent-label']);
    expect(variant.failures[0]?.message).toMatch(/billing, technical, account/);
    expect(JSON.stringify(variant.failures[0]?.evidence)).toContain('BILLING_ISSUE');
    expect(rules(await scripted('intent-classifier', completionBody('The customer has a billing problem with the invoice.')))).toEqual(['rule:intent-label']);
  });

  it('length, regex and required sections', async () => {
    expect(rules(await scripted('summarizer', completionBody('Summary:\nInvoice fixed.')))).toEqual([]);
    const bad = await scripted('summarizer', completionBody('I am so sorry, here is a very long answer that rambles on without any heading at all'));
    expect(rules(bad)).toEqual(['rule:has-summary', 'rule:no-apology', 'rule:short']);
  });

  it('JSON schema and required keys on free-form JSON output', async () => {
    expect(rules(await scripted('extractor', completionBody('{"total": 12.5, "currency": "EUR"}')))).toEqual([]);
    const bad = await scripted('extractor', completionBody('{"total": "twelve"}'));
    expect(rules(bad)).toEqual(['rule:invoice', 'rule:keys']);
    expect(bad.failures.find((f) => f.rule_id === 'invoice')?.message).toMatch(/total/);
  });

  it('a custom rule module', async () => {
    expect(rules(await scripted('brand-safe', completionBody('We are the best.')))).toEqual([]);
    expect(rules(await scripted('brand-safe', completionBody('Better than Acme.')))).toEqual(['rule:no-competitor']);
  });
});

describe('built-in checks on every call (any component)', () => {
  const jsonSchemaFormat = {
    type: 'json_schema' as const,
    json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false } },
  };
  const weather: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
  const toolCall = (name: string, args: string) => [{ id: 'call_1', type: 'function', function: { name, arguments: args } }];

  it('invalid JSON where JSON was asked for', async () => {
    expect(rules(await scripted('free', completionBody('{"answer":"ok"}'), { response_format: { type: 'json_object' } }))).toEqual([]);
    expect(rules(await scripted('free', completionBody('Sure! {"answer": "ok"'), { response_format: { type: 'json_object' } }))[0]).toMatch(/^format:/);
  });

  it('output that does not match the requested json_schema, naming path, expected and got', async () => {
    expect(rules(await scripted('free', completionBody('{"answer":"ok"}'), { response_format: jsonSchemaFormat }))).toEqual([]);
    const bad = await scripted('free', completionBody('{"answer": 42}'), { response_format: jsonSchemaFormat });
    expect(rules(bad)[0]).toMatch(/^schema:/);
    expect(bad.failures[0]?.message).toMatch(/answer/);
    expect(bad.failures[0]?.message).toMatch(/string/);
    expect(bad.failures[0]?.message).toMatch(/42/);
  });

  it('tool calls: unknown tool, unparsable arguments, arguments against the schema', async () => {
    expect(rules(await scripted('free', completionBody(null, { tool_calls: toolCall('get_weather', '{"city":"Paris"}') }), { tools: [weather] }))).toEqual([]);
    expect(rules(await scripted('free', completionBody(null, { tool_calls: toolCall('send_email', '{}') }), { tools: [weather] }))).toEqual(['tool:tool:unknown']);
    expect(rules(await scripted('free', completionBody(null, { tool_calls: toolCall('get_weather', '{"city":') }), { tools: [weather] }))).toEqual(['tool:tool:arguments-json']);
    expect(rules(await scripted('free', completionBody(null, { tool_calls: toolCall('get_weather', '{"town":"Paris"}') }), { tools: [weather] }))).toEqual(['tool:tool:arguments-schema']);
  });

  it('truncation, refusal, content filter, empty output, upstream errors', async () => {
    expectRules(await scripted('free', completionBody('cut', { finish_reason: 'length' })), ['truncation:truncation']);
    expect(rules(await scripted('free', completionBody(null, { refusal: 'I cannot help with that.' })))[0]).toMatch(/^refusal:/);
    expect(rules(await scripted('free', completionBody('', { finish_reason: 'content_filter' })))[0]).toMatch(/^refusal:/);
    expect(rules(await scripted('free', completionBody('   ')))).toEqual(['empty:empty']);
    h.fake.enqueue({ path: '/v1/chat/completions', status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } });
    const err = (await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    const d = await detail(err.headers!.get('x-fixpoint-call-id')!);
    expect(rules(d)[0]).toMatch(/^error:/);
  });
});

describe('failures API and metrics', () => {
  it('lists failures with filters, and counts them in /metrics', async () => {
    const res = (await (await h.admin('/api/failures?component=intent-classifier&kind=rule')).json()) as { data: { component: string; kind: string }[] };
    expect(res.data.length).toBeGreaterThanOrEqual(2);
    expect(res.data.every((f) => f.component === 'intent-classifier' && f.kind === 'rule')).toBe(true);
    const bad = await h.admin('/api/failures?kind=nonsense');
    expect(bad.status).toBe(400);
    const metrics = await h.jobMetrics();
    expect(metrics).toMatch(/fixpoint_failures_total\{component="intent-classifier",kind="rule",rule="intent-label"\} [2-9]/);
    expect(metrics).toMatch(/fixpoint_calls_evaluated_total\{component="intent-classifier"\} [3-9]/);
    expect(metrics).toMatch(/fixpoint_calls_failed_total\{component="intent-classifier"\} [2-9]/);
  });

  it('lists declared and observed components with their traffic', async () => {
    const res = (await (await h.admin('/api/components')).json()) as { data: { component: string; declared: boolean; rules: unknown[]; traffic: { calls_24h: number; failed_calls_24h: number } }[] };
    const intent = res.data.find((c) => c.component === 'intent-classifier');
    expect(intent).toMatchObject({ declared: true, rules: [{ id: 'intent-label', type: 'labels' }] });
    expect(intent?.traffic.calls_24h).toBeGreaterThanOrEqual(3);
    expect(intent?.traffic.failed_calls_24h).toBeGreaterThanOrEqual(2);
    expect(res.data.find((c) => c.component === 'free')).toMatchObject({ declared: false });
  });
});
