import { describe, expect, it } from 'vitest';
import { conversationOf, exampleMessages, leadingSystemMessage, plainText, systemPromptText, systemSlotOf } from './wire-request.ts';

const examples = [{ user: 'ex q', assistant: 'ex a' }];

describe('system prompt of a chat completions request', () => {
  const body = { model: 'm', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }] };

  it('reads a string system message, and puts another in its place with examples before the conversation', () => {
    expect(systemPromptText(body)).toBe('Be brief.');
    const slot = systemSlotOf('chat.completions', body);
    expect(slot?.text).toBe('Be brief.');
    expect(slot?.put(body, 'Be kind.', examples)).toEqual({
      model: 'm',
      messages: [{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'ex q' }, { role: 'assistant', content: 'ex a' }, { role: 'user', content: 'hi' }],
    });
    expect(body.messages[0]?.content).toBe('Be brief.');
  });

  it('reads an array of text parts: joined by newlines for fingerprints, concatenated for replacing', () => {
    const parts = { messages: [{ role: 'developer', content: [{ type: 'text', text: 'Part one.' }, { type: 'text', text: 'Part two.' }] }] };
    expect(systemPromptText(parts)).toBe('Part one.\nPart two.');
    expect(systemSlotOf('chat.completions', parts)?.text).toBe('Part one.Part two.');
    expect(plainText([{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'x' } }])).toBeNull();
    expect(plainText([])).toBeNull();
  });

  it('replaces only a leading system message; the fingerprint reads the first one anywhere', () => {
    const later = { messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: 'Late.' }] };
    expect(leadingSystemMessage(later)).toBeNull();
    expect(systemSlotOf('chat.completions', later)).toBeNull();
    expect(systemPromptText(later)).toBe('Late.');
  });
});

describe('system prompt of an Anthropic Messages request', () => {
  it('reads `system` as a string or as text blocks, and puts a string in its place', () => {
    const blocks = { system: [{ type: 'text', text: 'Be terse.' }, { type: 'text', text: 'Cite sources.' }], messages: [{ role: 'user', content: 'hi' }] };
    expect(systemPromptText(blocks)).toBe('Be terse.\nCite sources.');
    const slot = systemSlotOf('messages', blocks);
    expect(slot?.text).toBe('Be terse.Cite sources.');
    expect(slot?.put(blocks, 'New.', examples)).toEqual({
      system: 'New.',
      messages: [{ role: 'user', content: 'ex q' }, { role: 'assistant', content: 'ex a' }, { role: 'user', content: 'hi' }],
    });
    expect(systemPromptText({ system: 'Plain.', messages: [] })).toBe('Plain.');
  });
});

describe('system prompt of a Responses request', () => {
  it('reads `instructions`; examples turn a string input into a user message after them', () => {
    const body = { instructions: 'Answer in French.', input: 'Capital of Italy?' };
    expect(systemPromptText(body)).toBe('Answer in French.');
    const slot = systemSlotOf('responses', body);
    expect(slot?.text).toBe('Answer in French.');
    expect(slot?.put(body, 'Answer in German.', [])).toEqual({ instructions: 'Answer in German.', input: 'Capital of Italy?' });
    expect(slot?.put(body, 'Answer in German.', examples)).toEqual({
      instructions: 'Answer in German.',
      input: [{ role: 'user', content: 'ex q' }, { role: 'assistant', content: 'ex a' }, { role: 'user', content: 'Capital of Italy?' }],
    });
  });
});

describe('a request without a system prompt', () => {
  it('has no text and no slot, on any route', () => {
    const body = { messages: [{ role: 'user', content: 'hi' }] };
    expect(systemPromptText(body)).toBeNull();
    expect(systemPromptText({ input: 'x' })).toBeNull();
    for (const route of ['chat.completions', 'messages', 'responses', 'embeddings']) expect(systemSlotOf(route, body)).toBeNull();
    expect(leadingSystemMessage(null)).toBeNull();
    expect(exampleMessages([])).toEqual([]);
  });
});

describe('conversationOf', () => {
  it('reads each shape as text entries, system prompt first', () => {
    expect(conversationOf({ messages: [{ role: 'system', content: 'S' }, { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image_url' }] }] })).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'Look\n[image]' },
    ]);
    expect(conversationOf({ system: [{ type: 'text', text: 'S' }], messages: [{ role: 'assistant', content: [{ type: 'tool_use', name: 'f', input: { a: 1 } }] }] })).toEqual([
      { role: 'system', content: 'S' },
      { role: 'assistant', content: '[tool call f({"a":1})]' },
    ]);
    expect(conversationOf({ instructions: 'S', input: [{ type: 'function_call_output', output: 'ok' }, { type: 'reasoning' }] })).toEqual([
      { role: 'system', content: 'S' },
      { role: 'tool', content: 'ok' },
    ]);
    expect(conversationOf({ input: 'plain' })).toEqual([{ role: 'user', content: 'plain' }]);
    expect(conversationOf('not a request')).toEqual([]);
  });
});
