import { describe, expect, it } from 'vitest';
import { parseSseText, type SseEvent } from './sse.ts';

/** The events as the SSE format defines them: blocks split at blank lines, then parsed line by line. */
function reference(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | null = null;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (event !== null || data.length > 0) out.push({ event, data: data.join('\n') });
  }
  return out;
}

describe('parseSseText', () => {
  const texts = [
    'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n',
    'event: message_start\ndata: {"type":"message_start"}\n\nevent: ping\ndata: {}\n\n',
    'data: one\ndata: two\n\n: a comment\n\ndata:no space\n\n',
    'data: a\n\n\n\ndata: b\n\n\ndata: c', // extra blank lines, an unterminated last event
    'data: a\r\n\r\ndata: b\r\n\r\n',
    'data: lone \r carriage return\n\ndata: x\n\n',
    'data: \n\ndata:\n\n',
    '',
    '\n\n',
    'retry: 1000\n\nid: 7\ndata: x\n\n',
  ];
  it('finds the same events as the format defines, with and without the one-line fast path', () => {
    for (const text of texts) expect(parseSseText(text), JSON.stringify(text)).toEqual(reference(text));
  });
});
