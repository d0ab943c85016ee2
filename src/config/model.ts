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
  /**
   * Whether the container health check runs (ECS and the local engine alike; container-health-command.ts).
   * health.container, else false when the Dockerfile builds on an image without a shell (FROM scratch), else true.
   * The load balancer's checks run either way. Always set by loadConfig; absent (hand-made configs in tests) means true.
   */
  container?: boolean;
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

export type ServiceKind = 'web' | 'worker' | 'job';

/** What every kind of service has. */
interface ServiceBase {
  /** The key under `services:` (`web` for the `service:` shorthand): lowercase letters, digits, hyphens. */
  name: string;
  kind: ServiceKind;
  cpu: number;
  memory: number;
  arch: Arch;
  /** Plain, non-secret environment: the top level's `env` with the service's own merged over it. */
  env: Record<string, string>;
  /** Names of secrets injected as environment variables: the top level's and the service's own. */
  secrets: string[];
  /** How to build the image; absent when `image` names a pushed image. */
  build?: BuildSpec;
  image?: string;
  /**
   * False: the service runs the app's image, built once per release and shared by every such service.
   * True: it has its own `build` or `image`.
   */
  ownImage: boolean;
  command?: string[];
  spot: boolean;
}

/** Where a web service's requests come from on the shared load balancer; neither: the default route. */
export interface WebRoute {
  /** A path pattern such as /api/* (ALB path-pattern syntax: * and ? wildcards). */
  path?: string;
  host?: string;
}

export interface WebServiceSpec extends ServiceBase {
  kind: 'web';
  port: number;
  health: HealthCheck;
  count: TaskCount;
  route: WebRoute;
  loadBalancer: boolean;
  public: boolean;
  /** Sticky-session cookie duration in seconds, or false. */
  stickySessions: number | false;
}

/** A worker's optional health check: a command run inside the container that exits 0 when healthy. */
export interface CommandHealthCheck {
  command: string[];
  interval: number;
  timeout: number;
  unhealthyThreshold: number;
  gracePeriod: number;
}

export interface WorkerServiceSpec extends ServiceBase {
  kind: 'worker';
  count: TaskCount;
  /** Without a check, healthy means the process keeps running. */
  health?: CommandHealthCheck;
}

/** When a job runs: a five-field UTC cron, or a fixed rate. */
export type JobSchedule =
  | { kind: 'cron'; cron: string }
  | { kind: 'rate'; value: number; unit: 'minute' | 'hour' | 'day' };

export interface JobServiceSpec extends ServiceBase {
  kind: 'job';
  schedule: JobSchedule;
  /** Seconds a run may take before it is stopped. */
  timeout: number;
}

export type ServiceSpec = WebServiceSpec | WorkerServiceSpec | JobServiceSpec;

/** The app's image: built once per release (or pulled), shared by every service without its own. */
export interface AppImageSpec {
  build?: BuildSpec;
  image?: string;
}

export interface ReleaseTasks {
  /** A one-off task run with the new release's image before traffic moves; a non-zero exit stops the release. */
  before?: { command: string[]; service: string };
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
  /** Every service, in the order berth.yml lists them (the `service:` shorthand gives one named `web`). */
  services: ServiceSpec[];
  /** The app's image shared by the services without their own build or image. */
  image: AppImageSpec;
  release: ReleaseTasks;
  /** `berth exec` into running tasks (ECS Exec on AWS). */
  exec: boolean;
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

