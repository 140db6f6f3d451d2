import { describe, expect, it } from 'vitest';
import type { MessageCreateParams, MessageParam, ToolUnion } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import { AppError } from '../../core/index.ts';
import { chatRequestToAnthropic } from './chat-request-to-anthropic.ts';
import { messagesRequestToChat } from './messages-request-to-chat.ts';

const model = 'qwen3-32b';

function translate(fields: Partial<MessageCreateParams> & { messages: MessageParam[] }) {
  return messagesRequestToChat({ model: 'claude-sonnet-4-6', max_tokens: 1024, ...fields } as MessageCreateParams, model);
}

function appErrorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

const weatherTool: ToolUnion = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('messagesRequestToChat: messages', () => {
  it('turns system (string or blocks) into a leading system message and keeps the turns', () => {
    const out = translate({
      system: [
        { type: 'text', text: 'You are a coding agent.' },
        { type: 'text', text: 'Be careful.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
        { role: 'user', content: [{ type: 'text', text: 'Fix the bug' }] },
      ],
    });
    expect(out.model).toBe(model);
    expect(out.messages).toEqual([
      { role: 'system', content: 'You are a coding agent.\n\nBe careful.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Fix the bug' },
    ]);
    expect(translate({ system: 'Plain.', messages: [] }).messages).toEqual([{ role: 'system', content: 'Plain.' }]);
  });

  it('turns base64 and url images into image_url parts', () => {
    const out = translate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
            { type: 'text', text: 'What differs?' },
          ],
        },
      ],
    });
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
          { type: 'text', text: 'What differs?' },
        ],
      },
    ]);
  });

  it('maps tool_use to assistant tool_calls and tool_result to tool messages before the rest of the user turn', () => {
    const out = translate({
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two calls.', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              is_error: true,
              content: [
                { type: 'text', text: 'timeout' },
                { type: 'text', text: 'retry later' },
              ],
            },
            { type: 'text', text: 'Summarize.' },
          ],
        },
      ],
    });
    expect(out.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: timeout\nretry later' },
      { role: 'user', content: 'Summarize.' },
    ]);
  });

  it('gives null content to an assistant turn that only calls tools, and moves tool-result images to a user message', () => {
    const out = translate({
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'screenshot', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't1',
              content: [
                { type: 'text', text: 'Screen captured' },
                { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
              ],
            },
          ],
        },
      ],
    });
    expect(out.messages).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'screenshot', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 't1', content: 'Screen captured' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } }] },
    ]);
  });

  it('rejects blocks an OpenAI-compatible model cannot take, naming them', () => {
    const err = appErrorOf(() =>
      translate({
        messages: [
          { role: 'user', content: 'x' },
          { role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] },
        ],
      }),
    );
    expect(err.code).toBe('unsupported');
    expect(err.param).toBe('messages[1].content[0].source');
  });
});

describe('messagesRequestToChat: parameters', () => {
  const messages: MessageParam[] = [{ role: 'user', content: 'Hi' }];

  it('sends max_tokens as max_tokens, or as max_completion_tokens when told to (reasoning models)', () => {
    expect(translate({ messages })).toMatchObject({ max_tokens: 1024 });
    expect(translate({ messages })).not.toHaveProperty('max_completion_tokens');
    const req = { model: 'claude-sonnet-4-6', max_tokens: 300, messages } as MessageCreateParams;
    const out = messagesRequestToChat(req, 'o4-mini', { tokenLimitField: 'max_completion_tokens' });
    expect(out).toMatchObject({ max_completion_tokens: 300 });
    expect(out).not.toHaveProperty('max_tokens');
  });

  it('maps tools with parameters = input_schema', () => {
    expect(translate({ messages, tools: [weatherTool] }).tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ]);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'any' }, 'required'],
    [{ type: 'none' }, 'none'],
    [{ type: 'tool', name: 'get_weather' }, { type: 'function', function: { name: 'get_weather' } }],
  ] as const)('maps tool_choice %j', (choice, expected) => {
    expect(translate({ messages, tools: [weatherTool], tool_choice: choice }).tool_choice).toEqual(expected);
  });

  it('maps disable_parallel_tool_use to parallel_tool_calls: false', () => {
    const out = translate({ messages, tools: [weatherTool], tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
    expect(out.parallel_tool_calls).toBe(false);
    expect(translate({ messages, tools: [weatherTool], tool_choice: { type: 'auto' } })).not.toHaveProperty('parallel_tool_calls');
  });

  it("rejects Anthropic's own tools", () => {
    const err = appErrorOf(() =>
      translate({ messages, tools: [weatherTool, { type: 'web_search_20250305', name: 'web_search' } as ToolUnion] }),
    );
    expect(err.param).toBe('tools[1].type');
  });

  it('maps max_tokens, stop_sequences, metadata.user_id and streaming with usage', () => {
    const out = translate({
      messages,
      max_tokens: 2048,
      stop_sequences: ['</answer>'],
      metadata: { user_id: 'u-1' },
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    expect(out).toEqual({
      model,
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 2048,
      stop: ['</answer>'],
      user: 'u-1',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(translate({ messages })).not.toHaveProperty('stream');
  });

  it('carries temperature and top_p that older Anthropic clients still send', () => {
    const req = { model: 'claude', max_tokens: 10, messages, temperature: 0.2, top_p: 0.8 } as MessageCreateParams;
    expect(messagesRequestToChat(req, model)).toMatchObject({ temperature: 0.2, top_p: 0.8 });
  });

  it('maps output_config.format to a json_schema response_format', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    const out = translate({ messages, output_config: { format: { type: 'json_schema', schema } } });
    expect(out.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'response', schema } });
  });
});

describe('round trip: OpenAI request → Anthropic → OpenAI', () => {
  it('keeps a tool-using conversation intact', () => {
    const original: ChatCompletionCreateParams = {
      model: 'gpt-4o',
      max_tokens: 500,
      stop: ['STOP'],
      user: 'u-9',
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '-3°C' },
        { role: 'user', content: 'Coat?' },
      ],
    };
    const back = messagesRequestToChat(chatRequestToAnthropic(original, 'claude'), 'gpt-4o');
    expect(back).toEqual({ ...original, model: 'gpt-4o' });
  });
});
