/**
 * Pure decisions over an environment's numbered releases: the next number, the current release,
 * which release a rollback restores, and how statuses change when a deploy ends.
 */
import { UsageError } from '../errors.js';
import type { Release } from './release.js';

/** Releases sorted newest first. */
export function newestFirst(releases: readonly Release[]): Release[] {
  return [...releases].sort((a, b) => b.number - a.number);
}

export function nextReleaseNumber(releases: readonly Release[]): number {
  return releases.reduce((max, release) => Math.max(max, release.number), 0) + 1;
}

/** The release serving traffic: the newest one that deployed. */
export function currentRelease(releases: readonly Release[]): Release | undefined {
  return newestFirst(releases).find((release) => release.status === 'deployed');
}

/**
 * The release `berth rollback [--to N]` restores. Default: the newest deployed-or-superseded release
 * older than the current one with a different image.
 */
export function rollbackTarget(releases: readonly Release[], to?: number): Release {
  const current = currentRelease(releases);
  if (to !== undefined) {
    const chosen = releases.find((release) => release.number === to);
    if (!chosen) {
      const known = newestFirst(releases).map((release) => release.number).join(', ') || 'none';
      throw new UsageError(`release ${to} does not exist (releases: ${known})`, 'run `berth releases` to see the history');
    }
    if (chosen.status === 'failed' || chosen.status === 'rolled-back' || chosen.status === 'interrupted') {
      throw new UsageError(`release ${to} never became healthy (${chosen.status}); rolling back to it would fail the same way`, 'pick a release whose status is deployed or superseded (`berth releases`)');
    }
    if (current && chosen.number === current.number) {
      throw new UsageError(`release ${to} is already the current release`, 'pick an older release (`berth releases`)');
    }
    return chosen;
  }
  if (!current) throw new UsageError('nothing to roll back: no release of this environment is deployed', 'deploy first with `berth deploy`');
  const previous = newestFirst(releases).find((release) => release.number < current.number && (release.status === 'superseded' || release.status === 'deployed') && release.digest !== current.digest);
  if (!previous) throw new UsageError(`release ${current.number} is the only healthy release; there is nothing older to roll back to`, 'fix forward with `berth deploy`');
  return previous;
}

/** Status updates when a deploy of `release` ended: itself, and the release it replaced. */
export function statusChanges(releases: readonly Release[], release: Release, outcome: 'deployed' | 'failed' | 'rolled-back'): Release[] {
  const updated: Release[] = [{ ...release, status: outcome }];
  if (outcome === 'deployed') {
    for (const other of releases) {
      if (other.number !== release.number && other.status === 'deployed') updated.push({ ...other, status: 'superseded' });
    }
  }
  return updated;
}
