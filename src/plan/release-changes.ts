/**
 * What berth.yml changed since a release a rollback restores, named without any value, on either target: the
 * local rollback plan (src/plan/local/rollback-plan.ts) and the AWS one (src/plan/aws/rollback-env.ts) compute
 * their changes with these and print them in the same one line.
 */
import { OperationError } from '../errors.js';

/** One thing berth.yml changed since the restored release, named without any value. */
export interface ReleaseChange {
  /** The berth.yml key of the service (`service`, `services.worker`), or `database` / `cache`. */
  key: string;
  /** What differs: a variable of `env`, a name in `secrets`, a setting, or the whole service / dependency. */
  field: 'env' | 'secrets' | 'command' | 'port' | 'health' | 'cpu' | 'memory' | 'arch' | 'stickySessions' | 'schedule' | 'timeout' | 'service' | 'dependency';
  /** The variable or secret name (for `env` and `secrets`). */
  name?: string;
  /** What berth.yml did since the release: added, removed or changed it. */
  change: 'added' | 'removed' | 'changed';
}

export function envChanges(key: string, before: Record<string, string>, after: Record<string, string>, ignore: Set<string>): ReleaseChange[] {
  const changes: ReleaseChange[] = [];
  for (const name of Object.keys(before).filter((entry) => !ignore.has(entry)).sort()) {
    if (!(name in after)) changes.push({ key, field: 'env', name, change: 'removed' });
    else if (after[name] !== before[name]) changes.push({ key, field: 'env', name, change: 'changed' });
  }
  for (const name of Object.keys(after).filter((entry) => !ignore.has(entry) && !(entry in before)).sort()) changes.push({ key, field: 'env', name, change: 'added' });
  return changes;
}

export function secretChanges(key: string, before: readonly string[], after: readonly string[]): ReleaseChange[] {
  return [
    ...before.filter((name) => !after.includes(name)).sort().map((name): ReleaseChange => ({ key, field: 'secrets', name, change: 'removed' })),
    ...after.filter((name) => !before.includes(name)).sort().map((name): ReleaseChange => ({ key, field: 'secrets', name, change: 'added' })),
  ];
}

/** The words of one group of changes: `service.env API_MODE changed, NEW_FLAG added`, `services.worker added`. */
function describeGroup(key: string, field: ReleaseChange['field'], group: readonly ReleaseChange[]): string {
  if (field === 'service' || field === 'dependency') return `${key} ${group[0]!.change}`;
  if (field === 'env' || field === 'secrets') return `${key}.${field} ${group.map((change) => `${change.name} ${change.change}`).join(', ')}`;
  return `${key}.${field} changed`;
}

/**
 * The one line rollback prints before it rolls, or undefined when berth.yml has not changed since the release.
 * Names only: env values can be secrets.
 */
export function describeChangesSince(from: number, changes: readonly ReleaseChange[]): string | undefined {
  if (changes.length === 0) return undefined;
  const groups = new Map<string, ReleaseChange[]>();
  for (const change of changes) {
    const id = `${change.key}\u0000${change.field}`;
    groups.set(id, [...(groups.get(id) ?? []), change]);
  }
  const parts = [...groups.values()].map((group) => describeGroup(group[0]!.key, group[0]!.field, group));
  const envOnly = changes.every((change) => change.field === 'env' || change.field === 'secrets');
  const notes = [
    ...(changes.some((change) => change.field === 'service' && change.change === 'added') ? ['services added since do not run'] : []),
    ...(changes.some((change) => change.field === 'dependency') ? ['the database and cache are today\'s'] : []),
  ];
  return `berth.yml changed since release ${from}: ${parts.join('; ')}; rollback runs release ${from}'s ${envOnly ? 'env' : 'env and settings'}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** Secret names the restored release needs that today's secret store has no value for. */
export function missingRollbackSecrets(secretNames: readonly string[], stored: readonly string[]): string[] {
  return secretNames.filter((name) => !stored.includes(name));
}

/** Stops a rollback before anything changes when secrets the release needs have no value in `env` now (both targets). */
export function rollbackSecretsMissing(from: number, env: string, missing: readonly string[]): OperationError {
  return new OperationError(
    `release ${from} needs the secret${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, which ${missing.length === 1 ? 'has' : 'have'} no value for environment ${env} now (a rollback runs the release's secret names with today's values); nothing was changed`,
    missing.map((name) => `berth secrets set ${name} --env ${env}`).join('; '),
  );
}
