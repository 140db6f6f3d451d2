import { describe, expect, it } from 'vitest';
import type { CallCapture } from '../core/call-capture.ts';
import { callColumnNames, callColumns, finalizeCapture, minimalRecord, reviveRecord, type FinalRecord } from './finalize.ts';

describe('reviving spooled records', () => {
  const record = (values: (string | null)[]): FinalRecord => ({ id: 'c1', component: 'x', startedAt: 1, clientKeyHash: null, provider: 'openai', model: 'm', values, prompts: [] });

  it('takes a record of the current columns as it is', () => {
    const values = callColumns.map((_, i) => `v${i}`);
    expect(reviveRecord(record(values)).values).toEqual(values);
  });

  it('pads a record spooled before the attempts column with null (a spool written by the previous version replays)', () => {
    const before = callColumns.indexOf('attempts');
    const values = callColumns.slice(0, before).map((_, i) => `v${i}`);
    const revived = reviveRecord(JSON.parse(JSON.stringify(record(values))) as unknown);
    expect(revived.values).toHaveLength(callColumns.length);
    expect(revived.values[before]).toBeNull();
    expect(revived.values.slice(0, before)).toEqual(values);
  });

  it('refuses a record of an unknown shape', () => {
    expect(() => reviveRecord(record(['only', 'two']))).toThrow(/unknown shape/);
  });
});

describe('the row of a call', () => {
  const request = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'hi' }] };
  const response = { id: 'r1', object: 'chat.completion', model: 'gpt-4o-mini-2024', choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } };
  const capture: CallCapture = {
    id: '0193f0a4-0000-7000-8000-000000000001', route: 'chat.completions', startedAt: Date.UTC(2026, 11, 7, 6, 0, 0), endedAt: Date.UTC(2026, 11, 7, 6, 0, 1), latencyMs: 1000.5,
    upstreamLatencyMs: 990.25, ttftMs: 120.5, component: 'router', provider: 'openai', requestedModel: 'gpt-4o-mini', servedModel: null, status: 'success', httpStatus: 200, stream: false,
    request, response: { shape: 'openai.chat', stream: false, body: Buffer.from(JSON.stringify(response)) }, error: null, sessionId: 's1', userId: 'u1', properties: { team: 'a' },
    clientKeyHash: 'kh', promptVersionId: '0193f0a4-0000-7000-8000-0000000000aa', attempts: [{ provider: 'openai', model: 'gpt-4o-mini', outcome: 'success', http_status: 200, latency_ms: 990 }],
  };
  const column = (values: (string | null)[], name: string) => values[callColumnNames.indexOf(name)];

  it('fills every column from the capture and what came back', () => {
    const { values } = finalizeCapture(capture, () => ({ input: 1, output: 2 })).record;
    expect(values).toHaveLength(callColumns.length);
    expect(Object.fromEntries(callColumnNames.map((n, i) => [n, values[i]]))).toEqual({
      id: capture.id, started_at: '2026-12-07T06:00:00.000Z', ended_at: '2026-12-07T06:00:01.000Z', latency_ms: '1000.5', upstream_latency_ms: '990.25', ttft_ms: '120.5',
      route: 'chat.completions', component: 'router', provider: 'openai', requested_model: 'gpt-4o-mini', served_model: 'gpt-4o-mini-2024', status: 'success', http_status: '200',
      stream: 'false', finish_reasons: '{"stop"}', input_tokens: '10', output_tokens: '2', total_tokens: '12', cached_tokens: null, cost_usd: String((10 * 1 + 2 * 2) / 1_000_000),
      system_prompt_hash: expect.stringMatching(/^[0-9a-f]{64}$/), request_body: expect.stringContaining('"$prompt"'), response_body: JSON.stringify(response), error: null,
      session_id: 's1', user_id: 'u1', properties: '{"team":"a"}', client_key_hash: 'kh', prompt_version_id: capture.promptVersionId, attempts: JSON.stringify(capture.attempts),
    });
    expect(column(values, 'request_body')).not.toContain('Be terse.');
  });

  it('stores the request as the client wrote it, the system prompt replaced in place, when the recorder has its text', () => {
    const text = '{"model": "gpt-4o-mini", "messages": [{"role": "system", "content": "Be terse."}, {"role": "user", "content": "hi"}]}';
    const { values } = finalizeCapture({ ...capture, request: JSON.parse(text), requestText: text }, () => null).record;
    expect(column(values, 'request_body')).toMatch(/^\{"model": "gpt-4o-mini", "messages": \[\{"role": "system", "content": \{"\$prompt":"[0-9a-f]{64}"\}\}, \{"role": "user", "content": "hi"\}\]\}$/);
    // Without the text (a prompt was swapped in), the object is written: compact.
    const swapped = finalizeCapture({ ...capture, request: JSON.parse(text), requestText: null }, () => null).record;
    expect(column(swapped.values, 'request_body')).toMatch(/^\{"model":"gpt-4o-mini","messages":\[\{"role":"system","content":\{"\$prompt":/);
  });

  it('keeps the capture\'s columns and the error in the minimal form, without bodies, usage or cost', () => {
    const { values } = minimalRecord({ ...capture, error: 'boom' }, 'too deep');
    expect(column(values, 'ttft_ms')).toBe('120.5');
    expect(column(values, 'session_id')).toBe('s1');
    expect(column(values, 'attempts')).toBe(JSON.stringify(capture.attempts));
    for (const name of ['request_body', 'response_body', 'input_tokens', 'cost_usd', 'system_prompt_hash']) expect(column(values, name)).toBeNull();
    expect(column(values, 'finish_reasons')).toBe('{}');
    expect(column(values, 'error')).toBe('boom; record stored without its bodies: too deep');
  });
});
