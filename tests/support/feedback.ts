import { expect } from 'vitest';
import { eventually } from './eventually.ts';
import { CLIENT_KEY, type Harness } from './gateway.ts';

/** POSTs /v1/feedback with the agent's own key until it is accepted (201): the call may still be in the write buffer. */
export async function sendFeedback(h: Harness, body: { call_id: string; rating: 'up' | 'down'; comment?: string; correction?: unknown }): Promise<void> {
  await eventually(async () => {
    const res = await fetch(`${h.gateway.url}/v1/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
  });
}
