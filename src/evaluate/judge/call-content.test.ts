import { describe, expect, it } from 'vitest';
import { callContent, clip, CONVERSATION_BUDGET, fitConversation } from './call-content.ts';

describe('callContent', () => {
  it('reads a chat completion call: system prompt, tool turns, text and tool calls', () => {
    const request = {
      model: 'gpt-4o-mini',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }],
      messages: [
        { role: 'system', content: 'You are a weather bot.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather in' }, { type: 'image_url', image_url: { url: 'data:...' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
    };
    const response = {
      choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ id: 'c2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } }] }, finish_reason: 'tool_calls' }],
    };
    expect(callContent(request, response)).toEqual({
      conversation: [
        { role: 'system', content: 'You are a weather bot.' },
        { role: 'user', content: 'Weather in\n[image]' },
        { role: 'assistant', content: '[tool call get_weather({"city":"Paris"})]' },
        { role: 'tool', content: 'sunny' },
      ],
      tools_offered: ['get_weather'],
      output: { text: null, tool_calls: [{ name: 'get_weather', arguments: '{"city":"Lyon"}' }], finish_reason: 'tool_calls' },
    });
  });

  it('reads an Anthropic messages call: top-level system, blocks, tool_use output', () => {
    const request = {
      system: [{ type: 'text', text: 'Be terse.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'tool_result', tool_use_id: 't', content: 'r' }] }],
      tools: [{ name: 'lookup', input_schema: {} }],
    };
    const response = { type: 'message', content: [{ type: 'thinking', thinking: '...' }, { type: 'text', text: 'Hello' }, { type: 'tool_use', id: 't2', name: 'lookup', input: { q: 1 } }], stop_reason: 'tool_use' };
    expect(callContent(request, response)).toEqual({
      conversation: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Hi\n[tool result] r' },
      ],
      tools_offered: ['lookup'],
      output: { text: 'Hello', tool_calls: [{ name: 'lookup', arguments: '{"q":1}' }], finish_reason: 'tool_use' },
    });
  });

  it('reads a Responses call: instructions, input items, output items', () => {
    const request = {
      instructions: 'Answer in French.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Capital of Italy?' }] },
        { type: 'function_call', name: 'search', arguments: '{}' },
        { type: 'function_call_output', output: 'Rome' },
      ],
    };
    const response = {
      object: 'response',
      status: 'completed',
      output: [
        { type: 'reasoning', summary: [] },
        { type: 'message', content: [{ type: 'output_text', text: 'Rome.' }] },
        { type: 'function_call', name: 'log', arguments: '{"x":1}' },
      ],
    };
    expect(callContent(request, response)).toEqual({
      conversation: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Capital of Italy?' },
        { role: 'assistant', content: '[tool call search({})]' },
        { role: 'tool', content: 'Rome' },
      ],
      output: { text: 'Rome.', tool_calls: [{ name: 'log', arguments: '{"x":1}' }], finish_reason: 'completed' },
    });
    expect(callContent({ input: 'plain' }, { output_text: 'done' })).toEqual({ conversation: [{ role: 'user', content: 'plain' }], output: { text: 'done', tool_calls: [] } });
  });

  it('tolerates anything', () => {
    for (const [req, res] of [
      [null, null],
      [42, 'text answer'],
      [{ messages: 'nope' }, { weird: true }],
      [{ messages: [null, 3, { role: 'user', content: { nested: 1 } }] }, { choices: [null] }],
      [[1, 2], [{ a: 1 }]],
    ] as const) {
      expect(() => callContent(req, res)).not.toThrow();
    }
    expect(callContent(null, 'text answer').output).toEqual({ text: 'text answer', tool_calls: [] });
    expect(callContent({}, { weird: true }).output).toEqual({ text: null, tool_calls: [], unrecognized: '{"weird":true}' });
  });

  it('keeps the conversation within the budget: system prompt and the latest message first', () => {
    const big = (c: string, n: number) => c.repeat(n);
    const messages = [
      { role: 'system', content: big('s', 10_000) },
      ...Array.from({ length: 10 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i} ${big('x', 2_000)}` })),
      { role: 'user', content: `last ${big('y', 20_000)}` },
    ];
    const { conversation, output } = callContent({ messages }, { choices: [{ message: { content: big('o', 50_000) } }] });
    const total = conversation.reduce((n, e) => n + e.content.length, 0);
    expect(total).toBeLessThanOrEqual(CONVERSATION_BUDGET + 200);
    expect(conversation[0]?.role).toBe('system');
    expect(conversation[0]?.content).toMatch(/characters omitted/);
    expect(conversation[1]).toEqual({ role: 'note', content: expect.stringMatching(/earlier messages omitted/) as unknown as string });
    expect(conversation.at(-1)?.content.startsWith('last ')).toBe(true);
    expect(output.text!.length).toBeLessThan(8_100);
  });

  it('clip keeps head and tail', () => {
    expect(clip('short', 10)).toBe('short');
    const c = clip('a'.repeat(50) + 'b'.repeat(50), 20);
    expect(c.startsWith('a'.repeat(14))).toBe(true);
    expect(c.endsWith('b'.repeat(6))).toBe(true);
    expect(c).toContain('[80 characters omitted]');
    expect(fitConversation([])).toEqual([]);
  });
});
