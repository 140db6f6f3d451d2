import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clip, isRecord } from '../../core/index.ts';
import type { CallView } from '../types.ts';
import { evidenceText, preview } from './json-text.ts';
import type { OutputView } from './output-view.ts';
import { ruleFailure, type CompiledRule, type RuleOf } from './rule-types.ts';

/** One thing a custom rule found wrong. */
export interface CustomFinding {
  message: string;
  evidence?: Record<string, unknown>;
}
/** null, undefined or [] is a pass. */
export type CustomResult = null | undefined | CustomFinding | CustomFinding[];
/** What a custom rule module exports, as `default` or `check`. */
export type CustomCheck = (input: { call: CallView; output: OutputView; options: Record<string, unknown> }) => Promise<CustomResult> | CustomResult;

/** A custom rule that has not answered by then is a rule error, so one stuck module cannot stall detection. */
export const CUSTOM_RULE_TIMEOUT_MS = 10_000;

function checkFunctionOf(mod: unknown): CustomCheck | null {
  if (!isRecord(mod)) return null;
  const def = mod['default'];
  const candidates = [def, mod['check'], isRecord(def) ? def['check'] : undefined];
  const fn = candidates.find((c) => typeof c === 'function');
  return (fn as CustomCheck | undefined) ?? null; // a user module: its signature is its author's promise
}

/** Imports the rule's module (relative to baseDir, or absolute); rejects naming the rule and the path. */
async function loadCheck(rule: RuleOf<'custom'>, baseDir: string): Promise<{ fn: CustomCheck; file: string }> {
  const file = path.isAbsolute(rule.module) ? rule.module : path.resolve(baseDir, rule.module);
  let mod: unknown;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new Error(`rule ${rule.id}: cannot load custom rule module ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const fn = checkFunctionOf(mod);
  if (!fn) throw new Error(`rule ${rule.id}: custom rule module ${file} exports no check function (default or check)`);
  return { fn, file };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const isFinding = (v: unknown): v is CustomFinding => isRecord(v) && typeof v['message'] === 'string' && (v['evidence'] === undefined || isRecord(v['evidence']));

/** The findings in a custom rule's answer, or null when the answer is not of the documented shape. */
function findingsOf(result: unknown): CustomFinding[] | null {
  if (result === null || result === undefined) return [];
  const list = Array.isArray(result) ? result : [result];
  return list.every(isFinding) ? list : null;
}

/**
 * A user module that judges an output. Its findings become one failure of kind `rule` (several are
 * listed under `findings`). A throw, a timeout or an answer of the wrong shape rejects, naming what
 * went wrong: a rule error (compileRules reports it), not a failure of the call, and never a crash.
 */
export async function customRule(rule: RuleOf<'custom'>, baseDir: string): Promise<CompiledRule> {
  const { fn, file } = await loadCheck(rule, baseDir);
  return {
    id: rule.id,
    needsText: false,
    check: async ({ call, view }) => {
      const base = { output: evidenceText(view.text), module: file };
      let result: unknown;
      try {
        result = await withTimeout(Promise.resolve().then(() => fn({ call, output: view, options: rule.options })), CUSTOM_RULE_TIMEOUT_MS);
      } catch (err) {
        throw new Error(`custom rule ${file} threw: ${clip(err instanceof Error ? err.message : String(err), 500)}`);
      }
      const findings = findingsOf(result);
      if (findings === null) throw new Error(`custom rule ${file} returned an invalid result (expected null, { message, evidence? } or a list of them): ${preview(result, 200)}`);
      const [first] = findings;
      if (!first) return null;
      const more = findings.length > 1 ? ` (and ${findings.length - 1} more)` : '';
      const evidence = { ...base, ...first.evidence, ...(findings.length > 1 ? { findings } : {}) };
      return ruleFailure(rule.id, clip(first.message, 1000) + more, evidence);
    },
  };
}
