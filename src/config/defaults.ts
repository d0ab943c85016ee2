/** Every default berth applies to berth.yml, in one place. reference.ts and the JSON Schema repeat them for readers. */

export const DEFAULT_ENV = 'local';

export const DEFAULTS = {
  version: 1,
  service: {
    health: { path: '/', interval: 30, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, gracePeriod: 60 },
    cpu: 256,
    memory: 512,
    arch: 'x86_64',
    count: 1,
    build: { context: '.', dockerfile: 'Dockerfile' },
    loadBalancer: true,
    public: true,
    stickySessions: false,
    spot: false,
    kind: 'web',
  },
  /** The name of the service the `service:` shorthand declares. */
  serviceName: 'web',
  worker: { health: { interval: 30, timeout: 5, unhealthyThreshold: 3, gracePeriod: 60 } },
  job: { timeout: 900 },
  network: { tasks: 'public', egress: 'endpoints', cidr: '10.0.0.0/16' },
  database: {
    engine: 'postgres', version: '16', instance: 'db.t4g.micro', storage: 20, backupDays: 7, multiAz: false,
    backupWindow: '03:00-04:00', maintenanceWindow: 'sun:04:30-sun:05:30',
    /** maxStorage is this many times storage unless berth.yml says otherwise. */
    maxStorageFactor: 5,
  },
  cache: { engine: 'redis', version: '7.1', node: 'cache.t4g.micro' },
  logs: { retentionDays: 30 },
  registry: { keepReleases: 10 },
  alarms: { latencyP99: 2, errorRate: 1, dashboard: false },
  https: true,
  spot: { base: 0, share: 100 },
  local: { port: 8080 },
  deploy: { strategy: 'rolling', bake: 300, canary: { percent: 10, for: 300 } },
  /** Environments with these names are production unless they say `production: false`. */
  productionNames: ['prod', 'production'],
} as const;

/** Official images for local dependencies; berth.yml may name others. */
export function defaultLocalImage(engine: 'postgres' | 'redis', version: string): string {
  if (engine === 'postgres') return `postgres:${version}`;
  return `redis:${version.split('.')[0]}`;
}
