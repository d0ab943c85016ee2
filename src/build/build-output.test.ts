import { describe, expect, it } from 'vitest';
import { failedBuildLines, withoutQuotedInstruction } from './build-output.js';

describe('docker build output of a file that is not a Dockerfile', () => {
  it('cuts the quoted line off the classic builder\'s and BuildKit\'s parse errors', () => {
    expect(withoutQuotedInstruction('Error response from daemon: dockerfile parse error line 1: unknown instruction: ROOT:X:0:0:ROOT:/ROOT:/BIN/BASH'))
      .toBe('Error response from daemon: dockerfile parse error line 1: unknown instruction: (the line is not shown: the file may not be a Dockerfile)');
    expect(withoutQuotedInstruction('ERROR: failed to solve: dockerfile parse error on line 2: unknown instruction: API_KEY=sk_live_x'))
      .not.toContain('sk_live_x');
  });

  it('drops BuildKit\'s excerpt of the file after a parse error, and keeps it for other failures', () => {
    const parseError = ['Dockerfile:2', '--------------------', '   1 |     FROM alpine', '   2 | >>> API_KEY=sk_live_x', '--------------------', 'ERROR: failed to solve: dockerfile parse error on line 2: unknown instruction: API_KEY=sk_live_x'];
    expect(failedBuildLines(parseError).join('\n')).not.toContain('sk_live_x');
    expect(failedBuildLines(parseError)).toContain('   2 | (not shown)');
    const runFailure = ['   3 | >>> RUN pip install -r requirements.txt', 'ERROR: failed to solve: process "/bin/sh -c pip install" did not complete successfully: exit code: 1'];
    expect(failedBuildLines(runFailure)).toEqual(runFailure);
  });
});
