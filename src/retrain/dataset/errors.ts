import { AppError } from '../../core/index.ts';
import type { TargetSource } from '../../db/index.ts';

/**
 * Too few trusted failure rows for a dataset: the caller moves the recommendation to `needs_examples`
 * and waits for more corrections, later passing calls or teacher answers.
 */
export class RetrainDatasetError extends AppError {
  /** How many more trusted failure rows `retrain.minExamples` asks for. */
  readonly missing: number;
  readonly built: number;
  readonly minExamples: number;
  readonly bySource: Record<TargetSource, number>;

  constructor(built: number, minExamples: number, bySource: Record<TargetSource, number>) {
    super('invalid_request', `only ${built} trusted failure examples could be built; retrain.minExamples is ${minExamples} (${minExamples - built} missing)`);
    this.name = 'RetrainDatasetError';
    this.built = built;
    this.minExamples = minExamples;
    this.missing = Math.max(0, minExamples - built);
    this.bySource = bySource;
  }
}

export const isRetrainDatasetError = (err: unknown): err is RetrainDatasetError => err instanceof RetrainDatasetError;
