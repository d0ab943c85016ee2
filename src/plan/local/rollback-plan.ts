/**
 * What a local rollback runs, decided without I/O: from the plan the restored release recorded
 * (release-<n>.plan.json) and the plan of today's berth.yml, the plan of the new release and what berth.yml
 * changed since. The rule, as ECS re-uses a release's task definition:
 *  - every service and job of the restored release runs as that release recorded it: its image, `env`, secret
 *    NAMES (the values come from today's secret store, as ECS reads secrets when a task starts), command,
 *    cpu/memory, port, health checks and sticky sessions; the balancer routes as that release did;
 *  - the environment is today's: the dependencies (PostgreSQL, Redis) and their connection variables, the
 *    network, the balancer's port, and the replica count of every service berth.yml still has (as an ECS
 *    service keeps its desired count when its task definition changes);
 *  - services added since the release do not run; services removed since run as recorded;
 *  - `release.before` does not run again (the data stays as the newer releases left it).
 * A plan recorded before berth kept every service (or unreadable) gives `recorded: false`: the caller runs today's.
 */
import type { ResolvedConfig } from '../../config/model.js';
import {
  DATABASE_URL,
  labelsFor,
  localReleaseImage,
  PG_VARIABLES,
  REDIS_URL,
  replicaNamePrefix,
  serviceKey,
  serviceUrlVariable,
  type LocalRole,
} from '../../model/index.js';
import type { ContainerSpec, LocalPlan, LongRunningServicePlan } from './local-plan.js';
import { envChanges, secretChanges, type ReleaseChange } from '../release-changes.js';

export type RollbackPlan =
  | {
    recorded: true;
    /** The plan the rollback runs, numbered as the new release. */
    plan: LocalPlan;
    /** Every secret name the restored services need (their values must exist in today's store). */
    secretNames: string[];
    changes: ReleaseChange[];
  }
  | {
    recorded: false;
    /** Why the recorded plan cannot be used, in a few words (no file, an older shape). */
    why: string;
  };

export interface RollbackPlanInputs {
  /** release-<n>.plan.json of the restored release, parsed (password marker already replaced), or undefined when missing. */
  recorded: unknown;
  /** Today's plan of berth.yml, numbered as the new release. */
  today: LocalPlan;
  config: Pick<ResolvedConfig, 'app' | 'env' | 'file' | 'services'>;
  /** The restored release's number. */
  from: number;
}

/** The variables berth itself puts into a plan's containers for its dependencies (DATABASE_URL, PG*, REDIS_URL). */
function dependencyVariableNames(plan: Pick<LocalPlan, 'dependencies'>): Set<string> {
  const names = new Set<string>();
  for (const dependency of plan.dependencies) {
    if (dependency.role === 'database') for (const name of [DATABASE_URL, ...Object.values(PG_VARIABLES)]) names.add(name);
    if (dependency.role === 'cache') names.add(REDIS_URL);
  }
  return names;
}

/** Every variable berth injects into the containers of a plan: its dependencies' and `<NAME>_URL` of each web service. */
function berthVariableNames(plan: Pick<LocalPlan, 'dependencies' | 'services'>): Set<string> {
  const names = dependencyVariableNames(plan);
  for (const service of plan.services) if (service.kind === 'web') names.add(serviceUrlVariable(service.name));
  return names;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((entry) => typeof entry === 'string');

function isContainerSpec(value: unknown): value is ContainerSpec {
  return isRecord(value) && typeof value.image === 'string' && isRecord(value.env) && Object.values(value.env).every((entry) => typeof entry === 'string')
    && isStringList(value.secretNames) && isRecord(value.labels) && typeof value.nanoCpus === 'number' && typeof value.memoryBytes === 'number'
    && (value.command === undefined || isStringList(value.command));
}

/** Why a recorded plan cannot be restored (an older shape, a damaged file), or undefined when it can. */
function shapeProblem(recorded: unknown): string | undefined {
  if (recorded === undefined) return 'no plan was recorded with it';
  if (!isRecord(recorded) || !Array.isArray(recorded.services) || !Array.isArray(recorded.jobs) || !Array.isArray(recorded.dependencies) || !Array.isArray(recorded.images)) {
    return 'its recorded plan has an older shape';
  }
  for (const service of recorded.services as unknown[]) {
    if (!isRecord(service) || typeof service.name !== 'string' || typeof service.count !== 'number' || !isContainerSpec(service.container)) return 'its recorded plan has an older shape';
    if (service.kind === 'web') {
      if (typeof service.port !== 'number' || !isRecord(service.health) || typeof service.health.path !== 'string' || !isRecord(service.healthcheck)) return 'its recorded plan has an older shape';
    } else if (service.kind !== 'worker') return 'its recorded plan has an older shape';
  }
  for (const job of recorded.jobs as unknown[]) {
    if (!isRecord(job) || typeof job.name !== 'string' || !isContainerSpec(job.container)) return 'its recorded plan has an older shape';
  }
  if (recorded.services.some((service: { kind?: unknown }) => service.kind === 'web') && (!isRecord(recorded.balancer) || !isRecord(recorded.balancer.routing))) return 'its recorded plan has an older shape';
  return undefined;
}

/** Today's values of the dependency variables (the same in every container of today's plan). */
function todaysDependencyEnv(today: LocalPlan): Record<string, string> {
  const names = dependencyVariableNames(today);
  const source = [...today.services.map((service) => service.container), ...today.jobs.map((job) => job.container)][0];
  return Object.fromEntries(Object.entries(source?.env ?? {}).filter(([name]) => names.has(name)));
}

/**
 * Pure: the rollback plan and what changed since, or `recorded: false` when the release's plan cannot be used.
 */
export function planRollback(inputs: RollbackPlanInputs): RollbackPlan {
  const problem = shapeProblem(inputs.recorded);
  if (problem) return { recorded: false, why: problem };
  const recorded = inputs.recorded as LocalPlan;
  const { today, config } = inputs;
  const release = today.release;
  const recordedDependencyNames = dependencyVariableNames(recorded);
  const dependencyEnv = todaysDependencyEnv(today);

  // The restored release's images become the new release's tags (the target retags them).
  const imageOf = new Map(recorded.images.map((entry) => [entry.image, localReleaseImage(config.app, config.env, release, entry.service)]));
  const renumber = (spec: ContainerSpec, role: LocalRole, service: string): ContainerSpec => {
    const env = Object.fromEntries(Object.entries(spec.env).filter(([name]) => !recordedDependencyNames.has(name)));
    return {
      ...spec,
      image: imageOf.get(spec.image) ?? spec.image,
      env: { ...env, ...dependencyEnv },
      secretNames: [...spec.secretNames],
      labels: labelsFor(config.app, config.env, role, { release, service, project: config.file }),
    };
  };

  const services = recorded.services.map((service): LongRunningServicePlan => {
    const current = today.services.find((entry) => entry.name === service.name);
    return {
      ...service,
      count: current?.count ?? service.count,
      namePrefix: replicaNamePrefix(config.app, config.env, service.name, release),
      container: renumber(service.container, 'app', service.name),
    };
  });
  const jobs = recorded.jobs.map((job) => ({ ...job, container: renumber(job.container, 'job', job.name) }));
  const before = recorded.before ? { ...recorded.before, container: renumber(recorded.before.container, 'job', recorded.before.service) } : undefined;
  const routing = recorded.balancer?.routing;
  const port = today.balancer?.port ?? recorded.balancer?.port;
  const plan: LocalPlan = {
    app: today.app,
    env: today.env,
    release,
    network: today.network,
    dependencies: today.dependencies,
    images: recorded.images.map((entry) => ({ ...(entry.service ? { service: entry.service } : {}), image: localReleaseImage(config.app, config.env, release, entry.service) })),
    services,
    jobs,
    ...(before ? { before } : {}),
    ...(routing && port !== undefined ? { balancer: { port, routing }, url: `http://127.0.0.1:${port}` } : {}),
  };
  const secretNames = [...new Set([...services, ...jobs].flatMap((entry) => entry.container.secretNames))].sort();
  return { recorded: true, plan, secretNames, changes: changesSince(recorded, today, config) };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function containerChanges(key: string, before: ContainerSpec, after: ContainerSpec, ignore: Set<string>): ReleaseChange[] {
  return [
    ...envChanges(key, before.env, after.env, ignore),
    ...secretChanges(key, before.secretNames, after.secretNames),
    ...(same(before.command, after.command) ? [] : [{ key, field: 'command', change: 'changed' } as const]),
    ...(before.nanoCpus === after.nanoCpus ? [] : [{ key, field: 'cpu', change: 'changed' } as const]),
    ...(before.memoryBytes === after.memoryBytes ? [] : [{ key, field: 'memory', change: 'changed' } as const]),
  ];
}

/**
 * What today's berth.yml changed since the release, per service (env and secret names; command, cpu, memory,
 * port, health, sticky sessions), services added or removed, and the dependencies. Names only, never values.
 * berth's own variables (DATABASE_URL, PG*, REDIS_URL, <NAME>_URL) are not the app's env and are left out.
 */
export function changesSince(recorded: LocalPlan, today: LocalPlan, config: Pick<ResolvedConfig, 'services'>): ReleaseChange[] {
  const ignore = new Set([...berthVariableNames(recorded), ...berthVariableNames(today)]);
  const changes: ReleaseChange[] = [];
  for (const service of recorded.services) {
    const key = serviceKey(config, service);
    const current = today.services.find((entry) => entry.name === service.name);
    if (!current) {
      changes.push({ key, field: 'service', change: 'removed' });
      continue;
    }
    changes.push(...containerChanges(key, service.container, current.container, ignore));
    if (service.kind === 'web' && current.kind === 'web') {
      if (service.port !== current.port) changes.push({ key, field: 'port', change: 'changed' });
      if (!same(service.health, current.health)) changes.push({ key, field: 'health', change: 'changed' });
      if (service.stickySeconds !== current.stickySeconds) changes.push({ key, field: 'stickySessions', change: 'changed' });
    } else if (service.kind !== current.kind || !same(service.health, current.health)) {
      changes.push({ key, field: service.kind !== current.kind ? 'service' : 'health', change: 'changed' });
    }
  }
  for (const job of recorded.jobs) {
    const key = serviceKey(config, job);
    const current = today.jobs.find((entry) => entry.name === job.name);
    if (!current) {
      changes.push({ key, field: 'service', change: 'removed' });
      continue;
    }
    changes.push(...containerChanges(key, job.container, current.container, ignore));
    if (!same(job.schedule, current.schedule)) changes.push({ key, field: 'schedule', change: 'changed' });
    if (job.timeout !== current.timeout) changes.push({ key, field: 'timeout', change: 'changed' });
  }
  const known = new Set([...recorded.services, ...recorded.jobs].map((entry) => entry.name));
  for (const entry of [...today.services, ...today.jobs]) if (!known.has(entry.name)) changes.push({ key: serviceKey(config, entry), field: 'service', change: 'added' });
  for (const role of ['database', 'cache'] as const) {
    const then = recorded.dependencies.some((dependency) => dependency.role === role);
    const now = today.dependencies.some((dependency) => dependency.role === role);
    if (then !== now) changes.push({ key: role, field: 'dependency', change: now ? 'added' : 'removed' });
  }
  return changes;
}

