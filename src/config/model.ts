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

/** One IAM statement for a service's task role. */
export interface PermissionStatement {
  actions: string[];
  resources: string[];
}

/** How a service's tasks are split between regular Fargate and Fargate Spot. */
export interface SpotStrategy {
  /** Tasks always on regular (on-demand) Fargate. */
  base: number;
  /** % of the tasks above the base that run on Spot (100: all of them). */
  share: number;
}

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
  /** Whether any task runs on Fargate Spot (never in production: validation refuses it). */
  spot: boolean;
  /** The split when `spot` is on: `spot: true` is { base: 0, share: 100 } (also when absent). */
  spotStrategy?: SpotStrategy;
  /** For an image in a private registry other than ECR: the berth secret holding {"username","password"}. */
  registryCredentials?: string;
  /** IAM statements for the task role: the top level's and the service's own (loadConfig always fills it; [] when absent). */
  permissions?: PermissionStatement[];
  /** Managed policy names or ARNs attached to the task role: the top level's and the service's own ([] when absent). */
  managedPolicies?: string[];
  /** Mount the container's root filesystem read-only (false when absent). */
  readonlyRootFilesystem?: boolean;
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
  /** An existing VPC to deploy into (looked up at plan time) instead of creating one. */
  vpcId?: string;
}

export interface DatabaseSpec {
  engine: 'postgres';
  /** Major version, e.g. "16". */
  version: string;
  instance: string;
  /** GiB. */
  storage: number;
  backupDays: number;
  /** Daily UTC window for automated backups, hh:mm-hh:mm. */
  backupWindow: string;
  /** Weekly UTC window for engine patches, ddd:hh:mm-ddd:hh:mm. */
  maintenanceWindow: string;
  /** GiB storage may grow to (storage autoscaling); equal to `storage`: off. */
  maxStorage: number;
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

export type DeployStrategyName = 'rolling' | 'blue-green' | 'canary';

/** How a release replaces the running one (berth.yml `deploy`). Only web services behind the load balancer switch sets; workers roll. */
export interface DeployStrategy {
  strategy: DeployStrategyName;
  /** Seconds the old set stays ready to take traffic back once the new one has all of it (blue-green, canary). */
  bake: number;
  /** canary: the share of requests (%) the new set takes first, and for how many seconds. */
  canary: { percent: number; for: number };
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
  alarms: AlarmSettings;
  /** Without a domain: true puts CloudFront (https://) in front of the load balancer; false serves plain HTTP. */
  https: boolean;
  logs: { retentionDays: number };
  registry: RegistrySettings;
  local: { port: number };
  deploy: DeployStrategy;
  /** Names of all environments declared in the file (always including local). */
  environments: string[];
  /** The template this environment was made from (`preview` for `pr-12`); absent for declared environments. */
  fromTemplate?: string;
}


export interface AlarmSettings {
  enabled: boolean;
  email?: string;
  /** Seconds the p99 target response time may reach before the latency alarm fires. */
  latencyP99: number;
  /** % of requests answered 5xx that raises the error-rate alarms. */
  errorRate: number;
  /** A CloudWatch dashboard of the environment. */
  dashboard: boolean;
}

/** Which release tags of one environment (or of every environment a template makes) the registry keeps. */
export interface RegistryRetention {
  /** The environment, or the template's pattern (`pr-*`). */
  environment: string;
  /** ECR tag pattern of its release tags: `prod-release-*`, `pr-*-release-*`. */
  tagPattern: string;
  production: boolean;
  keepReleases: number;
}

export interface RegistrySettings {
  /** Releases of this environment whose images are kept. */
  keepReleases: number;
  /**
   * Every AWS environment of the file and what the shared repository keeps of it (the registry stack is one per app,
   * so its lifecycle policy is the same whichever environment deploys it).
   */
  retention: RegistryRetention[];
}
