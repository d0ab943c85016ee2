/**
 * What an AWS rollback restores besides the image, decided without I/O: each service's `env` and secret NAMES as
 * the release's task definitions had them (ECS re-uses a release's task definition the same way), read back with
 * ecs:DescribeTaskDefinition by the caller. berth's own variables (PG*, DATABASE_URL, REDIS_URL, `<NAME>_URL`) are
 * not the app's env: they stay today's, like the database and cache they point at. Everything else is today's
 * berth.yml: cpu, memory, counts, health checks, routes, and services added or removed since (the stack is
 * synthesized from it). A secret's value is today's, as a task reads it when it starts.
 */
import type { ResolvedConfig, ServiceSpec } from '../../config/model.js';
import { DATABASE_URL, PG_VARIABLES, REDIS_URL, serviceKey, serviceUrlVariable } from '../../model/index.js';
import { envChanges, secretChanges, type ReleaseChange } from '../release-changes.js';

/** The app container of one service's task definition in the release, as DescribeTaskDefinition returns it. */
export interface RecordedTaskEnv {
  service: string;
  environment: ReadonlyArray<{ name?: string; value?: string }>;
  secrets: ReadonlyArray<{ name?: string }>;
}

export type AwsRollbackEnv =
  | {
    restored: true;
    /** Today's berth.yml with each service's env and secret names as the release ran them. */
    config: ResolvedConfig;
    /** What berth.yml changed since in env and secret names (names only). */
    changes: ReleaseChange[];
  }
  | { restored: false; why: string };

/** The variables berth puts into task definitions itself, for services named `services`. */
function berthVariableNames(services: readonly string[]): Set<string> {
  return new Set([DATABASE_URL, REDIS_URL, ...Object.values(PG_VARIABLES), ...services.map(serviceUrlVariable)]);
}

/**
 * Pure: today's config with the release's env and secret names per service. `recorded` holds the release's app
 * containers (one per service it ran); a service of today's berth.yml the release did not have keeps today's.
 */
export function restoreReleaseEnv(config: ResolvedConfig, recorded: readonly RecordedTaskEnv[]): AwsRollbackEnv {
  if (recorded.length === 0) return { restored: false, why: 'its record names no task definitions' };
  const ignore = berthVariableNames([...new Set([...recorded.map((entry) => entry.service), ...config.services.map((service) => service.name)])]);
  const changes: ReleaseChange[] = [];
  const services = config.services.map((service): ServiceSpec => {
    const then = recorded.find((entry) => entry.service === service.name);
    if (!then) return service;
    const env: Record<string, string> = {};
    for (const variable of then.environment) if (variable.name && !ignore.has(variable.name)) env[variable.name] = variable.value ?? '';
    const secrets = [...new Set(then.secrets.map((secret) => secret.name ?? '').filter((name) => name && !ignore.has(name)))].sort();
    const key = serviceKey(config, service);
    changes.push(...envChanges(key, env, service.env, ignore), ...secretChanges(key, secrets, service.secrets));
    return { ...service, env, secrets };
  });
  return { restored: true, config: { ...config, services }, changes };
}
