import { describe, expect, it } from 'vitest';
import { forEachSseEvent, parseSseEvent, type SseEvent } from './sse.ts';

/** The events as the format defines them: blocks split at blank lines, each parsed on its own. */
function reference(text: string): SseEvent[] {
  return text.split(/\r?\n\r?\n/).flatMap((block) => parseSseEvent(block) ?? []);
}

function events(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  forEachSseEvent(text, (data, event) => out.push({ event, data }));
  return out;
}

describe('forEachSseEvent', () => {
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
  it('splits the events as the format does, with and without the one-line fast path', () => {
    for (const text of texts) expect(events(text), JSON.stringify(text)).toEqual(reference(text));
  });
});
