/**
 * The resolved configuration of one environment: berth.yml with the environment's overrides merged,
 * every default filled in and every shorthand expanded. Plans and targets read only this.
 */

export type Target = 'local' | 'aws';
export type Arch = 'x86_64' | 'arm64';

export interface HealthCheck {
  /** HTTP path answering 2xx when healthy; starts with "/". */
  path: string;
  /** Seconds between checks. */
  interval: number;
  /** Seconds before one check counts as failed (< interval). */
  timeout: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** Seconds a new task may take before failing checks count. */
  gracePeriod: number;
}

export interface ScheduledCount {
  /** Name derived from the index when not given, e.g. "schedule-1". */
  name: string;
  /** Five-field cron expression, UTC. */
  cron: string;
  min?: number;
  max?: number;
}

export interface TaskCount {
  min: number;
  max: number;
  /** Target-tracking goals; absent when not configured. */
  cpu?: number;
  memory?: number;
  requests?: number;
  schedule: ScheduledCount[];
}

export interface BuildSpec {
  /** Absolute path of the build context. */
  context: string;
  /** Absolute path of the Dockerfile. */
  dockerfile: string;
  /** Build arguments (public: they end up in the image). */
  args: Record<string, string>;
  target?: string;
}

export interface ServiceSpec {
  port: number;
  health: HealthCheck;
  cpu: number;
  memory: number;
  arch: Arch;
  count: TaskCount;
  /** Plain, non-secret environment for the container. */
  env: Record<string, string>;
  /** Names of secrets injected as environment variables. */
  secrets: string[];
  /** How to build the image; absent when `image` names a pushed image. */
  build?: BuildSpec;
  image?: string;
  command?: string[];
  loadBalancer: boolean;
  public: boolean;
  /** Sticky-session cookie duration in seconds, or false. */
  stickySessions: number | false;
  spot: boolean;
}

export interface NetworkSpec {
  /** Where tasks run: public subnets with a public IP (default) or private subnets. */
  tasks: 'public' | 'private';
  /** How private tasks reach ECR, logs and secrets: 'none' for public tasks. */
  egress: 'none' | 'endpoints' | 'nat';
  /** Explicit availability zones, or undefined for the region's first two. */
  zones?: string[];
  cidr: string;
}

export interface DatabaseSpec {
  engine: 'postgres';
  /** Major version, e.g. "16". */
  version: string;
  instance: string;
  /** GiB. */
  storage: number;
  backupDays: number;
  multiAz: boolean;
  /** Database name (the app name with _ for -). */
  name: string;
  /** Master user name. */
  username: string;
  /** Image for the local environment. */
  localImage: string;
}

export interface CacheSpec {
  engine: 'redis';
  version: string;
  node: string;
  localImage: string;
}

export interface DomainSpec {
  name: string;
  /** Hosted zone name; default: the domain without its first label. */
  zone?: string;
  zoneId?: string;
}

export interface ResolvedConfig {
  /** Absolute path of berth.yml. */
  file: string;
  /** Absolute path of the folder holding berth.yml. */
  dir: string;
  env: string;
  target: Target;
  production: boolean;
  app: string;
  region?: string;
  account?: string;
  service: ServiceSpec;
  network: NetworkSpec;
  database: DatabaseSpec | null;
  cache: CacheSpec | null;
  domain: DomainSpec | null;
  alarms: { enabled: boolean; email?: string };
  logs: { retentionDays: number };
  registry: { keepReleases: number };
  local: { port: number };
  /** Names of all environments declared in the file (always including local). */
  environments: string[];
  /** The template this environment was made from (`preview` for `pr-12`); absent for declared environments. */
  fromTemplate?: string;
}

/** The environment variables berth itself injects, which `service.env` may not set. */
export function reservedEnvNames(config: Pick<ResolvedConfig, 'database' | 'cache'>): string[] {
  const names: string[] = [];
  if (config.database) names.push('DATABASE_URL', 'PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD');
  if (config.cache) names.push('REDIS_URL');
  return names;
}
