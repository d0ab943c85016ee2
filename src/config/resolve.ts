/** One environment's merged sections -> the ResolvedConfig plans and targets read. */
import { dirname, resolve } from 'node:path';
import { DEFAULT_ENV, DEFAULTS, defaultLocalImage } from './defaults.js';
import { parseDuration } from './durations.js';
import type { Sections } from './merge-environment.js';
import type { ResolvedConfig, ScheduledCount, TaskCount } from './model.js';

export function isProductionEnv(env: string, declared: boolean | undefined): boolean {
  if (env === DEFAULT_ENV) return false;
  return declared ?? (DEFAULTS.productionNames as readonly string[]).includes(env);
}

function stringValues(values: Record<string, string | number | boolean> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([key, value]) => [key, String(value)]));
}

function resolveCount(count: NonNullable<Sections['service']>['count']): TaskCount {
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

/** Build the resolved model; assumes the sections passed the schema and the semantic checks. */
export function resolveSections(sections: Sections, file: string, env: string, environments: string[]): ResolvedConfig {
  const dir = dirname(resolve(file));
  const service = sections.service!;
  const health = { ...DEFAULTS.service.health, ...service.health };
  const db = sections.database && typeof sections.database === 'object' ? sections.database : null;
  const cache = sections.cache && typeof sections.cache === 'object' ? sections.cache : null;
  const network = typeof sections.network === 'object' ? sections.network : {};
  const domain = typeof sections.domain === 'object' ? sections.domain : null;
  const tasks = network.tasks ?? DEFAULTS.network.tasks;
  const context = resolve(dir, service.build?.context ?? DEFAULTS.service.build.context);
  const build = service.image !== undefined && service.build === undefined
    ? undefined
    : {
        context,
        dockerfile: resolve(context, service.build?.dockerfile ?? DEFAULTS.service.build.dockerfile),
        args: stringValues(service.build?.args),
        ...(service.build?.target ? { target: service.build.target } : {}),
      };
  const sticky = service.stickySessions ?? false;
  const dbVersion = String(db?.version ?? DEFAULTS.database.version);
  const cacheVersion = String(cache?.version ?? DEFAULTS.cache.version);
  const app = sections.app;

  return {
    file: resolve(file),
    dir,
    env,
    target: env === DEFAULT_ENV ? 'local' : 'aws',
    production: isProductionEnv(env, sections.production),
    app,
    ...(sections.region ? { region: sections.region } : {}),
    ...(sections.account ? { account: sections.account } : {}),
    service: {
      port: service.port!,
      health,
      cpu: service.cpu ?? DEFAULTS.service.cpu,
      memory: service.memory ?? DEFAULTS.service.memory,
      arch: service.arch ?? DEFAULTS.service.arch,
      count: resolveCount(service.count),
      env: stringValues(service.env),
      secrets: [...(service.secrets ?? [])],
      ...(build ? { build } : {}),
      ...(service.image ? { image: service.image } : {}),
      ...(service.command ? { command: [...service.command] } : {}),
      loadBalancer: service.loadBalancer ?? DEFAULTS.service.loadBalancer,
      public: service.public ?? DEFAULTS.service.public,
      stickySessions: sticky === false ? false : (parseDuration(sticky) ?? false),
      spot: service.spot ?? DEFAULTS.service.spot,
    },
    network: {
      tasks,
      egress: tasks === 'public' ? 'none' : (network.egress ?? DEFAULTS.network.egress),
      ...(network.zones ? { zones: [...network.zones] } : {}),
      cidr: network.cidr ?? DEFAULTS.network.cidr,
    },
    database: db
      ? {
          engine: 'postgres',
          version: dbVersion,
          instance: db.instance ?? DEFAULTS.database.instance,
          storage: db.storage ?? DEFAULTS.database.storage,
          backupDays: db.backupDays ?? DEFAULTS.database.backupDays,
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
    alarms: sections.alarms === false ? { enabled: false } : { enabled: true, ...(sections.alarms?.email ? { email: sections.alarms.email } : {}) },
    logs: { retentionDays: sections.logs?.retentionDays ?? DEFAULTS.logs.retentionDays },
    registry: { keepReleases: sections.registry?.keepReleases ?? DEFAULTS.registry.keepReleases },
    local: { port: sections.local?.port ?? DEFAULTS.local.port },
    environments,
  };
}
