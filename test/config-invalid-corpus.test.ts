/**
 * Every file in test/fixtures/invalid is a berth.yml with one mistake. Its first line names the field
 * path the error must point at (`# expect-path: service.memory`; empty for whole-file problems).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, REPO, runBerth } from './cli.js';

const dir = join(REPO, 'test', 'fixtures', 'invalid');
const files = readdirSync(dir).filter((name) => name.endsWith('.yml')).sort();

function expectedPath(file: string): string {
  const first = readFileSync(join(dir, file), 'utf8').split('\n')[0] ?? '';
  return /^# expect-path: ?(.*)$/.exec(first)?.[1]?.trim() ?? '';
}

describe('invalid berth.yml corpus', () => {
  it('has at least 50 cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
  });

  it.concurrent.each(files)('%s: exit 2, names the field, no stack trace', async (file) => {
    const result = await runBerth(['validate', '--config', join('test', 'fixtures', 'invalid', file)]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(hasStackTrace(result.stderr)).toBe(false);
    const path = expectedPath(file);
    const lines = result.stderr.trim().split('\n');
    // file:line:column: path: message -- or file: message for whole-file problems.
    const problemLines = lines.filter((line) => line.startsWith(`test/fixtures/invalid/${file}`));
    expect(problemLines.length).toBeGreaterThan(0);
    if (path) {
      expect(problemLines.some((line) => line.includes(`: ${path}: `))).toBe(true);
      const line = problemLines.find((l) => l.includes(`: ${path}: `))!;
      expect(line).toMatch(new RegExp(`^test/fixtures/invalid/${file.replace('.', '\\.')}:\\d+:\\d+: `));
    }
  });
});
