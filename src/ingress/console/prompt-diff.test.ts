import { describe, expect, it } from 'vitest';
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

