import { describe, expect, it } from 'vitest';
import { readResponse } from './read-response.ts';
import { dehydratePrompts, hydratePrompts } from '../prompts/index.ts';
import { createPriceLookup, estimateCost } from '../providers/index.ts';

const sse = (events: unknown[]) => Buffer.from(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n');

describe('readResponse', () => {
  it('assembles an OpenAI chat stream: content, tool calls by index, finish reason, usage', () => {
    const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini' };
    const raw = sse([
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: 'f', arguments: '{"a":' } }] }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '1}' } }] }, finish_reason: 'tool_calls' }] },
      { ...base, choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, prompt_tokens_details: { cached_tokens: 2 } } },
    ]);
    const r = readResponse('openai.chat', true, raw);
    expect(r.body).toMatchObject({ choices: [{ message: { content: 'Hello', tool_calls: [{ id: 't1', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' }] });
    expect(r.usage).toEqual({ inputTokens: 7, outputTokens: 3, totalTokens: 10, cachedTokens: 2 });
    expect(r.finishReasons).toEqual(['tool_calls']);
  });

  it('assembles an Anthropic stream, with cache tokens counted as input', () => {
    const events = [
      { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'claude-x', content: [], usage: { input_tokens: 5, cache_read_input_tokens: 10, cache_creation_input_tokens: 1, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't', name: 'f', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":"Pa' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'ris"}' } },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } },
      { type: 'message_stop' },
    ];
    const raw = Buffer.from(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
    const r = readResponse('anthropic.messages', true, raw);
    expect(r.body).toMatchObject({ stop_reason: 'tool_use', content: [{ type: 'text', text: 'Hi' }, { type: 'tool_use', input: { city: 'Paris' } }] });
    expect(r.usage).toEqual({ inputTokens: 16, outputTokens: 9, totalTokens: 25, cachedTokens: 10 });
  });

  it('keeps unparsable bodies as text rather than failing', () => {
    expect(readResponse('openai.chat', false, Buffer.from('<html>bad gateway</html>')).body).toEqual({ unparsed: '<html>bad gateway</html>' });
  });
});

describe('system prompts stored by reference', () => {
  it('round-trips chat, Anthropic and Responses shapes', () => {
    const body = { messages: [{ role: 'system', content: 'S1' }, { role: 'developer', content: 'S2' }, { role: 'user', content: 'u' }], system: 'A', instructions: 'I' };
    const { body: stored, prompts } = dehydratePrompts(body);
    expect(JSON.stringify(stored)).not.toMatch(/"S1"|"S2"|"A"|"I"/);
    expect(prompts.map((p) => p.content)).toEqual(['S1', 'S2', 'A', 'I']);
    expect(hydratePrompts(stored, new Map(prompts.map((p) => [p.hash, p.content])))).toEqual(body);
  });
});

describe('prices', () => {
  it('matches dated snapshots by prefix and prices cached input lower', () => {
    const lookup = createPriceLookup({ 'my-model': { input: 1, output: 2 } });
    expect(lookup('gpt-4o-mini-2024-07-18')).toEqual(lookup('gpt-4o-mini'));
    expect(lookup('openai/gpt-4o')?.input).toBe(2.5);
    expect(lookup('my-model')).toEqual({ input: 1, output: 2 });
    expect(lookup('unknown-model')).toBeNull();
    const full = estimateCost(lookup('gpt-4o'), { inputTokens: 1_000_000, outputTokens: 0, totalTokens: null, cachedTokens: 0 });
    const cached = estimateCost(lookup('gpt-4o'), { inputTokens: 1_000_000, outputTokens: 0, totalTokens: null, cachedTokens: 1_000_000 });
    expect(full).toBeCloseTo(2.5);
    expect(cached).toBeCloseTo(1.25);
  });
});
