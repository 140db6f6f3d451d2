import type { Diagnosis, Remedy } from '../db/index.ts';

export { remedies, type Remedy } from '../db/index.ts';

export interface RemedyInput {
  diagnosis: Diagnosis | null;
  confidence: number;
  /** emerging | systematic | resolved | regressed */
  status: string;
  /** Knowledge diagnoses at or above this confidence go straight to fine-tuning. */
  fineTuneConfidence: number;
}

/**
 * The cheapest remedy that can work. Only systematic (or regressed) patterns get one; random and
 * resolved ones are watched. Behavioral → prompt re-optimization. Knowledge → fine-tuning when the
 * diagnosis is confident, else the prompt first and fine-tuning if it cannot fix it. Unknown → the
 * same two in sequence (the prompt is cheap to try). Operational → watch.
 */
export function remedyFor(p: RemedyInput): Remedy {
  if (p.status !== 'systematic' && p.status !== 'regressed') return 'watch';
  switch (p.diagnosis) {
    case 'behavioral':
      return 'prompt';
    case 'knowledge':
      return p.confidence >= p.fineTuneConfidence ? 'finetune' : 'prompt_then_finetune';
    case 'unknown':
    case null:
      return 'prompt_then_finetune';
    case 'operational':
      return 'watch';
  }
}
