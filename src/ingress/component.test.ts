import { describe, expect, it } from 'vitest';
import { createComponentResolver, promptTemplate } from './component.ts';

const sys = (content: string) => ({ messages: [{ role: 'system', content }, { role: 'user', content: 'hi' }] });

describe('component fingerprint', () => {
  const resolve = createComponentResolver();

  it('maps the same template with other names, numbers, ids and dates to one component', () => {
    const a = resolve(undefined, sys('You are the support agent for Alice Johnson (account 48213). Today is 2026-11-28. Ticket 7f3e2a10-1111-4aaa-8bbb-1234567890ab.'));
    const b = resolve(undefined, sys('You are the support agent for Bob (account 7). Today is 2025-01-02. Ticket 00000000-2222-4ccc-8ddd-abcdefabcdef.'));
    expect(a).toMatch(/^auto:[0-9a-f]{12}$/);
    expect(b).toBe(a);
  });

  it('keeps different templates apart', () => {
    expect(resolve(undefined, sys('Classify the intent as billing, technical or account.'))).not.toBe(resolve(undefined, sys('Summarise the ticket in two sentences.')));
  });

  it('reads Anthropic `system` and Responses `instructions` too', () => {
    expect(resolve(undefined, { system: 'Classify the intent.', messages: [] })).toBe(resolve(undefined, sys('Classify the intent.')));
    expect(resolve(undefined, { instructions: 'Classify the intent.', input: 'x' })).toBe(resolve(undefined, sys('Classify the intent.')));
  });

  it('uses a sane header name as given, ignores an unsafe one, and falls back to default', () => {
    expect(resolve('intent-classifier', sys('anything'))).toBe('intent-classifier');
    expect(resolve('bad name with spaces', sys('Classify.'))).toBe(resolve(undefined, sys('Classify.')));
    expect(resolve(undefined, { messages: [{ role: 'user', content: 'hi' }] })).toBe('default');
  });

  it('normalises dates written out, times and e-mail addresses', () => {
    expect(promptTemplate('Meeting on March 3, 2025 at 10:30 with x@y.com')).toBe(promptTemplate('Meeting on December 24, 2026 at 9:05 with someone.else@corp.example.org'));
  });
});
