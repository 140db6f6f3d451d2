/** Titles and summaries of patterns: the plain fallback built from the rule, the shape and the top terms. */
import { clipWithin } from '../core/index.ts';

export interface DescriptionInput {
  component: string;
  kind: string;
  ruleId: string;
  /** The normalized message of a failure ("expected one of [...], got <value>"). */
  shape: string;
  failureCount: number;
  topTerms: string[];
}

export interface Description {
  title: string;
  summary: string;
  topTerms: string[];
}

const kindNames: Record<string, string> = {
  format: 'Format',
  schema: 'Schema',
  tool: 'Tool call',
  truncation: 'Truncation',
  refusal: 'Refusal',
  empty: 'Empty output',
  error: 'Upstream error',
  rule: 'Rule',
  judge: 'Judge',
  feedback: 'User feedback',
};

const maxTitle = 120;

/** A title and summary anyone can read without a model: which rule broke, how, and the words that recur. */
export function fallbackDescription(p: DescriptionInput): Description {
  const kind = kindNames[p.kind] ?? p.kind;
  const rule = p.ruleId && p.ruleId !== p.kind ? ` ${p.ruleId}` : '';
  const terms = p.topTerms.slice(0, 6);
  const freeText = p.kind === 'judge' || p.kind === 'feedback';
  const title = clipWithin(freeText && terms.length > 0 ? `${kind}${rule}: ${terms.slice(0, 3).join(', ')}` : `${kind}${rule}: ${p.shape}`, maxTitle);
  const summary =
    `${p.failureCount} ${p.failureCount === 1 ? 'failure' : 'failures'} of kind ${p.kind}${rule ? ` (rule${rule})` : ''} in component ${p.component}. ` +
    `A typical one reads: ${clipWithin(p.shape, 300)}` +
    (terms.length > 0 ? ` Recurring terms: ${terms.join(', ')}.` : '');
  return { title, summary, topTerms: terms };
}
