import { describe, expect, it } from 'vitest';
import { dehydratePrompts, dehydratePromptsInText, hydratePrompts } from './prompt-refs.ts';

const system = 'You are a support agent. Answer in "one" line — café rules.';

/** What the text form stores, read back: the same as the object form, and hydrating to the request. */
function roundTrip(text: string): { stored: string | null; object: unknown } {
  const request = JSON.parse(text) as unknown;
  const { body, prompts } = dehydratePrompts(request);
  const stored = dehydratePromptsInText(text, prompts);
  if (stored !== null) {
    expect(JSON.parse(stored)).toEqual(body);
    expect(hydratePrompts(JSON.parse(stored), new Map(prompts.map((p) => [p.hash, p.content])))).toEqual(request);
  }
  return { stored, object: body };
}

describe('dehydrating prompts in the request text', () => {
  it('replaces the system prompt in place and leaves the rest of the text as the client wrote it', () => {
    const text = JSON.stringify({ model: 'm', messages: [{ role: 'system', content: system }, { role: 'user', content: 'hi' }], temperature: 0.2 });
    const { stored } = roundTrip(text);
    expect(stored).not.toContain('support agent');
    expect(stored).toMatch(/^\{"model":"m","messages":\[\{"role":"system","content":\{"\$prompt":"[0-9a-f]{64}"\}\},\{"role":"user","content":"hi"\}\],"temperature":0.2\}$/);
  });

  it("keeps a Python client's spacing, and the prompt written twice is replaced twice", () => {
    const text = `{"model": "m", "messages": [{"role": "system", "content": ${JSON.stringify(system)}}, {"role": "user", "content": "hi"}, {"role": "developer", "content": ${JSON.stringify(system)}}]}`;
    const { stored } = roundTrip(text);
    expect(stored?.match(/"\$prompt"/g)).toHaveLength(2);
    expect(stored).toContain('{"role": "user", "content": "hi"}');
  });

  it('handles Anthropic system and Responses instructions', () => {
    expect(roundTrip(JSON.stringify({ model: 'claude', system, messages: [{ role: 'user', content: 'hi' }] })).stored).toContain('"system":{"$prompt"');
    expect(roundTrip(JSON.stringify({ model: 'gpt', instructions: system, input: 'hi' })).stored).toContain('"instructions":{"$prompt"');
  });

  it('gives up (null) where the text cannot be trusted to hold the prompt exactly where it is', () => {
    const escaped = JSON.stringify({ messages: [{ role: 'system', content: system }] }).replace('é', '\\u00e9');
    expect(roundTrip(escaped).stored).toBeNull(); // the client escaped it otherwise
    const alsoUser = JSON.stringify({ messages: [{ role: 'system', content: system }, { role: 'user', content: system }] });
    expect(roundTrip(alsoUser).stored).toBeNull(); // the same text is a user's message too
    const asKey = JSON.stringify({ messages: [{ role: 'system', content: system }], metadata: { [system]: 1 } });
    expect(roundTrip(asKey).stored).toBeNull(); // and a key
    // The prompt escaped otherwise, and its plain spelling found only inside a user's message: not a value of its own.
    const quoted = JSON.stringify({ messages: [{ role: 'system', content: system }, { role: 'user', content: `He said "${system}` }] }).replace('é', '\\u00e9');
    expect(quoted.split(JSON.stringify(system)).length).toBe(2);
    expect(roundTrip(quoted).stored).toBeNull();
  });

  it('leaves a request without a system prompt as it is', () => {
    const text = '{"model": "m", "messages": [{"role": "user", "content": "hi"}]}';
    expect(roundTrip(text).stored).toBe(text);
  });
});
