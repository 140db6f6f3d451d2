import type { RuleSettings } from '../../config/index.ts';
import { clip, noOutput } from '../../core/index.ts';
import type { CallView, FailureDraft } from '../types.ts';
import { customRule } from './custom-rule.ts';
import { readOutput, viewOf } from './output-view.ts';
import { ruleFailure, type CompiledRule, type RuleInput } from './rule-types.ts';
import { jsonSchemaRule, requiredRule } from './structure-rules.ts';
import { labelsRule, lengthRule, regexRule } from './text-rules.ts';

/** Declared rules compiled once (Ajv schemas compiled, regexes built, custom modules imported). */
export interface CompiledRules {
  check(call: CallView): Promise<FailureDraft[]>;
}

async function compileRule(rule: RuleSettings, baseDir: string): Promise<CompiledRule> {
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

async function runRule(rule: CompiledRule, input: RuleInput): Promise<FailureDraft | null> {
  try {
    return await rule.check(input);
  } catch (err) {
    // custom rules catch their own throws; this is a built-in rule meeting an output it did not foresee
    return ruleFailure(rule.id, `rule could not be evaluated: ${clip(err instanceof Error ? err.message : String(err), 300)}`, { output: input.view.text });
  }
}

/**
 * Compiles a component's declared rules; rejects (naming the rule) when one cannot be built —
 * an invalid schema or pattern, a custom module that does not load. The returned `check` never
 * rejects. Rules apply to successful calls only; rules on text skip outputs without text.
 */
export async function compileRules(rules: RuleSettings[], opts: { baseDir: string }): Promise<CompiledRules> {
  const compiled = await Promise.all(rules.map((r) => compileRule(r, opts.baseDir)));
  return {
    async check(call) {
      if (call.status !== 'success' || compiled.length === 0) return [];
      const output = readOutput(call);
      const view = viewOf(output);
      const hasText = (output?.text ?? '').trim() !== '';
      const found: FailureDraft[] = [];
      for (const rule of compiled) {
        if (rule.needsText && (!output || !hasText)) continue;
        const f = await runRule(rule, { call, output: output ?? noOutput, view });
        if (f) found.push(f);
      }
      return found;
    },
  };
}
