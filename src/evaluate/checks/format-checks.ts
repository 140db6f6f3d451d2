import type { ModelOutput } from '../../core/index.ts';
import type { CallView, FailureDraft } from '../types.ts';
import { evidenceText, parseJsonText } from './json-text.ts';
import { requestedFormat } from './request-view.ts';
import { cachedSchema, describeViolations, EVIDENCE_VIOLATIONS_MAX } from './schema-check.ts';

/** A client-given schema name made safe for a rule id (letters, digits, _ . -; at most 56 characters). */
export function schemaRuleName(name: string | null): string {
  const safe = (name ?? '').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 56);
  return safe || 'response';
}

/**
 * JSON asked for (response_format / text.format / output_config.format) but the text does not parse,
 * or parses but does not match the requested json_schema. Text that a strict client would reject —
 * JSON inside a markdown fence included — is a format failure; the message says which cause.
 * Not applied to outputs already failed for another reason (truncated, refused, filtered, empty).
 */
export function formatChecks(call: CallView, out: ModelOutput): FailureDraft[] {
  const format = requestedFormat(call);
  if (!format || out.truncated || out.contentFilter || out.refusal !== null || out.refusalStop) return [];
  const text = out.text;
  if (text === null || text.trim() === '') return [];
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    return [
      {
        kind: 'format',
        ruleId: 'format:json',
        message: `output is not valid JSON (${parsed.problem}), but ${format.source} was requested`,
        evidence: { output: evidenceText(text), parseError: parsed.parseError, problem: parsed.problem, requested: format.source },
      },
    ];
  }
  if (format.type !== 'json_schema') return [];
  const compiled = cachedSchema(format.schema);
  if (!compiled.ok) return [];
  const violations = compiled.validate(parsed.value);
  if (violations.length === 0) return [];
  const name = schemaRuleName(format.name);
  return [
    {
      kind: 'schema',
      ruleId: `schema:${name}`,
      message: `output does not match the requested schema '${name}': ${describeViolations(violations)}`,
      evidence: {
        output: evidenceText(text),
        schemaName: format.name,
        requested: format.source,
        violations: violations.slice(0, EVIDENCE_VIOLATIONS_MAX),
        violationCount: violations.length,
      },
    },
  ];
}
