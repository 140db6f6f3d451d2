import { isRecord } from '../../core/index.ts';
import { evidenceText, parseJsonText } from './json-text.ts';
import { ruleFailure, type CompiledRule, type RuleOf } from './rule-types.ts';
import { compileSchema, describeViolations, EVIDENCE_VIOLATIONS_MAX } from './schema-check.ts';

/** The output must be JSON matching the rule's schema (compiled once, here). */
export function jsonSchemaRule(rule: RuleOf<'json_schema'>): CompiledRule {
  const compiled = compileSchema(rule.schema);
  if (!compiled.ok) throw new Error(`rule ${rule.id}: not a valid JSON Schema: ${compiled.error}`);
  return {
    id: rule.id,
    needsText: true,
    check: ({ output }) => {
      const text = output.text ?? '';
      const parsed = parseJsonText(text);
      if (!parsed.ok) {
        return ruleFailure(rule.id, `output is not valid JSON (${parsed.problem})`, { output: evidenceText(text), parseError: parsed.parseError, problem: parsed.problem, schema: rule.schema });
      }
      const violations = compiled.validate(parsed.value);
      if (violations.length === 0) return null;
      return ruleFailure(rule.id, `output does not match the schema: ${describeViolations(violations)}`, {
        output: evidenceText(text),
        violations: violations.slice(0, EVIDENCE_VIOLATIONS_MAX),
        violationCount: violations.length,
        schema: rule.schema,
      });
    },
  };
}

/** Whether a dot path (`a.b`, `items.0.id`) is present in a JSON value (a key holding null is present). */
export function hasPath(value: unknown, dotPath: string): boolean {
  let cur = value;
  for (const seg of dotPath.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(seg) && Number(seg) < cur.length) cur = cur[Number(seg)];
    else if (isRecord(cur) && Object.hasOwn(cur, seg)) cur = cur[seg];
    else return false;
  }
  return true;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A heading-like line: `Summary:`, `Summary: text`, `## Summary`, `**Summary**`, `**Summary:**`, `Summary` alone. */
export function sectionPattern(section: string): RegExp {
  const mark = '(?:\\*\\*|__|\\*|_)?';
  return new RegExp(`^[ \\t]*(?:#{1,6}[ \\t]*)?${mark}[ \\t]*${escapeRegExp(section.trim())}[ \\t]*${mark}[ \\t]*(?::.*)?$`, 'im');
}

/**
 * Required keys (JSON output, dot paths) and sections (text output, heading-like lines). One failure
 * per call naming everything missing: `missing required keys: [a, b]; missing required sections: [Summary]`.
 */
export function requiredRule(rule: RuleOf<'required'>): CompiledRule {
  const sections = rule.sections.map((s) => ({ name: s, pattern: sectionPattern(s) }));
  return {
    id: rule.id,
    needsText: true,
    check: ({ output }) => {
      const text = output.text ?? '';
      const evidence: Record<string, unknown> = { output: evidenceText(text) };
      const parts: string[] = [];
      if (rule.keys.length > 0) {
        evidence['keys'] = rule.keys;
        const parsed = parseJsonText(text);
        if (!parsed.ok) {
          parts.push(`output is not valid JSON (${parsed.problem}), so required keys [${rule.keys.join(', ')}] are missing`);
          Object.assign(evidence, { missingKeys: rule.keys, parseError: parsed.parseError, problem: parsed.problem });
        } else {
          const missing = rule.keys.filter((k) => !hasPath(parsed.value, k));
          if (missing.length) parts.push(`missing required keys: [${missing.join(', ')}]`);
          evidence['missingKeys'] = missing;
        }
      }
      if (sections.length > 0) {
        const missing = sections.filter((s) => !s.pattern.test(text)).map((s) => s.name);
        if (missing.length) parts.push(`missing required sections: [${missing.join(', ')}]`);
        Object.assign(evidence, { sections: rule.sections, missingSections: missing });
      }
      return parts.length ? ruleFailure(rule.id, parts.join('; '), evidence) : null;
    },
  };
}
