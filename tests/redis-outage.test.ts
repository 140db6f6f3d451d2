import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { clientFor, startHarness, type Harness } from './support/gateway.ts';
import { completionBody } from './support/completions.ts';
import { eventually } from './support/eventually.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

/** Cutting Redis needs Redis behind a socket: this runs where REDIS_URL is set (CI). */
const redisUrl = process.env['REDIS_URL'];

describe.skipIf(!redisUrl)('Redis outage', () => {
  let proxy: TcpProxy;
  let h: Harness;
  let client: OpenAI;

  beforeAll(async () => {
    const direct = new URL(redisUrl!);
    proxy = await startTcpProxy(direct.hostname, Number(direct.port || 6379));
    const viaProxy = new URL(direct);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const yaml = 'components:\n  intent:\n    rules:\n      - { id: label, type: labels, labels: [billing, technical] }\n';
    h = await startHarness({ REDIS_URL: viaProxy.toString(), FIXPOINT_DETECT_SWEEP_MS: '300' }, { yaml, worker: true });
    client = clientFor(h);
  });
  afterAll(async () => {
    await proxy?.restore();
    await h?.close();
    await proxy?.close();
  });

  it('delays detection but loses none of it: calls recorded while Redis is down are checked once it returns', async () => {
    await proxy.cut();
    const ids: string[] = [];
    for (const label of ['billing', 'BILLING_ISSUE', 'technical', 'a whole sentence here']) {
      h.fake.enqueue({ path: '/v1/chat/completions', body: completionBody(label) });
      const { response } = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'classify' }] }, { headers: { 'x-fixpoint-component': 'intent' } })
        .withResponse();
      ids.push(response.headers.get('x-fixpoint-call-id')!);
    }
    await h.gateway.deps.recorder.flush();
    await h.gateway.deps.storedCalls.flush();
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/fixpoint_detect_enqueue_failures_total [1-9]/);
    await proxy.restore();
    const failed = await eventually(async () => {
      const evaluated = await Promise.all(ids.map(async (id) => (await (await h.admin(`/api/calls/${id}`)).json()) as { evaluation: unknown; failures: { rule_id: string }[] }));
      for (const d of evaluated) expect(d.evaluation).not.toBeNull();
      return evaluated.map((d) => d.failures.map((f) => f.rule_id));
    }, 45_000);
    expect(failed).toEqual([[], ['label'], [], ['label']]);
  }, 60_000);
});
