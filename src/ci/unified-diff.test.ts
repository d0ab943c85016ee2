import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './unified-diff.js';

/** What `diff -u` prints for the same texts, headers replaced. */
function systemDiff(before: string, after: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-diff-'));
  writeFileSync(join(dir, 'a'), before);
  writeFileSync(join(dir, 'b'), after);
  try {
    execFileSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')]);
    return '';
  } catch (error) {
    const out = String((error as { stdout: Buffer }).stdout);
    return ['--- a/f', '+++ b/f', ...out.split('\n').slice(2)].join('\n');
  }
}

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('f', 'a\nb\n', 'a\nb\n')).toBe('');
  });

  it('agrees with diff -u on changes near and far apart, at the start and the end', () => {
    const before = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const after = before.replace('line 1\n', 'line one\n').replace('line 5\n', '').replace('line 20\n', 'line 20\nline 20b\n').replace('line 40\n', 'line forty\n');
    expect(unifiedDiff('f', before, after)).toBe(systemDiff(before, after));
    expect(unifiedDiff('f', '', 'new\n')).toBe(systemDiff('', 'new\n'));
    expect(unifiedDiff('f', 'old\n', '')).toBe(systemDiff('old\n', ''));
  });
});
