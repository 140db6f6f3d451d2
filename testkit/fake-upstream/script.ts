/** Answering a one-shot script queued with `enqueue`. */
import { delay, destroyAfterFlush, sendStream, sseData, type Exchange, type StreamEvent } from './http-io.ts';
import type { FakeScript, SseChunk } from './types.ts';

function eventOf(chunk: SseChunk): StreamEvent {
  if ('raw' in chunk) return { text: chunk.raw };
  return { text: sseData(chunk.data, chunk.event) };
}

export async function answerScript(ex: Exchange, script: FakeScript): Promise<void> {
  if (script.hang) return;
  if (script.reset) {
    ex.markSelfDestroyed();
    ex.res.socket?.destroy();
    return;
  }
  await delay(script.delayMs ?? 0);
  if (ex.res.destroyed) return;
  const status = script.status ?? 200;
  if (script.sse) {
    return sendStream(ex, script.sse.map(eventOf), {
      status,
      headers: script.headers ?? {},
      gapMs: script.chunkDelayMs,
      destroyAfter: script.destroyAfter,
    });
  }
  const text = script.body === undefined ? '' : typeof script.body === 'string' ? script.body : JSON.stringify(script.body);
  ex.res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...script.headers,
  });
  if (script.destroyAfter !== undefined) {
    ex.res.write(text.slice(0, Math.floor(text.length / 2)));
    return destroyAfterFlush(ex);
  }
  ex.res.end(text);
}
