import { describe, expect, it } from 'vitest';
import { extractSlots, inferTemplate, placeholdersOf, renderTemplate, templateText } from './template.ts';

describe('prompt templates', () => {
  const prompts = [
    'You are a support agent for Acme. The customer is Alice Smith. Today is 2026-11-02. Answer with one label.',
    'You are a support agent for Acme. The customer is Bob. Today is 2026-11-03. Answer with one label.',
    'You are a support agent for Acme. The customer is Carol de la Cruz. Today is 2026-12-24. Answer with one label.',
  ];

  it('infers fixed text and slots from observed prompts', () => {
    const t = inferTemplate(prompts);
    expect(templateText(t)).toBe('You are a support agent for Acme. The customer is {{slot1}}. Today is {{slot2}}. Answer with one label.');
    expect(t.slots).toEqual(['slot1', 'slot2']);
  });

  it('extracts the slot values of a prompt that fits, and refuses one that does not', () => {
    const t = inferTemplate(prompts);
    expect(extractSlots(t, 'You are a support agent for Acme. The customer is Dan Brown. Today is 2027-01-01. Answer with one label.')).toEqual({ slot1: 'Dan Brown', slot2: '2027-01-01' });
    expect(extractSlots(t, 'You are a pirate. Say arr.')).toBeNull();
  });

  it('carries slot values into another version of the text', () => {
    const values = { slot1: 'Eve', slot2: '2027-02-02' };
    const next = 'Support agent for Acme. Customer: {{slot1}}. Date: {{ slot2 }}. Reply with exactly one of: billing, technical, account.';
    expect(placeholdersOf(next)).toEqual(['slot1', 'slot2']);
    expect(renderTemplate(next, values)).toBe('Support agent for Acme. Customer: Eve. Date: 2027-02-02. Reply with exactly one of: billing, technical, account.');
  });

  it('has no slots when every prompt is the same, and a trailing slot when prompts only add text at the end', () => {
    expect(inferTemplate(['Be brief.', 'Be brief.']).slots).toEqual([]);
    const t = inferTemplate(['Context: alpha beta', 'Context: gamma']);
    expect(templateText(t)).toBe('Context: {{slot1}}');
    expect(extractSlots(t, 'Context: delta epsilon')).toEqual({ slot1: 'delta epsilon' });
  });
});
