import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { CallCapture } from '../../core/call-capture.ts';
import { createMetrics } from '../../telemetry/index.ts';
import { CallContext } from './call-context.ts';

function contextWithSink(): { ctx: CallContext; captured: CallCapture[] } {
  const captured: CallCapture[] = [];
  const ctx = new CallContext('id-1', 'chat.completions', { capture: (c) => captured.push(c) }, createMetrics(new Registry(), { defaultMetrics: false }));
  return { ctx, captured };
}

describe('CallContext request bytes', () => {
  it('hands the received bytes over with the request parsed from them', () => {
    const { ctx, captured } = contextWithSink();
    const bytes = Buffer.from('{"model":"m","messages":[]}');
    const body = JSON.parse(bytes.toString()) as object;
    ctx.receivedRequest(body, bytes);
    ctx.finish('success');
    expect(captured[0]?.request).toBe(body);
    expect(captured[0]?.requestBytes).toBe(bytes);
  });

  it('drops them once the recorded request is another one (a prompt version swapped in)', () => {
    const { ctx, captured } = contextWithSink();
    ctx.receivedRequest({ model: 'm', messages: [] }, Buffer.from('{"model":"m","messages":[]}'));
    const swapped = { model: 'm', messages: [{ role: 'system', content: 'new prompt' }] };
    ctx.request = swapped;
    ctx.finish('success');
    expect(captured[0]?.request).toBe(swapped);
    expect(captured[0]?.requestBytes).toBeNull();
  });
});
