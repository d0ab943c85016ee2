/**
 * `berth status` on the local engine: every service in berth.yml's order — web and worker replicas with the
 * balancer's view of their health, jobs with their schedule, next run and recent runs — plus dependencies and
 * the balancer's notes. Pure: the caller reads the engine, the balancer and the run records.
 */
import type { Docker } from './engine.js';
import type { ResolvedConfig } from '../../config/model.js';
import { describeJobSchedule } from '../../config/job-schedule.js';
import { LABEL_RELEASE, LABEL_ROLE, LABEL_SERVICE, POSTGRES_PORT, REDIS_PORT, type Release } from '../../model/index.js';
import { replicaCount } from '../../plan/local/local-plan.js';
import type { JobRun, ServiceStatus, StatusReport, TaskState } from '../operations.js';
import type { BalancerStatus } from './balancer-model.js';

/** Runs of each job shown by status (newest first). */
export const STATUS_RUNS = 5;

export interface StatusSources {
  config: ResolvedConfig;
  current?: Release;
  containers: Docker.ContainerInfo[];
  balancer?: BalancerStatus;
  runs: (job: string) => JobRun[];
  /** What the command did to repair the environment first (e.g. started the load balancer again). */
  repaired?: string;
  /** Why the load balancer is not running when a repair failed. */
  balancerProblem?: string;
  /** Another project's berth.yml that owns the environment now (it deployed with --take-over). */
  ownedBy?: string;
  /** The code of the berth asking (code-version.ts), to say when the balancer runs another's. */
  berthCode?: string;
}

function containerName(entry: Docker.ContainerInfo): string {
  return entry.Names[0]?.replace(/^\//, '') ?? entry.Id.slice(0, 12);
}

function taskState(entry: Docker.ContainerInfo, balancer: BalancerStatus | undefined): TaskState {
  const backend = balancer?.backends.find((candidate) => candidate.containerId === entry.Id);
  const health = backend?.health === 'healthy' ? 'healthy' : backend?.health === 'unhealthy' || backend?.health === 'down' ? 'unhealthy' : backend ? 'starting' : 'unknown';
  return {
    id: containerName(entry),
    ...(entry.Labels[LABEL_SERVICE] ? { service: entry.Labels[LABEL_SERVICE] } : {}),
    release: Number(entry.Labels[LABEL_RELEASE]),
    status: entry.State,
    health,
    startedAt: new Date(entry.Created * 1000).toISOString(),
    ...(backend?.url ? { address: backend.url } : {}),
    ...(backend?.lastError ? { stoppedReason: backend.lastError } : {}),
  };
}

/** The engine's own verdict in a container's status text, e.g. "Up 5 minutes (unhealthy)". */
function engineSaysUnhealthy(entry: Docker.ContainerInfo): boolean {
  return /\(unhealthy\)/.test(entry.Status ?? '');
}

/** When the balancer last saw the replica turn unhealthy: its event "<ISO time> <id>: <state> -> unhealthy", newest first. */
function unhealthySince(id: string, events: readonly string[]): string | undefined {
  const prefix = `${id}: `;
  for (const event of events) {
    const match = /^(\S+) (.*)$/.exec(event);
    if (match?.[2]?.startsWith(prefix) && / -> unhealthy\b/.test(match[2])) return match[1];
  }
  return undefined;
}

/**
 * A replica whose container runs but is unhealthy, one line: which service and replica, since when (if the balancer
 * saw the change), and who says so — the load balancer's checks (out of rotation) and/or the engine's container check.
 */
function unhealthyReplica(entry: Docker.ContainerInfo, balancer: BalancerStatus | undefined): string | undefined {
  if (entry.State !== 'running') return undefined;
  const backend = balancer?.backends.find((candidate) => candidate.containerId === entry.Id);
  const byBalancer = backend?.health === 'unhealthy';
  const byEngine = engineSaysUnhealthy(entry);
  if (!byBalancer && !byEngine) return undefined;
  const id = containerName(entry);
  const reasons: string[] = [];
  // A worker's health is its container's (the engine's check): the balancer only reports it.
  if (byBalancer && backend.kind === 'web') reasons.push(`the load balancer's checks fail${backend.lastError ? ` (${backend.lastError})` : ''}, so it gets no traffic`);
  if (byEngine || backend?.kind === 'worker') reasons.push(`its container health check fails (${entry.Status})`);
  const since = byBalancer ? unhealthySince(id, balancer?.events ?? []) : undefined;
  const service = entry.Labels[LABEL_SERVICE] ?? 'unknown';
  return `the ${service} replica ${id} (release ${entry.Labels[LABEL_RELEASE] ?? '?'}) runs but is unhealthy${since ? ` since ${since}` : ''}: ${reasons.join('; ')}`;
}

function totals(items: TaskState[], desired: number): NonNullable<ServiceStatus['tasks']> {
  return {
    desired,
    running: items.filter((item) => item.status === 'running').length,
    pending: items.filter((item) => item.health === 'starting').length,
    healthy: items.filter((item) => item.health === 'healthy').length,
    items,
  };
}

export function localStatusReport(sources: StatusSources): StatusReport {
  const { config, current, containers, balancer } = sources;
  const replicas = containers.filter((entry) => entry.Labels[LABEL_ROLE] === 'app').sort((a, b) => containerName(a).localeCompare(containerName(b)));
  const services: ServiceStatus[] = config.services.map((service) => {
    if (service.kind === 'job') {
      const nextRun = balancer?.jobs?.find((entry) => entry.job === service.name)?.nextRun;
      return { name: service.name, kind: 'job', schedule: describeJobSchedule(service.schedule), ...(current && nextRun ? { nextRun } : {}), runs: sources.runs(service.name).slice(0, STATUS_RUNS) };
    }
    const items = replicas.filter((entry) => entry.Labels[LABEL_SERVICE] === service.name).map((entry) => taskState(entry, balancer));
    const route = service.kind === 'web' ? { route: { ...service.route, default: service.route.path === undefined && service.route.host === undefined } } : {};
    return { name: service.name, kind: service.kind, ...route, tasks: totals(items, current ? replicaCount(service) : 0) };
  });
  // Replicas of services no longer in berth.yml (until the next deploy removes them) still count.
  const known = new Set(config.services.map((service) => service.name));
  const strays = replicas.filter((entry) => !known.has(entry.Labels[LABEL_SERVICE] ?? '')).map((entry) => taskState(entry, balancer));
  const allItems = [...services.flatMap((service) => service.tasks?.items ?? []), ...strays];
  const desired = services.reduce((sum, service) => sum + (service.tasks?.desired ?? 0), 0);

  const dependencies: StatusReport['dependencies'] = containers
    .filter((entry) => entry.Labels[LABEL_ROLE] === 'database' || entry.Labels[LABEL_ROLE] === 'cache')
    .map((entry) => {
      const role = entry.Labels[LABEL_ROLE] as 'database' | 'cache';
      return { kind: role, engine: role === 'database' ? 'postgres' : 'redis', endpoint: `${containerName(entry)}:${role === 'database' ? POSTGRES_PORT : REDIS_PORT}`, status: entry.Status };
    });
  const notes: string[] = [];
  const problems: string[] = [];
  if (sources.ownedBy) notes.push(`${config.app} (${config.env}) now belongs to ${sources.ownedBy} (it deployed with --take-over): what runs is that project's; choose another app name in this berth.yml to deploy it again`);
  if (sources.repaired) notes.push(sources.repaired);
  if (balancer) {
    notes.push(balancer.port !== undefined ? `load balancer pid ${balancer.pid} on 127.0.0.1:${balancer.port}, started ${balancer.startedAt}` : `supervisor pid ${balancer.pid} (no web service: nothing to route), started ${balancer.startedAt}`);
    if (sources.berthCode && balancer.code !== sources.berthCode) notes.push(`the load balancer runs ${balancer.code ? `berth ${balancer.code}` : 'an earlier berth'}, not this berth ${sources.berthCode}: the next deploy or rollback restarts it with this one`);
    if (balancer.restarts) notes.push(`load balancer restarts: ${balancer.restarts} (its supervisor started it again; the last one before: ${balancer.lastRestart ?? 'unknown'})`);
  } else if (current && !sources.ownedBy) {
    problems.push(`the load balancer is not running${sources.balancerProblem ? `: ${sources.balancerProblem}` : ''}`);
  }
  for (const entry of containers.filter((candidate) => (candidate.Labels[LABEL_ROLE] === 'database' || candidate.Labels[LABEL_ROLE] === 'cache') && candidate.State !== 'running')) {
    problems.push(`the ${entry.Labels[LABEL_ROLE]} ${containerName(entry)} is ${entry.State} (${entry.Status})${balancer ? '; the load balancer starts it again within seconds' : ''}`);
  }
  // Per service in berth.yml's order, then replicas of services no longer in it.
  const rank = (entry: Docker.ContainerInfo) => { const index = config.services.findIndex((service) => service.name === entry.Labels[LABEL_SERVICE]); return index < 0 ? config.services.length : index; };
  for (const entry of [...replicas].sort((a, b) => rank(a) - rank(b))) {
    const problem = unhealthyReplica(entry, balancer);
    if (problem) problems.push(problem);
  }
  notes.push(...(balancer?.events ?? []).slice(0, 5).map((event) => `event: ${event}`));
  const url = current && balancer?.port !== undefined ? `http://127.0.0.1:${balancer.port}` : current && config.services.some((service) => service.kind === 'web') ? `http://127.0.0.1:${config.local.port}` : undefined;
  return {
    app: config.app,
    env: config.env,
    target: 'local',
    ...(url ? { url } : {}),
    ...(current ? { release: current } : {}),
    services,
    tasks: totals(allItems, desired),
    deployments: current ? [{ id: `release-${current.number}`, status: 'PRIMARY', rollout: 'COMPLETED', desired, running: allItems.filter((item) => item.release === current.number && item.status === 'running').length, release: current.number }] : [],
    dependencies,
    alarms: [],
    notes,
    problems,
  };
}
