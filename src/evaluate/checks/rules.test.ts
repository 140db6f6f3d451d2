import { describe, expect, it } from 'vitest';
import type { RuleSettings } from '../../config/index.ts';
import type { CallView, FailureDraft } from '../types.ts';
import { anthropicCall, anthropicMessage, chatCall, chatCompletion, chatToolCall, responsesCall, responsesObject, responsesText, textBlock } from './call-fixtures.ts';
import { compileRules } from './index.ts';

const opts = { baseDir: process.cwd() };
async function run(rule: RuleSettings, call: CallView): Promise<FailureDraft[]> {
  return (await compileRules([rule], opts)).check(call);
}
const say = (text: string, over: Partial<CallView> = {}) => chatCall(chatCompletion(text), {}, over);

describe('labels: the intent classifier', () => {
  const intent: RuleSettings = { id: 'intent-label', type: 'labels', labels: ['billing', 'technical', 'account'], caseSensitive: true };

  it('passes an exact label (surrounding whitespace ignored), on any route', async () => {
    expect(await run(intent, say('billing'))).toEqual([]);
    expect(await run(intent, say(' technical\n'))).toEqual([]);
    expect(await run(intent, anthropicCall(anthropicMessage([textBlock('account')])))).toEqual([]);
    expect(await run(intent, responsesCall(responsesObject([responsesText('billing')])))).toEqual([]);
  });

  it('fails a variant label, naming the labels and what came', async () => {
    const [f] = await run(intent, say('BILLING_ISSUE'));
    expect(f).toMatchObject({ kind: 'rule', ruleId: 'intent-label', message: 'expected one of [billing, technical, account], got "BILLING_ISSUE"' });
    expect(f?.evidence).toMatchObject({ output: 'BILLING_ISSUE', got: 'BILLING_ISSUE', labels: ['billing', 'technical', 'account'], sentence: false, containsLabel: 'billing' });
  });

  it('fails a sentence with a message that does not depend on its words', async () => {
    const [a] = await run(intent, say('The customer has a billing problem.'));
    const [b] = await run(intent, say('The user cannot log into the account page.'));
    expect(a?.message).toBe('expected one of [billing, technical, account], got a sentence (6 words)');
    expect(b?.message).toBe('expected one of [billing, technical, account], got a sentence (8 words)');
    expect(a?.evidence).toMatchObject({ output: 'The customer has a billing problem.', sentence: true, words: 6, containsLabel: 'billing' });
  });

  it('honours caseSensitive', async () => {
    expect(await run(intent, say('Billing'))).toHaveLength(1);
    expect((await run(intent, say('Billing')))[0]?.evidence).toMatchObject({ caseMismatch: 'billing' });
    expect(await run({ ...intent, caseSensitive: false }, say('Billing'))).toEqual([]);
  });

  it('cuts a long non-sentence answer to 200 characters in the message', async () => {
    const [f] = await run(intent, say('x'.repeat(500)));
    expect(f?.message.length).toBeLessThan(260);
  });
});

describe('regex', () => {
  it('mustMatch: passes a match, fails a miss', async () => {
    const rule: RuleSettings = { id: 'ticket-ref', type: 'regex', pattern: '^TCK-\\d{4}$', flags: '', mustMatch: true };
    expect(await run(rule, say('TCK-0042'))).toEqual([]);
    expect(await run(rule, say('ticket 42'))).toEqual([{ kind: 'rule', ruleId: 'ticket-ref', message: 'output does not match /^TCK-\\d{4}$/', evidence: { output: 'ticket 42', pattern: '^TCK-\\d{4}$', flags: '', mustMatch: true } }]);
  });

  it('must not match: fails with the match, passes without; g flag does not carry state between calls', async () => {
    const rules = await compileRules([{ id: 'no-apology', type: 'regex', pattern: '\\bsorry\\b', flags: 'gi', mustMatch: false }], opts);
    const [f] = await rules.check(say('I am so Sorry about that.'));
    expect(f).toMatchObject({ message: 'output matches /\\bsorry\\b/gi, which it must not', evidence: { match: 'Sorry', index: 8 } });
    expect(await rules.check(say('Sorry!'))).toHaveLength(1);
    expect(await rules.check(say('Fixed it.'))).toEqual([]);
  });
});

describe('length', () => {
  it('words: fails above the maximum, passes within', async () => {
    const rule: RuleSettings = { id: 'short', type: 'length', unit: 'words', max: 8 };
    expect(await run(rule, say('Summary:\nInvoice fixed.'))).toEqual([]);
    const [f] = await run(rule, say('here is a very long answer that rambles on and on'));
    expect(f).toMatchObject({ message: 'output is 11 words, above the maximum of 8', evidence: { unit: 'words', value: 11, max: 8 } });
  });

  it('chars: fails below the minimum', async () => {
    const [f] = await run({ id: 'min', type: 'length', unit: 'chars', min: 20 }, say('too short'));
    expect(f?.message).toBe('output is 9 chars, below the minimum of 20');
  });

  it('tokens: uses the recorded output tokens, else estimates chars / 4', async () => {
    const rule: RuleSettings = { id: 'budget', type: 'length', unit: 'tokens', max: 100 };
    expect(await run(rule, say('short', { outputTokens: 250 }))).toMatchObject([{ evidence: { value: 250, estimated: false } }]);
    expect(await run(rule, say('short', { outputTokens: 3 }))).toEqual([]);
    expect(await run(rule, say('y'.repeat(401)))).toMatchObject([{ message: 'output is 101 tokens, above the maximum of 100', evidence: { estimated: true } }]);
  });
});

describe('required', () => {
  it('sections: heading-like lines in any common style pass; missing ones are named', async () => {
    const rule: RuleSettings = { id: 'has-sections', type: 'required', keys: [], sections: ['Summary', 'Next steps'] };
    for (const text of ['Summary:\nFixed.\n\nNext steps: none', '## Summary\nFixed.\n### Next Steps\nnone', '**Summary**\nFixed.\n**Next steps:**\n- none', 'SUMMARY\nFixed.\nnext steps\nnone']) {
      expect(await run(rule, say(text))).toEqual([]);
    }
    const [f] = await run(rule, say('In summary, the invoice was fixed. Next steps are unclear.'));
    expect(f).toMatchObject({ ruleId: 'has-sections', message: 'missing required sections: [Summary, Next steps]', evidence: { missingSections: ['Summary', 'Next steps'] } });
  });

  it('keys: dot paths through objects and arrays; unparsable JSON fails', async () => {
    const rule: RuleSettings = { id: 'keys', type: 'required', keys: ['total', 'customer.id', 'items.0.sku'], sections: [] };
    expect(await run(rule, say('{"total": null, "customer": {"id": 7}, "items": [{"sku": "A"}]}'))).toEqual([]);
    const [f] = await run(rule, say('{"total": 3, "customer": {}, "items": []}'));
    expect(f?.message).toBe('missing required keys: [customer.id, items.0.sku]');
    const [g] = await run(rule, say('total: 3'));
    expect(g?.message).toBe('output is not valid JSON (not JSON), so required keys [total, customer.id, items.0.sku] are missing');
  });
});

describe('json_schema', () => {
  const rule: RuleSettings = { id: 'invoice', type: 'json_schema', schema: { type: 'object', required: ['total'], properties: { total: { type: 'number' } } } };

  it('passes matching JSON; fails a mismatch naming path, expected and got; fails text that is not JSON', async () => {
    expect(await run(rule, say('{"total": 12.5, "currency": "EUR"}'))).toEqual([]);
    const [f] = await run(rule, say('{"total": "twelve"}'));
    expect(f).toMatchObject({ kind: 'rule', ruleId: 'invoice', message: 'output does not match the schema: $.total: expected type number, got "twelve"' });
    expect(f?.evidence).toMatchObject({ schema: rule.schema, violationCount: 1 });
    const [g] = await run(rule, say('```json\n{"total": 1}\n```'));
    expect(g?.message).toBe('output is not valid JSON (wrapped in a markdown code fence)');
  });

  it('rejects at compile time a schema Ajv cannot compile, naming the rule', async () => {
    await expect(compileRules([{ id: 'broken', type: 'json_schema', schema: { type: 'objekt' } }], opts)).rejects.toThrow(/^rule broken: not a valid JSON Schema/);
  });
});

describe('which calls rules apply to', () => {
  const intent: RuleSettings = { id: 'intent-label', type: 'labels', labels: ['billing'], caseSensitive: true };

  it('skips errored calls and outputs without text (those are built-in failures)', async () => {
    expect(await run(intent, say('nope', { status: 'upstream_error', httpStatus: 500 }))).toEqual([]);
    expect(await run(intent, chatCall(chatCompletion(null, { refusal: 'I cannot.' })))).toEqual([]);
    expect(await run(intent, chatCall(chatCompletion('  ')))).toEqual([]);
    expect(await run(intent, chatCall(chatCompletion(null, { tool_calls: [chatToolCall('x', '{}')] })))).toEqual([]);
    expect(await run(intent, chatCall({ unparsed: 'oops' }))).toEqual([]);
  });

  it('reports every failing rule of a component, each under its own id', async () => {
    const rules = await compileRules(
      [
        { id: 'short', type: 'length', unit: 'words', max: 8 },
        { id: 'no-apology', type: 'regex', pattern: '\\bsorry\\b', flags: 'i', mustMatch: false },
        { id: 'has-summary', type: 'required', keys: [], sections: ['Summary'] },
      ],
      opts,
    );
    const found = await rules.check(say('I am so sorry, here is a very long answer that rambles on without any heading at all'));
    expect(found.map((f) => f.ruleId).sort()).toEqual(['has-summary', 'no-apology', 'short']);
  });
});
