import type { RuleSettings } from '../../config/index.ts';
import type { ModelOutput } from '../../core/index.ts';
import type { CallView, FailureDraft } from '../types.ts';
import type { OutputView } from './output-view.ts';

export type RuleOf<T extends RuleSettings['type']> = Extract<RuleSettings, { type: T }>;

/** What a declared rule is shown of a call. */
export interface RuleInput {
  call: CallView;
  output: ModelOutput;
  view: OutputView;
}

/** A declared rule made ready to run: regexes built, schemas compiled, modules loaded. */
export interface CompiledRule {
  id: string;
  /** Rules on the output's text are not applied to an output without text (tool calls only; empty and refusals are built-in failures). */
  needsText: boolean;
  check(input: RuleInput): FailureDraft | null | Promise<FailureDraft | null>;
}

/** A failure of a declared rule: kind `rule`, the rule's id. */
export function ruleFailure(id: string, message: string, evidence: Record<string, unknown>): FailureDraft {
  return { kind: 'rule', ruleId: id, message, evidence };
}
