import { describe, expect, it } from 'vitest';
import { createVectorizer, stem, tokenize } from './text-vector.ts';

describe('local text vectors', () => {
  it('tokenize drops stopwords and numbers and stems plurals', () => {
    expect(tokenize('The answers were 3 paragraphs too long')).toEqual(['answer', 'paragraph', 'long']);
    expect(stem('apologies')).toBe('apology');
  });

  it('rate paraphrases closer than unrelated texts', () => {
    const v = createVectorizer();
    const texts = [
      'The answer is far too long: nine paragraphs when the customer asked for a short reply.',
      'Way too lengthy and verbose; a short answer of two sentences would have done.',
      'The bot invented a battery life of 12 hours for the Zentrix Aero.',
      'Wrong total on the invoice, the calculation of tax and discount has an arithmetic error.',
    ];
    for (const t of texts) v.observe(t);
    const [a, b, c, d] = texts.map((t) => v.vector(t));
    if (!a || !b || !c || !d) throw new Error('vectors missing');
    expect(v.similarity(a, a)).toBeCloseTo(1, 6);
    expect(v.similarity(a, b)).toBeGreaterThan(v.similarity(a, c));
    expect(v.similarity(a, b)).toBeGreaterThan(v.similarity(a, d));
    expect(v.topTerms(texts[2] ?? '', 3).length).toBe(3);
  });
});
