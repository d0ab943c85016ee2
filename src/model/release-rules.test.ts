import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import type { Release } from './release.js';
import { currentRelease, nextReleaseNumber, rollbackTarget, statusChanges } from './release-rules.js';

function release(number: number, status: Release['status'], digest = `sha256:${number}`): Release {
  return { number, image: `repo@${digest}`, digest, createdAt: '2026-01-01T00:00:00Z', createdBy: 'alice', status };
}

describe('release history', () => {
  const history = [release(1, 'superseded'), release(2, 'failed'), release(3, 'superseded'), release(4, 'deployed'), release(5, 'rolled-back')];

  it('numbers releases after the highest', () => {
    expect(nextReleaseNumber([])).toBe(1);
    expect(nextReleaseNumber(history)).toBe(6);
  });

  it('the current release is the newest deployed one', () => {
    expect(currentRelease(history)?.number).toBe(4);
    expect(currentRelease([release(1, 'failed')])).toBeUndefined();
  });

  it('rolls back by default to the newest healthy release before the current, skipping failed ones', () => {
    expect(rollbackTarget(history).number).toBe(3);
    expect(rollbackTarget([release(1, 'superseded'), release(2, 'failed'), release(3, 'deployed')]).number).toBe(1);
  });

  it('skips an older release with the same image as the current', () => {
    expect(rollbackTarget([release(1, 'superseded', 'sha256:a'), release(2, 'superseded', 'sha256:b'), release(3, 'deployed', 'sha256:b')]).number).toBe(1);
  });

  it('rolls back to a chosen release, refusing unknown, failed and current ones', () => {
    expect(rollbackTarget(history, 1).number).toBe(1);
    expect(() => rollbackTarget(history, 9)).toThrow(/release 9 does not exist \(releases: 5, 4, 3, 2, 1\)/);
    expect(() => rollbackTarget(history, 2)).toThrow(/never became healthy/);
    expect(() => rollbackTarget(history, 4)).toThrow(/already the current release/);
    expect(() => rollbackTarget([])).toThrow(UsageError);
    expect(() => rollbackTarget([release(1, 'deployed')])).toThrow(/only healthy release/);
  });

  it('a deployed release supersedes the previous current one; a failed one changes only itself', () => {
    const fresh = release(6, 'deploying');
    expect(statusChanges(history, fresh, 'deployed').map((r) => [r.number, r.status])).toEqual([[6, 'deployed'], [4, 'superseded']]);
    expect(statusChanges(history, fresh, 'rolled-back').map((r) => [r.number, r.status])).toEqual([[6, 'rolled-back']]);
  });
});
