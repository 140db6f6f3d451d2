import { clip, type ModelOutput, type ToolCallRecord } from '../../core/index.ts';
import type { CallView, FailureDraft } from '../types.ts';
import { parseJsonText } from './json-text.ts';
import { offeredTools, type OfferedTools } from './request-view.ts';
import { cachedSchema, describeViolations, EVIDENCE_VIOLATIONS_MAX } from './schema-check.ts';

type ToolRuleId = 'tool:unknown' | 'tool:arguments-json' | 'tool:arguments-schema';

/** One offending tool call: the message for it alone, and what a person needs to see. */
interface ToolFinding {
  ruleId: ToolRuleId;
  message: string;
  evidence: Record<string, unknown>;
}

const ARGUMENTS_MAX = 4000;

function findingFor(call: ToolCallRecord, offered: OfferedTools, truncated: boolean): ToolFinding | null {
  const base = { tool: call.name, id: call.id, arguments: clip(call.arguments, ARGUMENTS_MAX) };
  const tool = offered.byName.get(call.name);
  if (!tool) {
    if (!offered.known) return null;
    const names = [...offered.byName.keys()];
    return { ruleId: 'tool:unknown', message: `call to a tool that was not offered: "${clip(call.name, 100)}" (offered: [${names.join(', ')}])`, evidence: { ...base, offered: names } };
  }
  // a cut-off output's arguments are incomplete because of the cut (reported as truncation)
  if (tool.freeform || call.input.kind === 'text' || truncated) return null;
  let value: unknown;
  if (call.input.kind === 'object') value = call.input.value;
  else {
    const parsed = parseJsonText(call.arguments);
    if (!parsed.ok) {
      return {
        ruleId: 'tool:arguments-json',
        message: `arguments of tool "${call.name}" are not valid JSON (${parsed.problem})`,
        evidence: { ...base, parseError: parsed.parseError, problem: parsed.problem },
      };
    }
    value = parsed.value;
  }
  if (tool.parameters === null) return null;
  const compiled = cachedSchema(tool.parameters);
  if (!compiled.ok) return null;
  const violations = compiled.validate(value);
  if (violations.length === 0) return null;
  return {
    ruleId: 'tool:arguments-schema',
    message: `arguments of tool "${call.name}" do not match its parameters schema: ${describeViolations(violations)}`,
    evidence: { ...base, violations: violations.slice(0, EVIDENCE_VIOLATIONS_MAX), violationCount: violations.length },
  };
}

/**
 * Tool calls to tools the request did not offer, arguments that do not parse, arguments that do
 * not match the tool's parameters schema. A call stores one failure per rule id, so several
 * offending tool calls under one rule become one failure listing them all (`calls`).
 */
export function toolChecks(call: CallView, out: ModelOutput): FailureDraft[] {
  if (out.toolCalls.length === 0) return [];
  const offered = offeredTools(call);
  const byRule = new Map<ToolRuleId, ToolFinding[]>();
  for (const tc of out.toolCalls) {
    const f = findingFor(tc, offered, out.truncated !== null);
    if (f) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  }
  return [...byRule.entries()].map(([ruleId, found]): FailureDraft => {
    const first = found[0] as ToolFinding;
    const more = found.length > 1 ? `; and ${found.length - 1} more tool calls` : '';
    return { kind: 'tool', ruleId, message: first.message + more, evidence: { ...first.evidence, calls: found.map((f) => f.evidence) } };
  });
}
