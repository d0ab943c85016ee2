/**
 * What an AWS rollback restores besides the image, decided without I/O: each service's `env`, secret NAMES, command,
 * cpu, memory and CPU architecture as the release's task definitions had them (ECS re-uses a release's task
 * definition the same way, and the local rollback restores the same settings), read back with
 * ecs:DescribeTaskDefinition by the caller. The architecture matters most: the release's image was built for it, and
 * would not start on the other. berth's own variables are not the app's env and stay today's, like the database and
 * cache they point at. Everything else is today's berth.yml: counts, health checks, routes, and services added or
 * removed since (the stack is synthesized from it). A secret's value is today's, as a task reads it when it starts.
 *
 * Which variables were berth's in the release is read from where they came from, not from their names alone, so an
 * app that sets DATABASE_URL or PGHOST itself (its own database) keeps them:
 *  - a secret is the app's when it reads `berth secrets set`'s secret of that name (berth/<app>/<env>/<NAME>); the
 *    generated database password, DATABASE_URL and REDIS_URL read berth's other secrets;
 *  - the PG* variables are berth's when the release also had berth's database password (PGPASSWORD from another
 *    secret); `<NAME>_URL` of a service of the release or of today is berth's (berth.yml may not set those);
 *  - the names berth injects today (reservedEnvNames) are today's whatever the release had.
 */
import type { ResolvedConfig, ServiceSpec } from '../../config/model.js';
import { archOf, PG_VARIABLES, reservedEnvNames, secretName, serviceKey, serviceUrlVariable } from '../../model/index.js';
import { envChanges, secretChanges, type ReleaseChange } from '../release-changes.js';
import { regexpLiteral } from '../../text/regexp-literal.js';

/** The app container of one service's task definition in the release, as DescribeTaskDefinition returns it. */
export interface RecordedTaskEnv {
  service: string;
  environment: ReadonlyArray<{ name?: string; value?: string }>;
  secrets: ReadonlyArray<{ name?: string; valueFrom?: string }>;
  /** The task's cpu units and memory MiB (`"512"`), its runtime platform's CpuArchitecture (`X86_64`, `ARM64`). */
  cpu?: string;
  memory?: string;
  cpuArchitecture?: string;
  /** The app container's command; null when it had none (the image's CMD); undefined when not read. */
  command?: readonly string[] | null;
}

/** The release's settings of one service that today's berth.yml may have changed since, with what changed. */
function restoreSettings(key: string, service: ServiceSpec, then: RecordedTaskEnv): { service: ServiceSpec; changes: ReleaseChange[] } {
  const changes: ReleaseChange[] = [];
  const next: ServiceSpec = { ...service };
  const cpu = Number(then.cpu);
  if (then.cpu !== undefined && Number.isInteger(cpu) && cpu > 0 && cpu !== service.cpu) {
    next.cpu = cpu;
    changes.push({ key, field: 'cpu', change: 'changed' });
  }
  const memory = Number(then.memory);
  if (then.memory !== undefined && Number.isInteger(memory) && memory > 0 && memory !== service.memory) {
    next.memory = memory;
    changes.push({ key, field: 'memory', change: 'changed' });
  }
  const arch = then.cpuArchitecture ? archOf(then.cpuArchitecture.toLowerCase()) : undefined;
  if (arch && arch !== service.arch) {
    next.arch = arch;
    changes.push({ key, field: 'arch', change: 'changed' });
  }
  if (then.command !== undefined && JSON.stringify(then.command ?? undefined) !== JSON.stringify(service.command)) {
    if (then.command) next.command = [...then.command];
    else delete next.command;
    changes.push({ key, field: 'command', change: 'changed' });
  }
  return { service: next, changes };
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

/** Whether an ECS secret reads `berth secrets set`'s secret of its own name (its ARN, with or without the random suffix). */
function declaredSecret(config: Pick<ResolvedConfig, 'app' | 'env'>, secret: { name?: string; valueFrom?: string }): secret is { name: string; valueFrom: string } {
  if (!secret.name || !secret.valueFrom) return false;
  return new RegExp(`:secret:${regexpLiteral(secretName(config.app, config.env, secret.name))}(-[A-Za-z0-9]{6})?$`).test(secret.valueFrom);
}

/**
 * Pure: today's config with the release's env and secret names per service. `recorded` holds the release's app
 * containers (one per service it ran); a service of today's berth.yml the release did not have keeps today's.
 */
export function restoreReleaseEnv(config: ResolvedConfig, recorded: readonly RecordedTaskEnv[]): AwsRollbackEnv {
  if (recorded.length === 0) return { restored: false, why: 'its record names no task definitions' };
  const services = [...new Set([...recorded.map((entry) => entry.service), ...config.services.map((service) => service.name)])];
  const changes: ReleaseChange[] = [];
  const restored = config.services.map((service): ServiceSpec => {
    const then = recorded.find((entry) => entry.service === service.name);
    if (!then) return service;
    const berthDatabase = then.secrets.some((secret) => secret.name === PG_VARIABLES.password && !declaredSecret(config, secret));
    const berths = new Set([...reservedEnvNames(config), ...services.map(serviceUrlVariable), ...(berthDatabase ? Object.values(PG_VARIABLES) : [])]);
    const env: Record<string, string> = {};
    for (const variable of then.environment) if (variable.name && !berths.has(variable.name)) env[variable.name] = variable.value ?? '';
    const secrets = [...new Set(then.secrets.flatMap((secret) => (declaredSecret(config, secret) && !berths.has(secret.name) ? [secret.name] : [])))].sort();
    const key = serviceKey(config, service);
    const settings = restoreSettings(key, service, then);
    changes.push(...envChanges(key, env, service.env, berths), ...secretChanges(key, secrets, service.secrets), ...settings.changes);
    return { ...settings.service, env, secrets };
  });
  return { restored: true, config: { ...config, services: restored }, changes };
}
