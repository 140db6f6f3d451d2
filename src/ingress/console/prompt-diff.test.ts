import { describe, expect, it } from 'vitest';
import { snakeKeys } from './api-client.ts';
import { promptDiff, promptDiffLines } from './prompt-diff.ts';

describe('prompt diff', () => {
  it('marks the changed words of a changed line, keeps the same lines whole', () => {
    const lines = promptDiffLines('Intro.\nAnswer with one label.\nBye.', 'Intro.\nReply with exactly one label.\nBye.');
    expect(lines.map((l) => l.kind)).toEqual(['same', 'removed', 'added', 'same']);
    expect(lines[1]!.parts.filter((p) => p.changed).map((p) => p.text.trim())).toEqual(['Answer']);
    expect(lines[2]!.parts.filter((p) => p.changed).map((p) => p.text.trim())).toEqual(['Reply', 'exactly']);
  });
  it('escapes prompt text', async () => {
    const out = String(await promptDiff('Say <b>hi</b>', 'Say <script>alert(1)</script>'));
    expect(out).not.toMatch(/<script|<b>/);
    expect(out).toContain('&lt;<ins>script</ins>&gt;');
  });
});

describe('snakeKeys', () => {
  it('renames the API shape, not the data inside bodies and evidence', () => {
    expect(snakeKeys({ regressionPValue: 1, activeVersionId: 'a', versions: [{ createdAt: 't', fewShot: [{ user: 'u' }] }], requestBody: { maxTokens: 1 }, evidence: { gotValue: 1 } })).toEqual({
      regression_p_value: 1,
      active_version_id: 'a',
      versions: [{ created_at: 't', few_shot: [{ user: 'u' }] }],
      request_body: { maxTokens: 1 },
      evidence: { gotValue: 1 },
    });
  });
});
