import { describe, expect, it } from 'vitest';
import type { CallCapture } from '../core/call-capture.ts';
import { CapturePacker, unpackCaptures } from './capture-wire.ts';

function capture(over: Partial<CallCapture> = {}): CallCapture {
  return {
    id: 'call-1', route: 'chat.completions', startedAt: 1_700_000_000_000, endedAt: 1_700_000_000_012, latencyMs: 12.5,
    upstreamLatencyMs: 11.25, ttftMs: null, component: 'intent', provider: 'openai', requestedModel: 'fast', servedModel: 'gpt-4o-mini',
    status: 'success', httpStatus: 200, stream: false, request: null, requestBytes: null,
    response: { shape: 'openai.chat', stream: false, body: null }, error: null, sessionId: 's-1', userId: null,
    properties: { team: 'billing' }, clientKeyHash: 'kh', promptVersionId: null,
    attempts: [
      { provider: 'openai', model: 'gpt-4o-mini', outcome: 'retryable_status', http_status: 503, latency_ms: 3, retry_after_ms: 1000 },
      { provider: 'openai', model: 'gpt-4o-mini', outcome: 'success', http_status: 200, latency_ms: 8 },
    ],
    ...over,
  };
}

/** Through the packer and back, as across the thread boundary (the arena is detached on the sending side by the transfer). */
function roundTrip(captures: CallCapture[]): CallCapture[] {
  const p = new CapturePacker();
  for (const c of captures) p.add(c);
  const packed = p.take();
  return unpackCaptures(structuredClone(packed, { transfer: [packed.bytes] }));
}

describe('capture hand-over packing', () => {
  it('carries every field, the request as its bytes (parsed on arrival) and a pooled response view as its own bytes', () => {
    const reqText = '{"model":"fast","messages":[{"role":"user","content":"héllo \\u2028"}]}';
    const pool = Buffer.from(`xxxx{"id":"r1","choices":[]}yyyy`);
    const body = pool.subarray(4, pool.length - 4);
    const c = capture({ request: JSON.parse(reqText), requestBytes: Buffer.from(reqText), response: { shape: 'openai.chat', stream: false, body } });
    const [out] = roundTrip([c]);
    expect(out).toEqual({ ...c, requestBytes: null, requestText: reqText, response: { ...c.response, body: Buffer.from('{"id":"r1","choices":[]}') } });
    expect(Buffer.isBuffer(out?.response.body)).toBe(true);
  });

  it('carries objects where there are no bytes: a swapped request, a translated response, and none at all', () => {
    const swapped = { model: 'm', messages: [{ role: 'system', content: 'new' }] };
    const translated = [{ type: 'message_start' }, { type: 'message_stop' }];
    const [a, b] = roundTrip([
      capture({ id: 'a', request: swapped, promptVersionId: 'v-2', response: { shape: 'anthropic.messages', stream: true, body: translated } }),
      capture({ id: 'b', request: null, status: 'rejected', httpStatus: 400, error: 'bad\nline', response: { shape: 'none', stream: false, body: null } }),
    ]);
    expect(a?.request).toEqual(swapped);
    expect(a?.requestText).toBeNull(); // no text it was parsed from: the record writes the object
    expect(a?.promptVersionId).toBe('v-2');
    expect(a?.response).toEqual({ shape: 'anthropic.messages', stream: true, body: translated });
    expect(b?.error).toBe('bad\nline');
    expect(b?.response.body).toBeNull();
  });

  it('grows its buffer for large bodies and keeps each capture apart', () => {
    const big = Buffer.alloc(300_000, 'a');
    const list = Array.from({ length: 5 }, (_, i) => capture({ id: `c${i}`, response: { shape: 'openai.chat', stream: false, body: Buffer.concat([Buffer.from(String(i)), big]) } }));
    const out = roundTrip(list);
    expect(out.map((c) => c.id)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    out.forEach((c, i) => expect((c.response.body as Buffer).equals(list[i]?.response.body as Buffer)).toBe(true));
  });

  it('finds a waiting capture by id, and starts empty after a take', () => {
    const p = new CapturePacker();
    p.add(capture({ id: 'x', component: 'c-x', clientKeyHash: 'kx' }));
    p.add(capture({ id: 'y' }));
    expect(p.find('x')).toEqual({ component: 'c-x', startedAt: new Date(1_700_000_000_000), clientKeyHash: 'kx' });
    expect(p.find('z')).toBeNull();
    expect(p.count).toBe(2);
    p.take();
    expect(p.count).toBe(0);
    expect(p.find('x')).toBeNull();
    expect(unpackCaptures(p.take())).toEqual([]);
  });
});

describe('capture hand-over, defensive', () => {
  it('records a request whose bytes do not parse as what they are, rather than losing the batch', () => {
    const [bad, good] = roundTrip([capture({ id: 'bad', requestBytes: Buffer.from('{"model":') }), capture({ id: 'good', requestBytes: Buffer.from('{"model":"m"}') })]);
    expect(bad?.request).toEqual({ unparsed: '{"model":' });
    expect(good?.request).toEqual({ model: 'm' });
  });
});
