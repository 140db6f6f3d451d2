import { describe, expect, it } from 'vitest';
import type { ChatCompletionCreateParams, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { AppError } from '../../core/index.ts';
import { chatRequestToAnthropic, DEFAULT_MAX_TOKENS } from './chat-request-to-anthropic.ts';

const model = 'claude-sonnet-4-6';

function translate(fields: Partial<ChatCompletionCreateParams> & { messages: ChatCompletionMessageParam[] }) {
  return chatRequestToAnthropic({ model: 'gpt-4o', ...fields } as ChatCompletionCreateParams, model);
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

const weatherCall = {
  id: 'call_1',
  type: 'function' as const,
  function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
};
const timeCall = { id: 'call_2', type: 'function' as const, function: { name: 'get_time', arguments: '{"tz":"CET"}' } };

describe('chatRequestToAnthropic: messages', () => {
  it('moves every system and developer message into system blocks and keeps turns alternating', () => {
    const out = translate({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hi' },
        { role: 'user', content: [{ type: 'text', text: 'Are you there?' }] },
        { role: 'assistant', content: 'Oui.' },
        { role: 'system', content: 'Be polite.' },
        { role: 'user', content: 'Merci' },
      ],
    });
    expect(out.model).toBe(model);
    expect(out.system).toEqual([
      { type: 'text', text: 'You are terse.' },
      { type: 'text', text: 'Answer in French.' },
      { type: 'text', text: 'Be polite.' },
    ]);
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hi' },
          { type: 'text', text: 'Are you there?' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'Oui.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Merci' }] },
    ]);
  });

  it('omits system when there is none', () => {
    const out = translate({ messages: [{ role: 'user', content: 'Hi' }] });
    expect(out).not.toHaveProperty('system');
  });

  it('translates data-URL images to base64 sources and http(s) images to URL sources', () => {
    const out = translate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/jpg;base64,/9j/4AAQ' } },
          ],
        },
      ],
    });
    expect(out.messages[0]?.content).toEqual([
      { type: 'text', text: 'Compare these' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
    ]);
  });

  it('rejects image types Anthropic cannot read, naming the url', () => {
    const err = appErrorOf(() =>
      translate({
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } }] }],
      }),
    );
    expect(err.code).toBe('unsupported');
    expect(err.param).toBe('messages[0].content[0].image_url.url');
  });

  it('rejects audio parts as unsupported, naming the part type', () => {
    const err = appErrorOf(() =>
      translate({
        messages: [
          { role: 'system', content: 'x' },
          { role: 'assistant', content: 'Say something' },
          {
            role: 'user',
            content: [{ type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } }],
          },
        ],
      }),
    );
    expect(err.code).toBe('unsupported');
    expect(err.param).toBe('messages[2].content[0].type');
  });

  it('turns base64 PDF file parts into document blocks', () => {
    const out = translate({
      messages: [
        {
          role: 'user',
          content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } }],
        },
      ],
    });
    expect(out.messages[0]?.content).toEqual([
      { type: 'document', title: 'a.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
    ]);
  });
});

describe('chatRequestToAnthropic: tool calls and results', () => {
  const conversation: ChatCompletionMessageParam[] = [
    { role: 'user', content: 'Weather and time in Paris?' },
    { role: 'assistant', content: null, tool_calls: [weatherCall, timeCall] },
    { role: 'tool', tool_call_id: 'call_1', content: '18°C, cloudy' },
    { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '14:05' }] },
    { role: 'user', content: 'Thanks. Umbrella?' },
  ];

  it('maps tool_calls to tool_use blocks and groups tool results into one user message, results first', () => {
    const out = translate({ messages: conversation });
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_time', input: { tz: 'CET' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18°C, cloudy' },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '14:05' }] },
          { type: 'text', text: 'Thanks. Umbrella?' },
        ],
      },
    ]);
  });

  it('puts tool results before text even when the text came first', () => {
    const out = translate({
      messages: [
        { role: 'assistant', content: 'Let me check.', tool_calls: [weatherCall] },
        { role: 'user', content: 'Also, hurry' },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
    });
    expect(out.messages[0]?.content).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(out.messages[1]?.content).toEqual([
      { type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' },
      { type: 'text', text: 'Also, hurry' },
    ]);
  });

  it('rejects tool call arguments that are not JSON, naming the argument path', () => {
    const messages = structuredClone(conversation);
    messages[1] = {
      role: 'assistant',
      tool_calls: [weatherCall, { ...timeCall, function: { name: 'get_time', arguments: '{"tz":' } }],
    };
    const err = appErrorOf(() => translate({ messages }));
    expect(err.code).toBe('invalid_request');
    expect(err.param).toBe('messages[1].tool_calls[1].function.arguments');
  });

  it('rejects arguments that are JSON but not an object', () => {
    const err = appErrorOf(() =>
      translate({ messages: [{ role: 'assistant', tool_calls: [{ ...weatherCall, function: { name: 'f', arguments: '[1]' } }] }] }),
    );
    expect(err.param).toBe('messages[0].tool_calls[0].function.arguments');
  });

  it('reads empty arguments as no arguments', () => {
    const out = translate({
      messages: [{ role: 'assistant', tool_calls: [{ ...weatherCall, function: { name: 'now', arguments: '' } }] }],
    });
    expect(out.messages[0]?.content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'now', input: {} }]);
  });

  it('rewrites tool ids Anthropic would reject, the same way on the call and its result', () => {
    const id = 'functions.get_weather:0';
    const out = translate({
      messages: [
        { role: 'assistant', tool_calls: [{ ...weatherCall, id }] },
        { role: 'tool', tool_call_id: id, content: 'ok' },
      ],
    });
    expect(out.messages[0]?.content).toMatchObject([{ type: 'tool_use', id: 'functions_get_weather_0' }]);
    expect(out.messages[1]?.content).toMatchObject([{ type: 'tool_result', tool_use_id: 'functions_get_weather_0' }]);
  });

  it('translates legacy function_call / function messages, pairing them by name', () => {
    const out = translate({
      functions: [{ name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
      function_call: { name: 'lookup' },
      messages: [
        { role: 'user', content: 'Find x' },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":"x"}' } },
        { role: 'function', name: 'lookup', content: 'x is 42' },
      ],
    });
    const use = out.messages[1]?.content[0] as { id: string };
    const result = out.messages[2]?.content[0] as { tool_use_id: string };
    expect(use).toMatchObject({ type: 'tool_use', name: 'lookup', input: { q: 'x' } });
    expect(result).toMatchObject({ type: 'tool_result', content: 'x is 42' });
    expect(result.tool_use_id).toBe(use.id);
    expect(out.tools).toEqual([{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }]);
    expect(out.tool_choice).toEqual({ type: 'tool', name: 'lookup' });
  });

  it('rejects a function message that answers no function_call', () => {
    const err = appErrorOf(() => translate({ messages: [{ role: 'function', name: 'lookup', content: 'x' }] }));
    expect(err.param).toBe('messages[0].name');
  });
});

describe('chatRequestToAnthropic: tools and tool_choice', () => {
  const tools: ChatCompletionCreateParams['tools'] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    },
    { type: 'function', function: { name: 'now' } },
  ];
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

  it('maps function tools to name/description/input_schema', () => {
    expect(translate({ messages, tools }).tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      { name: 'now', input_schema: { type: 'object', properties: {} } },
    ]);
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    ['required', { type: 'any' }],
    [{ type: 'function', function: { name: 'now' } }, { type: 'tool', name: 'now' }],
  ] as const)('maps tool_choice %j', (choice, expected) => {
    expect(translate({ messages, tools, tool_choice: choice }).tool_choice).toEqual(expected);
  });

  it('sets disable_parallel_tool_use when parallel_tool_calls is false', () => {
    expect(translate({ messages, tools, tool_choice: 'required', parallel_tool_calls: false }).tool_choice).toEqual({
      type: 'any',
      disable_parallel_tool_use: true,
    });
    expect(translate({ messages, tools, parallel_tool_calls: false }).tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    expect(translate({ messages, tools, tool_choice: 'none', parallel_tool_calls: false }).tool_choice).toEqual({
      type: 'none',
    });
  });

  it('leaves tool_choice out when there are no tools', () => {
    expect(translate({ messages, tool_choice: 'none' })).not.toHaveProperty('tool_choice');
  });

  it('rejects custom tools and allowed_tools choices', () => {
    const custom = appErrorOf(() =>
      translate({ messages, tools: [tools[0]!, { type: 'custom', custom: { name: 'grammar' } }] }),
    );
    expect(custom.param).toBe('tools[1].type');
    const allowed = appErrorOf(() =>
      translate({ messages, tools, tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } }),
    );
    expect(allowed.param).toBe('tool_choice');
  });
});

describe('chatRequestToAnthropic: parameters', () => {
  const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

  it('defaults max_tokens and prefers max_completion_tokens over max_tokens', () => {
    expect(translate({ messages }).max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(DEFAULT_MAX_TOKENS).toBe(4096);
    expect(translate({ messages, max_tokens: 100 }).max_tokens).toBe(100);
    expect(translate({ messages, max_tokens: 100, max_completion_tokens: 200 }).max_tokens).toBe(200);
  });

  it('maps stop, user and stream; ignores harmless OpenAI-only fields', () => {
    const out = translate({
      messages,
      stop: 'END',
      user: 'user-7',
      stream: true,
      stream_options: { include_usage: true },
      seed: 1,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      store: true,
      metadata: { k: 'v' },
      logprobs: false,
    });
    expect(out).toEqual({
      model,
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stop_sequences: ['END'],
      metadata: { user_id: 'user-7' },
      stream: true,
    });
    expect(translate({ messages, stop: ['a', 'b'] }).stop_sequences).toEqual(['a', 'b']);
    expect(translate({ messages, stream: false }).stream).toBe(false);
  });

  it('sends temperature (capped at 1) or top_p, and neither from API version 2026-10-21 on', () => {
    expect(translate({ messages, temperature: 0.3 })).toMatchObject({ temperature: 0.3 });
    expect(translate({ messages, temperature: 1.7 })).toMatchObject({ temperature: 1 });
    expect(translate({ messages, top_p: 0.9 })).toMatchObject({ top_p: 0.9 });
    const both = translate({ messages, temperature: 0.2, top_p: 0.9 });
    expect(both).toMatchObject({ temperature: 0.2 });
    expect(both).not.toHaveProperty('top_p');
    const req = { model: 'gpt-4o', messages, temperature: 0.3, top_p: 0.9 };
    const newer = chatRequestToAnthropic(req, model, { anthropicVersion: '2026-10-21' });
    expect(newer).not.toHaveProperty('temperature');
    expect(newer).not.toHaveProperty('top_p');
  });

  it('asks for JSON in the system prompt for response_format json_schema, including the schema', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    const out = translate({
      messages: [{ role: 'system', content: 'Be brief.' }, ...messages],
      response_format: { type: 'json_schema', json_schema: { name: 'reply', schema, strict: true } },
    });
    const system = out.system as Array<{ type: 'text'; text: string }>;
    expect(system).toHaveLength(2);
    expect(system[0]).toEqual({ type: 'text', text: 'Be brief.' });
    expect(system[1]?.text).toContain('single JSON object');
    expect(system[1]?.text).toContain(JSON.stringify(schema));
  });

  it('asks for JSON for json_object and adds nothing for text', () => {
    const json = translate({ messages, response_format: { type: 'json_object' } }).system as Array<{ text: string }>;
    expect(json[0]?.text).toContain('single JSON object');
    expect(translate({ messages, response_format: { type: 'text' } })).not.toHaveProperty('system');
  });

  it.each([
    [{ n: 2 }, 'n'],
    [{ logprobs: true }, 'logprobs'],
    [{ logprobs: true, top_logprobs: 3 }, 'logprobs'],
    [{ logit_bias: { '50256': -100 } }, 'logit_bias'],
    [{ modalities: ['text', 'audio'] }, 'modalities'],
    [{ audio: { voice: 'alloy', format: 'mp3' } }, 'audio'],
  ] as const)('rejects %j as unsupported, naming %s', (fields, param) => {
    const err = appErrorOf(() => translate({ messages, ...(fields as Partial<ChatCompletionCreateParams>) }));
    expect(err.code).toBe('unsupported');
    expect(err.param).toBe(param);
  });

  it('accepts n = 1', () => {
    expect(() => translate({ messages, n: 1 })).not.toThrow();
  });
});
