/**
 * Every file in test/fixtures/invalid is a berth.yml with one mistake. Its first line names the field
 * path the error must point at (`# expect-path: service.memory`; empty for whole-file problems). Optional
 * header lines after it: `# expect-line: 5` (the line the problem points at), `# expect-text: did you mean`
 * (in that problem's line), `# expect-not: canary` (nowhere in the output: contents that must not be echoed).
 * The corpus runs in-process through the same error reporting as the CLI (fast, in parallel); one
 * case runs the built CLI to prove the wiring (exit code, stdout empty, stderr identical).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { BerthError } from '../src/errors.js';
import { hasStackTrace, REPO, runBerth } from './cli.js';

const dir = join(REPO, 'test', 'fixtures', 'invalid');
const files = readdirSync(dir).filter((name) => name.endsWith('.yml')).sort();

function expectedPath(file: string): string {
  const first = readFileSync(join(dir, file), 'utf8').split('\n')[0] ?? '';
  return /^# expect-path: ?(.*)$/.exec(first)?.[1]?.trim() ?? '';
}

/** The values of `# expect-<name>:` header lines (the comment lines at the top of the file). */
function expectations(file: string, name: string): string[] {
  const header: string[] = [];
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n').slice(0, 10)) {
    if (!line.startsWith('#')) break;
    header.push(line);
  }
  return header.flatMap((line) => new RegExp(`^# expect-${name}: ?(.*)$`).exec(line)?.[1]?.trim() ?? []);
}

/** What `berth validate --config <file>` reports, computed in-process: exit code and the error lines. */
function validateInProcess(file: string): { code: number; lines: string[]; text: string } {
  try {
    loadConfig({ config: join('test', 'fixtures', 'invalid', file), cwd: REPO });
    return { code: 0, lines: [], text: '' };
  } catch (error) {
    if (!(error instanceof BerthError)) return { code: 1, lines: [String(error)], text: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) };
    const text = `${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`;
    return { code: error.exitCode, lines: error.message.split('\n'), text };
  }
}

describe('invalid berth.yml corpus', () => {
  it('has at least 50 cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
  });

  it.concurrent.each(files)('%s: exit 2, names the field at its line, no stack trace', async (file) => {
    const started = Date.now();
    const result = validateInProcess(file);
    expect(result.code, result.text).toBe(2);
    expect(hasStackTrace(result.text)).toBe(false);
    const path = expectedPath(file);
    const problemLines = result.lines.filter((line) => line.startsWith(`test/fixtures/invalid/${file}`));
    expect(problemLines.length, result.text).toBeGreaterThan(0);
    const line = path ? problemLines.find((l) => l.includes(`: ${path}: `)) : problemLines[0];
    if (path) {
      expect(line, result.text).toBeDefined();
      expect(line).toMatch(new RegExp(`^test/fixtures/invalid/${file.replace('.', '\\.')}:\\d+:\\d+: `));
    }
    for (const at of expectations(file, 'line')) expect(line, result.text).toMatch(new RegExp(`^test/fixtures/invalid/${file.replace('.', '\\.')}:${at}:\\d+: `));
    for (const text of expectations(file, 'text')) expect(line, result.text).toContain(text);
    for (const text of expectations(file, 'not')) expect(result.text).not.toContain(text);
    // Hostile inputs (huge values, alias bombs, deep nesting) must be refused quickly, not hang.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('the CLI prints the same problems, exits 2 and keeps stdout empty', async () => {
    const file = 'fargate-memory-1024.yml';
    const result = await runBerth(['validate', '--config', join('test', 'fixtures', 'invalid', file)]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(hasStackTrace(result.stderr)).toBe(false);
    for (const line of validateInProcess(file).lines) expect(result.stderr).toContain(line);
  });
});
