/**
 * What should run on the local engine for one release: app replicas, PostgreSQL / Redis with named
 * volumes and health checks, one network, and the load balancer. Pure: ResolvedConfig in, specs out;
 * src/targets/local turns them into containers. Secret values are never part of a plan: replicas carry
 * the secret names and the target adds the values when it creates a container.
 */
import { soleWebService } from '../../model/transitional.js';
import { gracePeriodSeconds } from '../../model/health-timing.js';
import type { HealthCheck, ResolvedConfig } from '../../config/model.js';
import { engineHealthTest } from '../container-health-command.js';
import { dependencyContainerName, dependencyVolumeName, labelsFor, localConnectionEnv, networkName, POSTGRES_PORT, REDIS_PORT, replicaNamePrefix, stickyCookieName, type LocalEndpoints } from '../../model/index.js';

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
  image: string;
  env: Record<string, string>;
  command?: string[];
  volume: { name: string; mountPath: string };
  /** Port inside the network. */
  port: number;
  healthcheck: EngineHealthCheck;
  labels: Record<string, string>;
}

export interface ReplicaSpec {
  /** Container name prefix; the target appends the replica index and a short unique suffix. */
  namePrefix: string;
  image: string;
  /** Plain environment: service.env plus DATABASE_URL / PG* / REDIS_URL. */
  env: Record<string, string>;
  /** Secret names whose values the target injects at container creation. */
  secretNames: string[];
  command?: string[];
  /** The port the app listens on inside the container; published on 127.0.0.1 with a free host port. */
  port: number;
  healthcheck: EngineHealthCheck;
  labels: Record<string, string>;
  /** CPU in Docker NanoCpus and memory in bytes, from service.cpu / service.memory. */
  nanoCpus: number;
  memoryBytes: number;
}

export interface BalancerSpec {
  /** The stable address: http://127.0.0.1:<port>. */
  port: number;
  health: HealthCheck;
  /** Cookie lifetime in seconds when sticky sessions are on. */
  stickySeconds: number | false;
  cookieName: string;
}

export interface LocalPlan {
  app: string;
  env: string;
  release: number;
  network: { name: string; labels: Record<string, string> };
  dependencies: DependencySpec[];
  replicas: { count: number; spec: ReplicaSpec };
  balancer: BalancerSpec;
  url: string;
}

export interface LocalPlanInputs {
  release: number;
  /** Image reference for the replicas (a release tag or --image). */
  image: string;
  /** Password of the local PostgreSQL (generated once per environment and kept by the target). */
  databasePassword?: string;
}

const SECOND_NS = 1_000_000_000;

/** The container health check of service.health in Engine API units. */
export function engineHealthCheck(port: number, health: HealthCheck): EngineHealthCheck {
  return {
    Test: engineHealthTest(port, health),
    Interval: health.interval * SECOND_NS,
    Timeout: health.timeout * SECOND_NS,
    Retries: health.unhealthyThreshold,
    StartPeriod: gracePeriodSeconds(health) * SECOND_NS,
  };
}

/** Local replica count: the configured minimum, at least one. */
export function replicaCount(config: Pick<ResolvedConfig, 'services'>): number {
  return Math.max(1, soleWebService(config).count.min);
}

function dependencyHealth(test: string[]): EngineHealthCheck {
  return { Test: test, Interval: 1 * SECOND_NS, Timeout: 3 * SECOND_NS, Retries: 60, StartPeriod: 0 };
}

export function planLocal(config: ResolvedConfig, inputs: LocalPlanInputs): LocalPlan {
  const { app, env } = config;
  const dependencies: DependencySpec[] = [];
  const endpoints: LocalEndpoints = {};
  if (config.database) {
    if (!inputs.databasePassword) throw new Error('planLocal: a database needs its password');
    const name = dependencyContainerName(app, env, 'database');
    dependencies.push({
      role: 'database',
      engine: 'postgres',
      name,
      image: config.database.localImage,
      env: { POSTGRES_USER: config.database.username, POSTGRES_PASSWORD: inputs.databasePassword, POSTGRES_DB: config.database.name },
      volume: { name: dependencyVolumeName(app, env, 'database'), mountPath: '/var/lib/postgresql/data' },
      port: POSTGRES_PORT,
      healthcheck: dependencyHealth(['CMD-SHELL', `pg_isready -q -h 127.0.0.1 -U ${config.database.username} -d ${config.database.name}`]),
      labels: labelsFor(app, env, 'database'),
    });
    endpoints.database = { host: name, port: POSTGRES_PORT, password: inputs.databasePassword };
  }
  if (config.cache) {
    const name = dependencyContainerName(app, env, 'cache');
    dependencies.push({
      role: 'cache',
      engine: 'redis',
      name,
      image: config.cache.localImage,
      env: {},
      command: ['redis-server', '--appendonly', 'yes'],
      volume: { name: dependencyVolumeName(app, env, 'cache'), mountPath: '/data' },
      port: REDIS_PORT,
      healthcheck: dependencyHealth(['CMD-SHELL', 'redis-cli -h 127.0.0.1 ping | grep -q PONG']),
      labels: labelsFor(app, env, 'cache'),
    });
    endpoints.cache = { host: name, port: REDIS_PORT };
  }
  const service = soleWebService(config);
  const replica: ReplicaSpec = {
    namePrefix: replicaNamePrefix(app, env, service.name, inputs.release),
    image: inputs.image,
    env: { ...service.env, ...localConnectionEnv(config, service, endpoints) },
    secretNames: [...service.secrets],
    command: service.command,
    port: service.port,
    healthcheck: engineHealthCheck(service.port, service.health),
    labels: labelsFor(app, env, 'app', { release: inputs.release, service: service.name }),
    nanoCpus: Math.round((service.cpu / 1024) * 1e9),
    memoryBytes: service.memory * 1024 * 1024,
  };
  return {
    app,
    env,
    release: inputs.release,
    network: { name: networkName(app, env), labels: labelsFor(app, env, 'network') },
    dependencies,
    replicas: { count: replicaCount(config), spec: replica },
    balancer: { port: config.local.port, health: service.health, stickySeconds: service.stickySessions, cookieName: stickyCookieName(app) },
    url: `http://127.0.0.1:${config.local.port}`,
  };
}

/** Docker Engine API create options of one replica (pure; the secret values are added here, never stored). */
export function replicaCreateOptions(plan: LocalPlan, name: string, secrets: Record<string, string>): Record<string, unknown> {
  const spec = plan.replicas.spec;
  const env = { ...spec.env };
  for (const secret of spec.secretNames) {
    const value = secrets[secret];
    if (value === undefined) throw new Error(`secret ${secret} has no value`);
    env[secret] = value;
  }
  return {
    name,
    Image: spec.image,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    ...(spec.command ? { Cmd: spec.command } : {}),
    Labels: spec.labels,
    ExposedPorts: { [`${spec.port}/tcp`]: {} },
    Healthcheck: spec.healthcheck,
    HostConfig: {
      NetworkMode: plan.network.name,
      PortBindings: { [`${spec.port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      RestartPolicy: { Name: 'unless-stopped' },
      NanoCpus: spec.nanoCpus,
      Memory: spec.memoryBytes,
    },
  };
}

/** Docker Engine API create options of a dependency. */
export function dependencyCreateOptions(plan: LocalPlan, dependency: DependencySpec): Record<string, unknown> {
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
    NetworkingConfig: { EndpointsConfig: { [plan.network.name]: { Aliases: [dependency.name] } } },
  };
}
