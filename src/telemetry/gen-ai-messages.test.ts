import { describe, expect, it } from 'vitest';
import { genAiContentOf } from './gen-ai-messages.ts';

describe('GenAI semantic-convention messages from wire bodies', () => {
  it('OpenAI chat: tool calls and their results, images by reference, inline data by type only', () => {
    const request = {
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'weather?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'rainy' },
      ],
    };
    const response = { choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'It is rainy.' } }] };
    const c = genAiContentOf('openai.chat', request, response, ['stop']);
    expect(c.input).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'weather?' }, { type: 'blob', modality: 'image', mime_type: 'image/png' }, { type: 'uri', modality: 'image', uri: 'https://x/y.png' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy' }] },
    ]);
    expect(c.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'It is rainy.' }], finish_reason: 'stop' }]);
    expect(JSON.stringify(c)).not.toContain('AAAA');
  });

  it('Anthropic: system apart, tool_use and tool_result blocks, thinking as reasoning', () => {
    const request = {
      system: [{ type: 'text', text: 'Be terse.' }],
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: 'rainy' }] },
      ],
    };
    const response = { content: [{ type: 'thinking', thinking: 'hmm' }, { type: 'text', text: 'Rainy.' }], stop_reason: 'end_turn' };
    const c = genAiContentOf('anthropic.messages', request, response, ['end_turn']);
    expect(c.system).toEqual([{ type: 'text', content: 'Be terse.' }]);
    expect(c.input[1]).toEqual({ role: 'assistant', parts: [{ type: 'tool_call', id: 'tu_1', name: 'get_weather', arguments: { city: 'Paris' } }] });
    expect(c.input[2]).toEqual({ role: 'user', parts: [{ type: 'tool_call_response', id: 'tu_1', response: 'rainy' }] });
    expect(c.output).toEqual([{ role: 'assistant', parts: [{ type: 'reasoning', content: 'hmm' }, { type: 'text', content: 'Rainy.' }], finish_reason: 'end_turn' }]);
  });

  it('Responses API: instructions, string or item input, function calls in the output; an error body has no output', () => {
    const request = { instructions: 'Be kind.', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }, { type: 'function_call_output', call_id: 'fc_1', output: '42' }] };
    const response = { output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello' }] }, { type: 'function_call', call_id: 'fc_2', name: 'f', arguments: '{}' }] };
    const c = genAiContentOf('openai.responses', request, response, ['completed']);
    expect(c.system).toEqual([{ type: 'text', content: 'Be kind.' }]);
    expect(c.input).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'hi' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'fc_1', response: '42' }] },
    ]);
    expect(c.output).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Hello' }, { type: 'tool_call', id: 'fc_2', name: 'f', arguments: {} }], finish_reason: 'completed' }]);
    expect(genAiContentOf('openai.responses', { input: 'hi' }, { error: { message: 'no' } }, []).output).toEqual([]);
    expect(genAiContentOf('openai.responses', { input: 'hi' }, null, []).input).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
  });
});
