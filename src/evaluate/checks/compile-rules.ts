import type { RuleSettings } from '../../config/index.ts';
import { clip, noOutput } from '../../core/index.ts';
import type { CallView, FailureDraft } from '../types.ts';
import { customRule } from './custom-rule.ts';
import { readOutput, viewOf } from './output-view.ts';
import type { CompiledRule, RuleInput } from './rule-types.ts';
import { jsonSchemaRule, requiredRule } from './structure-rules.ts';
import { labelsRule, lengthRule, regexRule } from './text-rules.ts';

/**
 * A rule that could not judge a call: its module did not load, it threw, timed out or answered
 * something other than findings. A fault of the rule, not of the model's output: it is reported
 * (logged and counted by the caller), never stored as a failure of the call.
 */
export interface RuleError {
  ruleId: string;
  /** `load`: the rule could not be built; `check`: it failed on this call. */
  stage: 'load' | 'check';
  message: string;
}

/** Declared rules compiled once (Ajv schemas compiled, regexes built, custom modules imported). */
export interface CompiledRules {
  /** Never rejects: a rule that fails is left out of the answer and told to `onError`; the other rules still run. */
  check(call: CallView, onError?: (err: RuleError) => void): Promise<FailureDraft[]>;
}

/** Builds one rule; rejects with a message starting `rule <id>:`. */
export async function compileRule(rule: RuleSettings, baseDir: string): Promise<CompiledRule> {
  try {
    switch (rule.type) {
      case 'labels':
        return labelsRule(rule);
      case 'json_schema':
        return jsonSchemaRule(rule);
      case 'regex':
        return regexRule(rule);
      case 'length':
        return lengthRule(rule);
      case 'required':
        return requiredRule(rule);
      case 'custom':
        return await customRule(rule, baseDir);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(message.startsWith(`rule ${rule.id}:`) ? message : `rule ${rule.id}: ${message}`);
  }
}

const messageOf = (err: unknown): string => clip(err instanceof Error ? err.message : String(err), 500);

function checkAll(compiled: readonly CompiledRule[], unloaded: readonly RuleError[]): CompiledRules {
  return {
    async check(call, onError) {
      if (call.status !== 'success' || (compiled.length === 0 && unloaded.length === 0)) return [];
      for (const e of unloaded) onError?.(e);
      const output = readOutput(call);
      const view = viewOf(output);
      const hasText = (output?.text ?? '').trim() !== '';
      const input: RuleInput = { call, output: output ?? noOutput, view };
      const found: FailureDraft[] = [];
      for (const rule of compiled) {
        if (rule.needsText && (!output || !hasText)) continue;
        try {
          const f = await rule.check(input);
          if (f) found.push(f);
        } catch (err) {
          onError?.({ ruleId: rule.id, stage: 'check', message: messageOf(err) });
        }
      }
      return found;
    },
  };
}

/**
 * Compiles a component's declared rules; rejects (naming the rule) when one cannot be built — an
 * invalid schema or pattern, a custom module that does not load. What serve and worker check at start.
 * Rules apply to successful calls only; rules on text skip outputs without text.
 */
export async function compileRules(rules: RuleSettings[], opts: { baseDir: string }): Promise<CompiledRules> {
  return checkAll(await Promise.all(rules.map((r) => compileRule(r, opts.baseDir))), []);
}

/**
 * The same, but never rejects: a rule that cannot be built is left out, and reported as a `load`
 * error on each call it would have judged, so one bad rule never keeps the others from running.
 */
export async function compileRulesIsolated(rules: RuleSettings[], opts: { baseDir: string }): Promise<CompiledRules> {
  const settled = await Promise.allSettled(rules.map((r) => compileRule(r, opts.baseDir)));
  const compiled: CompiledRule[] = [];
  const unloaded: RuleError[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') compiled.push(s.value);
    else unloaded.push({ ruleId: rules[i]?.id ?? String(i), stage: 'load', message: messageOf(s.reason) });
  });
  return checkAll(compiled, unloaded);
}
