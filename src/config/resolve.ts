/** One environment's merged sections -> the ResolvedConfig plans and targets read. */
import { dirname, resolve } from 'node:path';
import { DEFAULT_ENV, DEFAULTS, defaultLocalImage } from './defaults.js';
import { dockerfileFacts, imageHasNoShell } from './dockerfile-facts.js';
import { parseDuration } from './durations.js';
import { parseJobSchedule } from './job-schedule.js';
import type { Sections } from './merge-environment.js';
import type { BuildSpec, ResolvedConfig, ScheduledCount, ServiceSpec, SpotStrategy, TaskCount } from './model.js';
import { appImageSource, hasOwnImage, inherited, registryCredentialsOf, serviceEntries, serviceKind, type RawService, type ServiceEntry } from './service-entries.js';
import { parseLatency } from './latency.js';

export function isProductionEnv(env: string, declared: boolean | undefined): boolean {
  if (env === DEFAULT_ENV) return false;
  return declared ?? (DEFAULTS.productionNames as readonly string[]).includes(env);
}

function stringValues(values: Record<string, string | number | boolean> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([key, value]) => [key, String(value)]));
}

function resolveCount(count: RawService['count']): TaskCount {
  if (count === undefined || typeof count === 'number') {
    const n = count ?? DEFAULTS.service.count;
    return { min: n, max: Math.max(n, 1), schedule: [] };
  }
  const min = count.min ?? 1;
  const schedule: ScheduledCount[] = (count.schedule ?? []).map((entry, index) => ({
    name: entry.name ?? `schedule-${index + 1}`,
    cron: entry.cron.trim().split(/\s+/).join(' '),
    ...(entry.min !== undefined ? { min: entry.min } : {}),
    ...(entry.max !== undefined ? { max: entry.max } : {}),
  }));
  return {
    min,
    max: count.max ?? Math.max(min, 1),
    ...(count.cpu !== undefined ? { cpu: count.cpu } : {}),
    ...(count.memory !== undefined ? { memory: count.memory } : {}),
    ...(count.requests !== undefined ? { requests: count.requests } : {}),
    schedule,
  };
}

/** The build of an image: undefined when only a pushed `image` is named. */
function resolveBuild(build: RawService['build'], image: string | undefined, dir: string): BuildSpec | undefined {
  if (image !== undefined && build === undefined) return undefined;
  const context = resolve(dir, build?.context ?? DEFAULTS.service.build.context);
  return {
    context,
    dockerfile: resolve(context, build?.dockerfile ?? DEFAULTS.service.build.dockerfile),
    args: stringValues(build?.args),
    ...(build?.target ? { target: build.target } : {}),
  };
}

function resolveService(sections: Sections, entry: ServiceEntry, appImage: { build?: BuildSpec; image?: string }, dir: string): ServiceSpec {
  const raw = entry.raw;
  const own = hasOwnImage(entry);
  const image = own ? { build: resolveBuild(raw.build, raw.image, dir), image: raw.image } : appImage;
  const base = {
    name: entry.name,
    cpu: inherited(sections, entry, 'cpu').value ?? DEFAULTS.service.cpu,
    memory: inherited(sections, entry, 'memory').value ?? DEFAULTS.service.memory,
    arch: inherited(sections, entry, 'arch').value ?? DEFAULTS.service.arch,
    env: { ...stringValues(sections.env), ...stringValues(raw.env) },
    secrets: [...new Set([...(sections.secrets ?? []), ...(raw.secrets ?? [])])],
    ...(image.build ? { build: image.build } : {}),
    ...(image.image ? { image: image.image } : {}),
    ownImage: own,
    ...(raw.command ? { command: [...raw.command] } : {}),
    spot: raw.spot !== undefined && raw.spot !== false,
    spotStrategy: resolveSpot(raw.spot),
    ...(registryCredentialsOf(sections, entry).value ? { registryCredentials: registryCredentialsOf(sections, entry).value! } : {}),
    permissions: [...(sections.permissions ?? []), ...(raw.permissions ?? [])].map((statement) => ({ actions: [...statement.actions], resources: [...statement.resources] })),
    managedPolicies: [...new Set([...(sections.managedPolicies ?? []), ...(raw.managedPolicies ?? [])])],
    readonlyRootFilesystem: inherited(sections, entry, 'readonlyRootFilesystem').value ?? false,
  };
  const kind = serviceKind(entry);
  if (kind === 'worker') {
    const health = raw.health?.command
      ? {
          command: [...raw.health.command],
          interval: raw.health.interval ?? DEFAULTS.worker.health.interval,
          timeout: raw.health.timeout ?? DEFAULTS.worker.health.timeout,
          unhealthyThreshold: raw.health.unhealthyThreshold ?? DEFAULTS.worker.health.unhealthyThreshold,
          gracePeriod: raw.health.gracePeriod ?? DEFAULTS.worker.health.gracePeriod,
        }
      : undefined;
    return { ...base, kind: 'worker', count: resolveCount(raw.count), ...(health ? { health } : {}) };
  }
  if (kind === 'job') {
    const parsed = parseJobSchedule(raw.schedule ?? '');
    if (!parsed.ok) throw new Error(`resolve: services.${entry.name}.schedule passed validation but does not parse`);
    return { ...base, kind: 'job', schedule: parsed.schedule, timeout: parseDuration(raw.timeout ?? DEFAULTS.job.timeout) ?? DEFAULTS.job.timeout };
  }
  const { command: _command, ...healthFields } = raw.health ?? {};
  const sticky = raw.stickySessions ?? false;
  return {
    ...base,
    kind: 'web',
    port: raw.port!,
    health: { ...DEFAULTS.service.health, ...healthFields, container: healthFields.container ?? imageHasShell(image.build) },
    count: resolveCount(raw.count),
    route: { ...(raw.path ? { path: raw.path } : {}), ...(raw.host ? { host: raw.host.toLowerCase() } : {}) },
    loadBalancer: raw.loadBalancer ?? DEFAULTS.service.loadBalancer,
    public: raw.public ?? DEFAULTS.service.public,
    stickySessions: sticky === false ? false : (parseDuration(sticky) ?? false),
  };
}

function resolveSpot(spot: RawService['spot']): SpotStrategy {
  if (spot === undefined || typeof spot === 'boolean') return { ...DEFAULTS.spot };
  return { base: spot.base ?? DEFAULTS.spot.base, share: spot.share ?? DEFAULTS.spot.share };
}

/** Whether the image a service builds can run the container health check (it needs /bin/sh); unknown: yes. */
function imageHasShell(build: BuildSpec | undefined): boolean {
  if (!build) return true;
  const facts = dockerfileFacts(build.dockerfile, build.target);
  return !(facts.dockerfile && imageHasNoShell(facts.rootImage));
}

/** Build the resolved model; assumes the sections passed the schema and the semantic checks. */
export function resolveSections(sections: Sections, file: string, env: string, environments: string[]): ResolvedConfig {
  const dir = dirname(resolve(file));
  const db = sections.database && typeof sections.database === 'object' ? sections.database : null;
  const cache = sections.cache && typeof sections.cache === 'object' ? sections.cache : null;
  const network = typeof sections.network === 'object' ? sections.network : {};
  const domain = typeof sections.domain === 'object' ? sections.domain : null;
  const tasks = network.tasks ?? DEFAULTS.network.tasks;
  const dbVersion = String(db?.version ?? DEFAULTS.database.version);
  const cacheVersion = String(cache?.version ?? DEFAULTS.cache.version);
  const app = sections.app;
  const source = appImageSource(sections);
  const appBuild = resolveBuild(source.build, source.image, dir);
  const appImage = { ...(appBuild ? { build: appBuild } : {}), ...(source.image ? { image: source.image } : {}) };
  const services = serviceEntries(sections).map((entry) => resolveService(sections, entry, appImage, dir));
  const before = sections.release?.before;
  const beforeTask = before === undefined ? undefined
    : Array.isArray(before)
      ? { command: [...before], service: defaultReleaseService(services) }
      : { command: [...before.command], service: before.service ?? defaultReleaseService(services) };

  return {
    file: resolve(file),
    dir,
    env,
    target: env === DEFAULT_ENV ? 'local' : 'aws',
    production: isProductionEnv(env, sections.production),
    app,
    ...(sections.region ? { region: sections.region } : {}),
    ...(sections.account ? { account: sections.account } : {}),
    services,
    image: appImage,
    release: beforeTask ? { before: beforeTask } : {},
    exec: sections.exec ?? false,
    network: {
      tasks,
      egress: tasks === 'public' ? 'none' : (network.egress ?? DEFAULTS.network.egress),
      ...(network.zones ? { zones: [...network.zones] } : {}),
      cidr: network.cidr ?? DEFAULTS.network.cidr,
      ...(network.vpc ? { vpcId: network.vpc } : {}),
    },
    database: db
      ? {
          engine: 'postgres',
          version: dbVersion,
          instance: db.instance ?? DEFAULTS.database.instance,
          storage: db.storage ?? DEFAULTS.database.storage,
          backupDays: db.backupDays ?? DEFAULTS.database.backupDays,
          backupWindow: db.backupWindow ?? DEFAULTS.database.backupWindow,
          maintenanceWindow: db.maintenanceWindow ?? DEFAULTS.database.maintenanceWindow,
          maxStorage: db.maxStorage ?? (db.storage ?? DEFAULTS.database.storage) * DEFAULTS.database.maxStorageFactor,
          multiAz: db.multiAz ?? DEFAULTS.database.multiAz,
          name: db.name ?? app.replace(/-/g, '_'),
          username: 'berth',
          localImage: db.localImage ?? defaultLocalImage('postgres', dbVersion),
        }
      : null,
    cache: cache
      ? {
          engine: 'redis',
          version: cacheVersion,
          node: cache.node ?? DEFAULTS.cache.node,
          localImage: cache.localImage ?? defaultLocalImage('redis', cacheVersion),
        }
      : null,
    domain: domain ? { name: domain.name, ...(domain.zone ? { zone: domain.zone } : {}), ...(domain.zoneId ? { zoneId: domain.zoneId } : {}) } : null,
    alarms: {
      enabled: sections.alarms !== false,
      ...(sections.alarms && sections.alarms.email ? { email: sections.alarms.email } : {}),
      latencyP99: (sections.alarms && sections.alarms.latencyP99 !== undefined ? parseLatency(sections.alarms.latencyP99) : undefined) ?? DEFAULTS.alarms.latencyP99,
      errorRate: (sections.alarms && sections.alarms.errorRate) || DEFAULTS.alarms.errorRate,
      dashboard: (sections.alarms && sections.alarms.dashboard) ?? DEFAULTS.alarms.dashboard,
    },
    https: sections.https ?? DEFAULTS.https,
    logs: { retentionDays: sections.logs?.retentionDays ?? DEFAULTS.logs.retentionDays },
    // The retention of every environment is filled in by loadConfig, which sees the whole file.
    registry: { keepReleases: sections.registry?.keepReleases ?? DEFAULTS.registry.keepReleases, retention: [] },
    local: { port: sections.local?.port ?? DEFAULTS.local.port },
    deploy: {
      strategy: sections.deploy?.strategy ?? DEFAULTS.deploy.strategy,
      bake: parseDuration(sections.deploy?.bake ?? DEFAULTS.deploy.bake) ?? DEFAULTS.deploy.bake,
      canary: {
        percent: sections.deploy?.canary?.percent ?? DEFAULTS.deploy.canary.percent,
        for: parseDuration(sections.deploy?.canary?.for ?? DEFAULTS.deploy.canary.for) ?? DEFAULTS.deploy.canary.for,
      },
    },
    environments,
  };
}

/** `release.before` runs with the image and environment of the first web service (else the first service). */
function defaultReleaseService(services: readonly ServiceSpec[]): string {
  return (services.find((service) => service.kind === 'web') ?? services[0])?.name ?? DEFAULTS.serviceName;
}
