/**
 * What should run on the local engine for one release: replicas of every web and worker service, the jobs
 * and their schedules, the release's `before` task, PostgreSQL / Redis with named volumes and health checks,
 * one network, and the load balancer's routes. Pure: ResolvedConfig in, specs out; src/targets/local turns
 * them into containers. Secret values are never part of a plan: containers carry the secret names and the
 * target adds the values when it creates one.
 */
import type { CommandHealthCheck, HealthCheck, JobSchedule, ResolvedConfig, ServiceSpec } from '../../config/model.js';
import { gracePeriodSeconds } from '../../model/health-timing.js';
import {
  COMPOSE_HOST_ALIASES,
  dependencyContainerName,
  dependencyVolumeName,
  findService,
  jobServices,
  labelsFor,
  localConnectionEnv,
  localReleaseImage,
  longRunningServices,
  networkName,
  POSTGRES_PORT,
  REDIS_PORT,
  replicaNamePrefix,
  startCount,
  stickyCookieName,
  type LocalEndpoints,
} from '../../model/index.js';
import { engineHealthTest } from '../container-health-command.js';
import { routingTable, type RoutingTable } from './routing.js';

/** A Docker health check in the units of the Engine API (nanoseconds). */
export interface EngineHealthCheck {
  Test: string[];
  Interval: number;
  Timeout: number;
  Retries: number;
  StartPeriod: number;
}

export interface DependencySpec {
  role: 'database' | 'cache';
  engine: 'postgres' | 'redis';
  /** Container name, also its host name on the network. */
  name: string;
  /** Every host name it answers on the network: its name, plus the compose host names no service uses. */
  aliases: string[];
  image: string;
  env: Record<string, string>;
  command?: string[];
  volume: { name: string; mountPath: string };
  /** Port inside the network. */
  port: number;
  healthcheck: EngineHealthCheck;
  labels: Record<string, string>;
}

/** What every container of one service runs with: image, environment, command, labels, limits. */
export interface ContainerSpec {
  image: string;
  /** Plain environment: the service's env plus DATABASE_URL / PG* / REDIS_URL / <NAME>_URL. */
  env: Record<string, string>;
  /** Secret names whose values the target injects at container creation. */
  secretNames: string[];
  command?: string[];
  labels: Record<string, string>;
  /** CPU in Docker NanoCpus and memory in bytes, from the service's cpu / memory. */
  nanoCpus: number;
  memoryBytes: number;
}

interface ServicePlanBase {
  name: string;
  /** Replicas started for the release: the configured minimum, at least one. */
  count: number;
  /** Container name prefix; the target appends the replica index and a short unique suffix. */
  namePrefix: string;
  /** Host names the replicas answer on the environment's network (the service name: `http://api:9000`). */
  aliases: string[];
  container: ContainerSpec;
}

export interface WebServicePlan extends ServicePlanBase {
  kind: 'web';
  /** The port the app listens on inside the container; published on 127.0.0.1 with a free host port. */
  port: number;
  /** The balancer's checks (the ALB's). */
  health: HealthCheck;
  /** The engine's container health check of the same path. */
  healthcheck: EngineHealthCheck;
  stickySeconds: number | false;
  cookieName: string;
}

export interface WorkerServicePlan extends ServicePlanBase {
  kind: 'worker';
  /** The engine's health check from `health.command`; absent: healthy while the process keeps running. */
  healthcheck?: EngineHealthCheck;
  health?: CommandHealthCheck;
}

export type LongRunningServicePlan = WebServicePlan | WorkerServicePlan;

export interface JobPlan {
  name: string;
  schedule: JobSchedule;
  /** Seconds a run may take before it is stopped. */
  timeout: number;
  container: ContainerSpec;
}

/** The release's one-off `before` task: the new image of `service`, its environment, this command. */
export interface BeforeTaskPlan {
  service: string;
  command: string[];
  container: ContainerSpec;
}

export interface BalancerSpec {
  /** The stable address: http://127.0.0.1:<port>. */
  port: number;
  routing: RoutingTable;
}

export interface LocalPlan {
  app: string;
  env: string;
  release: number;
  network: { name: string; labels: Record<string, string> };
  dependencies: DependencySpec[];
  /** The images of the release: the shared app image (no service) and one per service with its own. */
  images: Array<{ service?: string; image: string }>;
  /** Web and worker services in berth.yml's order. */
  services: LongRunningServicePlan[];
  jobs: JobPlan[];
  before?: BeforeTaskPlan;
  /** Absent when the app has no web service (workers and jobs only: nothing to route). */
  balancer?: BalancerSpec;
  url?: string;
}

export interface LocalPlanInputs {
  release: number;
  /**
   * Image references: `app` for the services sharing the app image, `services[name]` for one with its own.
   * Default: the release tags berth gives them (`localReleaseImage`).
   */
  images?: { app?: string; services?: Record<string, string> };
  /** Password of the local PostgreSQL (generated once per environment and kept by the target). */
  databasePassword?: string;
}

const SECOND_NS = 1_000_000_000;

/** Turns off a HEALTHCHECK the image may declare. */
export const NO_HEALTHCHECK = { Test: ['NONE'] } as const;

/** The container health check of a web service's health in Engine API units. */
export function engineHealthCheck(port: number, health: HealthCheck): EngineHealthCheck {
  return {
    Test: engineHealthTest(port, health),
    Interval: health.interval * SECOND_NS,
    Timeout: health.timeout * SECOND_NS,
    Retries: health.unhealthyThreshold,
    StartPeriod: gracePeriodSeconds(health) * SECOND_NS,
  };
}

/** A worker's `health.command` as an engine health check (exec form: no shell in between). */
export function commandHealthCheck(health: CommandHealthCheck): EngineHealthCheck {
  return {
    Test: ['CMD', ...health.command],
    Interval: health.interval * SECOND_NS,
    Timeout: health.timeout * SECOND_NS,
    Retries: health.unhealthyThreshold,
    StartPeriod: gracePeriodSeconds(health) * SECOND_NS,
  };
}

/** Local replica count of a long-running service: the configured minimum, at least one. */
export function replicaCount(service: Exclude<ServiceSpec, { kind: 'job' }>): number {
  return Math.max(1, startCount(service));
}

function dependencyHealth(test: string[]): EngineHealthCheck {
  return { Test: test, Interval: 1 * SECOND_NS, Timeout: 3 * SECOND_NS, Retries: 60, StartPeriod: 0 };
}

/** A dependency's host names: its container name and the compose names (db, redis, ...) no service is called. */
export function dependencyAliases(config: Pick<ResolvedConfig, 'services'>, name: string, role: 'database' | 'cache'): string[] {
  const taken = new Set(config.services.map((service) => service.name));
  return [name, ...COMPOSE_HOST_ALIASES[role].filter((alias) => !taken.has(alias))];
}

function dependencies(config: ResolvedConfig, databasePassword: string | undefined): { specs: DependencySpec[]; endpoints: LocalEndpoints } {
  const { app, env } = config;
  const specs: DependencySpec[] = [];
  const endpoints: LocalEndpoints = {};
  if (config.database) {
    if (!databasePassword) throw new Error('planLocal: a database needs its password');
    const name = dependencyContainerName(app, env, 'database');
    specs.push({
      role: 'database',
      engine: 'postgres',
      name,
      aliases: dependencyAliases(config, name, 'database'),
      image: config.database.localImage,
      env: { POSTGRES_USER: config.database.username, POSTGRES_PASSWORD: databasePassword, POSTGRES_DB: config.database.name },
      volume: { name: dependencyVolumeName(app, env, 'database'), mountPath: '/var/lib/postgresql/data' },
      port: POSTGRES_PORT,
      healthcheck: dependencyHealth(['CMD-SHELL', `pg_isready -q -h 127.0.0.1 -U ${config.database.username} -d ${config.database.name}`]),
      labels: labelsFor(app, env, 'database', { project: config.file }),
    });
    endpoints.database = { host: name, port: POSTGRES_PORT, password: databasePassword };
  }
  if (config.cache) {
    const name = dependencyContainerName(app, env, 'cache');
    specs.push({
      role: 'cache',
      engine: 'redis',
      name,
      aliases: dependencyAliases(config, name, 'cache'),
      image: config.cache.localImage,
      env: {},
      command: ['redis-server', '--appendonly', 'yes'],
      volume: { name: dependencyVolumeName(app, env, 'cache'), mountPath: '/data' },
      port: REDIS_PORT,
      healthcheck: dependencyHealth(['CMD-SHELL', 'redis-cli -h 127.0.0.1 ping | grep -q PONG']),
      labels: labelsFor(app, env, 'cache', { project: config.file }),
    });
    endpoints.cache = { host: name, port: REDIS_PORT };
  }
  return { specs, endpoints };
}

/** The image a service runs in a release. */
export function serviceImage(config: Pick<ResolvedConfig, 'app' | 'env'>, service: Pick<ServiceSpec, 'name' | 'ownImage'>, inputs: LocalPlanInputs): string {
  if (service.ownImage) return inputs.images?.services?.[service.name] ?? localReleaseImage(config.app, config.env, inputs.release, service.name);
  return inputs.images?.app ?? localReleaseImage(config.app, config.env, inputs.release);
}

export function planLocal(config: ResolvedConfig, inputs: LocalPlanInputs): LocalPlan {
  const { app, env } = config;
  const { specs, endpoints } = dependencies(config, inputs.databasePassword);
  const container = (service: ServiceSpec, role: 'app' | 'job'): ContainerSpec => ({
    image: serviceImage(config, service, inputs),
    // The service's own env first: berth's connection variables win (validation refuses the same names in env).
    env: { ...service.env, ...localConnectionEnv(config, service, endpoints) },
    secretNames: [...service.secrets],
    ...(service.command ? { command: [...service.command] } : {}),
    labels: labelsFor(app, env, role, { release: inputs.release, service: service.name, project: config.file }),
    nanoCpus: Math.round((service.cpu / 1024) * 1e9),
    memoryBytes: service.memory * 1024 * 1024,
  });

  const services = longRunningServices(config).map((service): LongRunningServicePlan => {
    const base = { name: service.name, count: replicaCount(service), namePrefix: replicaNamePrefix(app, env, service.name, inputs.release), aliases: [service.name], container: container(service, 'app') };
    if (service.kind === 'web') {
      return { ...base, kind: 'web', port: service.port, health: service.health, healthcheck: engineHealthCheck(service.port, service.health), stickySeconds: service.stickySessions, cookieName: stickyCookieName(app, service.name) };
    }
    return { ...base, kind: 'worker', ...(service.health ? { health: service.health, healthcheck: commandHealthCheck(service.health) } : {}) };
  });

  const jobs = jobServices(config).map((job): JobPlan => ({ name: job.name, schedule: job.schedule, timeout: job.timeout, container: container(job, 'job') }));

  let before: BeforeTaskPlan | undefined;
  const beforeTask = config.release.before;
  if (beforeTask) {
    const service = findService(config, beforeTask.service);
    if (!service) throw new Error(`planLocal: release.before names service ${beforeTask.service}, which validation should have refused`);
    before = { service: service.name, command: [...beforeTask.command], container: { ...container(service, 'job'), command: [...beforeTask.command] } };
  }

  const images: LocalPlan['images'] = [];
  if (config.services.some((service) => !service.ownImage)) images.push({ image: serviceImage(config, { name: '', ownImage: false }, inputs) });
  for (const service of config.services) if (service.ownImage) images.push({ service: service.name, image: serviceImage(config, service, inputs) });

  const hasWeb = services.some((service) => service.kind === 'web');
  return {
    app,
    env,
    release: inputs.release,
    network: { name: networkName(app, env), labels: labelsFor(app, env, 'network', { project: config.file }) },
    dependencies: specs,
    images,
    services,
    jobs,
    ...(before ? { before } : {}),
    ...(hasWeb ? { balancer: { port: config.local.port, routing: routingTable(config) }, url: `http://127.0.0.1:${config.local.port}` } : {}),
  };
}

/** The plan of one long-running service, or undefined. */
export function servicePlan(plan: Pick<LocalPlan, 'services'>, name: string): LongRunningServicePlan | undefined {
  return plan.services.find((service) => service.name === name);
}

/** The container spec of any service of a plan (web, worker or job). */
export function containerOf(plan: Pick<LocalPlan, 'services' | 'jobs'>, name: string): ContainerSpec | undefined {
  return servicePlan(plan, name)?.container ?? plan.jobs.find((job) => job.name === name)?.container;
}

/** `KEY=value` lines with the secret values added; the values never enter a plan or a file. */
function engineEnv(spec: ContainerSpec, secrets: Record<string, string>): string[] {
  const env = { ...spec.env };
  for (const secret of spec.secretNames) {
    const value = secrets[secret];
    if (value === undefined) throw new Error(`secret ${secret} has no value`);
    env[secret] = value;
  }
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

function networkingConfig(network: string, aliases: readonly string[]): Record<string, unknown> {
  return { EndpointsConfig: { [network]: { Aliases: [...aliases] } } };
}

/** Docker Engine API create options of one replica of a web or worker service (secret values added here, never stored). */
export function replicaCreateOptions(plan: Pick<LocalPlan, 'network'>, service: LongRunningServicePlan, name: string, secrets: Record<string, string>): Record<string, unknown> {
  const spec = service.container;
  const web = service.kind === 'web' ? service : undefined;
  return {
    name,
    Image: spec.image,
    Env: engineEnv(spec, secrets),
    ...(spec.command ? { Cmd: spec.command } : {}),
    Labels: spec.labels,
    ...(web ? { ExposedPorts: { [`${web.port}/tcp`]: {} } } : {}),
    // Without a check of berth.yml's, none at all: a HEALTHCHECK in the image is the web service's, and ECS also
    // runs only the task definition's check.
    Healthcheck: service.healthcheck ?? NO_HEALTHCHECK,
    HostConfig: {
      NetworkMode: plan.network.name,
      ...(web ? { PortBindings: { [`${web.port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] } } : {}),
      RestartPolicy: { Name: 'unless-stopped' },
      NanoCpus: spec.nanoCpus,
      Memory: spec.memoryBytes,
    },
    NetworkingConfig: networkingConfig(plan.network.name, service.aliases),
  };
}

export interface TaskCreateInput {
  name: string;
  /** The command; default: the container spec's own (or the image's CMD). */
  command?: string[];
  /** Labels to use instead of the spec's (e.g. the one-off `task` role). */
  labels?: Record<string, string>;
  /** Attach a TTY and keep stdin open (an interactive `berth run`). */
  tty?: boolean;
  stdin?: boolean;
}

/**
 * Docker Engine API create options of a throw-away container: a job run, the `before` task or a `berth run`.
 * On the environment's network, not published, never restarted: it runs once and berth removes it.
 */
export function taskCreateOptions(plan: Pick<LocalPlan, 'network'>, spec: ContainerSpec, input: TaskCreateInput, secrets: Record<string, string>): Record<string, unknown> {
  const command = input.command ?? spec.command;
  return {
    name: input.name,
    Image: spec.image,
    Env: engineEnv(spec, secrets),
    ...(command ? { Cmd: command } : {}),
    Labels: input.labels ?? spec.labels,
    Healthcheck: NO_HEALTHCHECK,
    Tty: Boolean(input.tty),
    OpenStdin: Boolean(input.stdin),
    StdinOnce: Boolean(input.stdin),
    AttachStdin: Boolean(input.stdin),
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      NetworkMode: plan.network.name,
      RestartPolicy: { Name: 'no' },
      NanoCpus: spec.nanoCpus,
      Memory: spec.memoryBytes,
    },
  };
}

/** Docker Engine API create options of a dependency. */
export function dependencyCreateOptions(plan: Pick<LocalPlan, 'network'>, dependency: DependencySpec): Record<string, unknown> {
  return {
    name: dependency.name,
    Image: dependency.image,
    Env: Object.entries(dependency.env).map(([key, value]) => `${key}=${value}`),
    ...(dependency.command ? { Cmd: dependency.command } : {}),
    Labels: dependency.labels,
    Healthcheck: dependency.healthcheck,
    HostConfig: {
      NetworkMode: plan.network.name,
      Mounts: [{ Type: 'volume', Source: dependency.volume.name, Target: dependency.volume.mountPath }],
      RestartPolicy: { Name: 'unless-stopped' },
    },
    NetworkingConfig: networkingConfig(plan.network.name, dependency.aliases),
  };
}
