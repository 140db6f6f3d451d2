import { describe, expect, it } from 'vitest';
import { assembleChatStream } from './assemble-stream.ts';
import { ContentChunkReader } from './chat-chunk.ts';
import { readResponse } from './read-response.ts';

const head = '"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini"';
const chunk = (choice: string, extra = '') => `{${head},"system_fingerprint":"fp_1","choices":[${choice}]${extra}}`;
/** A fresh reader has learned nothing: what it reads, the pattern alone decided. */
const contentOnlyChunk = (data: string) => new ContentChunkReader().read(data);
const content = (text: string, index = 0) => `{"index":${index},"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}`;

describe('content-only chat chunks', () => {
  it('reads the common chunk, escapes decoded, with scalar fields around the choices', () => {
    expect(contentOnlyChunk(chunk(content(' word')))).toEqual({ index: 0, content: ' word' });
    expect(contentOnlyChunk(chunk(content('a "quote"\n\\ é 😀 \u2028', 1), ',"usage":null,"obfuscation":"x1"'))).toEqual({ index: 1, content: 'a "quote"\n\\ é 😀 \u2028' });
    expect(contentOnlyChunk(chunk('{"index":0,"delta":{"content":"\\u00e9\\ud83d\\ude00"},"logprobs":null,"finish_reason":null}'))).toEqual({ index: 0, content: 'é😀' });
  });

  it('leaves everything else to the full parse', () => {
    const others = [
      chunk('{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}'),
      chunk('{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}'),
      chunk('{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"logprobs":null,"finish_reason":null}'),
      chunk('{"index":0,"delta":{"content":"x"},"logprobs":{"content":[]},"finish_reason":null}'),
      chunk(content('x'), ',"usage":{"prompt_tokens":1}'),
      chunk(content('x'), ',"choices":null'), // a later duplicate key wins in JSON.parse
      chunk(content('x')).replace('"created":1700000000', '"created":01'),
      chunk(content('x')).replace('"model":"gpt-4o-mini"', '"model":{"a":1}'),
      chunk(content('x')).replace(',"choices"', ', "choices"'),
      chunk('{"index":0,"delta":{"content":"bad \\x escape"},"logprobs":null,"finish_reason":null}'),
      chunk('{"index":0,"delta":{"content":"raw \u0001 control"},"logprobs":null,"finish_reason":null}'),
      chunk(`${content('x')},${content('y', 1)}`),
    ];
    for (const text of others) expect(contentOnlyChunk(text)).toBeNull();
  });

  it('a stream assembled through the shortcut equals the one assembled from full parses', () => {
    const events = [
      chunk('{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}'),
      chunk(content('Hel')),
      chunk(content('lo "there"\n')),
      chunk(content('second', 1)),
      chunk('{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"logprobs":null,"finish_reason":null}'),
      chunk('{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"a\\":1}"}}]},"logprobs":null,"finish_reason":null}'),
      chunk(content(' more'), ',"usage":null'),
      chunk('{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}'),
      `{${head},"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}`,
    ];
    const sse = Buffer.from(`${events.map((e) => `data: ${e}\n\n`).join('')}data: [DONE]\n\n`);
    const full = assembleChatStream(events.map((e) => JSON.parse(e) as Record<string, unknown>));
    const read = readResponse('openai.chat', true, sse);
    expect(read.body).toEqual(full);
    expect((read.body as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('Hello "there"\n more');
    expect(read.usage.totalTokens).toBe(12);
  });
});

describe('ContentChunkReader', () => {
  it('reads chunks shaped like the last one it matched by comparison, with the same result as the pattern', () => {
    const reader = new ContentChunkReader();
    const texts = [' word', 'a "quote"\n\\ é 😀 \u2028', '', '\\', '"', 'plain', '\u00e9\u4e2d'];
    for (const t of texts) expect(reader.read(chunk(content(t)))).toEqual({ index: 0, content: t });
    expect(reader.read(chunk('{"index":0,"delta":{"content":"\\u00e9\\ud83d\\ude00"},"logprobs":null,"finish_reason":null}'))).toEqual({ index: 0, content: 'é😀' });
    // another index or other fields around it: matched by the pattern again, which it then keeps
    expect(reader.read(chunk(content('second', 1)))).toEqual({ index: 1, content: 'second' });
    expect(reader.read(chunk(content('again', 1)))).toEqual({ index: 1, content: 'again' });
    expect(reader.read(chunk(content('x'), ',"usage":null,"obfuscation":"abc"'))).toEqual({ index: 0, content: 'x' });
  });

  it('takes nothing between the learned text that is not a valid JSON string body', () => {
    const reader = new ContentChunkReader();
    expect(reader.read(chunk(content('learn')))).toEqual({ index: 0, content: 'learn' });
    const around = (raw: string) => chunk(`{"index":0,"delta":{"content":"${raw}"},"logprobs":null,"finish_reason":null}`);
    for (const raw of ['a"b', 'a","x":"y', 'bad \\x escape', 'raw \u0001 control', 'ends with \\', 'a\\"},"logprobs":null,"finish_reason":null}],"choices":[{"index":9']) {
      expect(reader.read(around(raw)), raw).toBeNull();
    }
    // the chunks the full parse reads
    expect(reader.read(chunk('{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}'))).toBeNull();
    expect(reader.read(chunk(content('x'), ',"choices":null'))).toBeNull();
  });
});
