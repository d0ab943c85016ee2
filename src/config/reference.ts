/**
 * The short doc beside each section of berth.yml: what it means, its default, an example.
 * `berth init` writes these as comments; scripts/gen-reference.mjs renders docs/berth-yml.md from them.
 * Defaults are read from defaults.ts, never retyped here.
 */
import { DEFAULT_ENV, DEFAULTS, defaultLocalImage } from './defaults.js';
import { formatDuration } from './durations.js';
import { FARGATE_CPU_VALUES, describeAllowedMemory } from './fargate.js';
import { CONFIG_FILE_MAX_BYTES, CONFIG_MAX_ALIASES, CONFIG_MAX_DEPTH, CONFIG_MAX_VALUES, COMMAND_WORD_MAX, COMMAND_WORDS_MAX, ENV_VALUE_MAX, HEALTH_PATH_MAX, IMAGE_REFERENCE_MAX, NAME_MAX, PATH_MAX, TEXT_MAX } from './limits.js';
import { APP_NAME_MAX, LOG_RETENTION_DAYS, POSTGRES_VERSIONS, REDIS_VERSIONS } from './schema.js';

export interface FieldDoc {
  /** Key inside the section, e.g. "interval" in service.health. */
  key: string;
  /** What it means, one sentence. */
  doc: string;
  /** The default as a reader sees it; absent when there is none (required or optional without default). */
  default?: string;
}

export interface SectionDoc {
  /** Dotted path of the section: "app", "service", "service.health". */
  key: string;
  /** What the section means, one or two sentences. */
  summary: string;
  /** The default in words ("required", "1 task", ...). */
  default: string;
  /** A YAML example of the whole section, as it would appear in berth.yml. */
  example: string;
  fields?: FieldDoc[];
}

/** A default value as it would be written in berth.yml. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`;
  if (value !== null && typeof value === 'object') return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${shown(v)}`).join(', ')} }`;
  return String(value);
}

const health = DEFAULTS.service.health;
const db = DEFAULTS.database;
const cache = DEFAULTS.cache;

export const SECTION_DOCS: readonly SectionDoc[] = [
  {
    key: 'version',
    summary: 'The berth.yml format version. Only 1 exists; berth refuses files written for a format it does not know.',
    default: shown(DEFAULTS.version),
    example: 'version: 1',
  },
  {
    key: 'app',
    summary: `The app's name. Every AWS and Docker name berth creates starts with it, so it is short: 2-${APP_NAME_MAX} lowercase letters, digits and hyphens, starting with a letter (load balancer and target group names are limited to 32 characters).`,
    default: 'required',
    example: 'app: news-api',
  },
  {
    key: 'region',
    summary: 'The AWS region AWS environments deploy to. The local environment ignores it.',
    default: 'AWS_REGION, or the region of the AWS profile',
    example: 'region: eu-west-1',
  },
  {
    key: 'service',
    summary: 'The container berth runs when the app is one service: the port it listens on, how to check it is healthy, its size, how many copies, its environment and secrets, and how to build it. It is the shorthand for `services: { web: ... }`; a file uses `service:` or `services:`, not both.',
    default: 'required unless `services:` is given (at least service.port)',
    example: [
      'service:',
      '  port: 8000',
      '  health: { path: /health }',
      `  cpu: ${DEFAULTS.service.cpu}`,
      `  memory: ${DEFAULTS.service.memory}`,
      '  count: 2',
      '  env: { LOG_LEVEL: info }',
      '  secrets: [NEWSAPI_KEY]',
    ].join('\n'),
    fields: [
      { key: 'kind', doc: 'web: behind the load balancer, checked over HTTP. worker: no port, no load balancer, healthy while its process runs (or its health.command passes). job: runs to completion on a schedule.', default: DEFAULTS.service.kind },
      { key: 'port', doc: "web: the port the container's server listens on (1-65535). It must listen on 0.0.0.0, not 127.0.0.1, or the load balancer cannot reach it." },
      { key: 'path', doc: 'web: a path pattern such as /api/* that routes requests to this service on the shared load balancer (and the local balancer); one web service without path or host takes every other request.' },
      { key: 'host', doc: 'web: a host name such as api.example.com routed to this service.' },
      { key: 'schedule', doc: 'job: when it runs, a five-field UTC cron such as "*/15 * * * *" or rate(15 minutes).' },
      { key: 'timeout', doc: 'job: the longest one run may take before it is stopped (1m-14d).', default: formatDuration(DEFAULTS.job.timeout) },
      { key: 'health', doc: 'The health check, see service.health.' },
      { key: 'cpu', doc: `Fargate CPU units, 1024 = 1 vCPU (one of ${FARGATE_CPU_VALUES.join(', ')}).`, default: shown(DEFAULTS.service.cpu) },
      { key: 'memory', doc: `MiB; must be a Fargate combination with cpu (with cpu ${DEFAULTS.service.cpu}: ${describeAllowedMemory(DEFAULTS.service.cpu)}).`, default: shown(DEFAULTS.service.memory) },
      { key: 'arch', doc: 'CPU architecture of the image and the tasks: x86_64 or arm64 (Graviton, about 20% cheaper; the image must be built for it).', default: shown(DEFAULTS.service.arch) },
      { key: 'count', doc: 'How many tasks run, see service.count.', default: shown(DEFAULTS.service.count) },
      { key: 'env', doc: 'Plain, non-secret environment variables, NAME: value.' },
      { key: 'secrets', doc: 'Names of secrets given to the container as environment variables. Values are never written here: set them with `berth secrets set NAME`.' },
      { key: 'build', doc: 'How to build the image, see service.build.', default: shown(DEFAULTS.service.build) },
      { key: 'image', doc: 'A pushed image to run instead of building one: an image reference such as nginx:1.27 or ghcr.io/acme/api:v1 (with @sha256:<digest> to pin it).' },
      { key: 'command', doc: "Overrides the image's CMD, as a list of words." },
      { key: 'loadBalancer', doc: 'true: an Application Load Balancer in front of the tasks. false: one task with a public IP and no load balancer (cheapest, no HTTPS, no scaling).', default: shown(DEFAULTS.service.loadBalancer) },
      { key: 'public', doc: 'true: reachable from the internet. false: an internal load balancer, reachable only inside the VPC.', default: shown(DEFAULTS.service.public) },
      { key: 'stickySessions', doc: 'false, or how long the load balancer keeps sending a browser to the same task (e.g. 1h). Websocket apps such as Streamlit need it.', default: shown(DEFAULTS.service.stickySessions) },
      { key: 'spot', doc: `Run on Fargate Spot (up to 70% cheaper, may be stopped at two minutes' notice): true for every task, or { base, share } for an on-demand base with Spot on top — base tasks always on regular Fargate (default ${DEFAULTS.spot.base}), share % of the rest on Spot (default ${DEFAULTS.spot.share}). In production environments only a web or worker service with base 1 or more may use it (a service entirely on Spot, or a job, is refused there).`, default: shown(DEFAULTS.service.spot) },
      { key: 'registryCredentials', doc: 'For an image in a private registry other than ECR (GitHub, Docker Hub, ...): the name of a secret set with `berth secrets set NAME` whose value is {"username": "...", "password": "<token>"}; ECS pulls with it (repository credentials). ECR images need none: the execution role may pull exactly the image\'s repository.' },
      { key: 'permissions', doc: 'What the app may do in AWS: IAM statements { actions, resources } for this service\'s task role only, added to the top level\'s. Every action on every resource (* on *) is refused.' },
      { key: 'managedPolicies', doc: 'IAM managed policies (names such as AmazonS3ReadOnlyAccess, or ARNs) attached to this service\'s task role, added to the top level\'s. cdk-nag reports the ones it flags in `berth plan`.' },
      { key: 'readonlyRootFilesystem', doc: 'Mount the container\'s root filesystem read-only, so a compromised process cannot change the image\'s files (the app must not write outside mounted volumes).', default: shown(false) },
    ],
  },
  {
    key: 'service.health',
    summary: 'One health check used everywhere: the load balancer target group, the container health check and the local environment. The path must answer 2xx without logging in.',
    default: shown(health),
    example: ['service:', '  health:', '    path: /health', `    interval: ${health.interval}`, `    timeout: ${health.timeout}`, `    gracePeriod: ${health.gracePeriod}`].join('\n'),
    fields: [
      { key: 'path', doc: `web: HTTP path that answers 2xx when the app is healthy: starts with "/", URL path and query characters only (RFC 3986; encode others as %XX), at most ${HEALTH_PATH_MAX} characters.`, default: shown(health.path) },
      { key: 'container', doc: 'web: also run the check from inside the container (ECS and the local engine alike) with the first of curl, wget, python or node the image has, started by /bin/sh. false: only the load balancer checks, for images without a shell or any HTTP client.', default: 'true; false when the Dockerfile builds FROM scratch, distroless, Chainguard or chiseled images' },
      { key: 'command', doc: 'worker: a command run inside the container that exits 0 when healthy, e.g. [celery, -A, app, inspect, ping]; without it a worker is healthy while its process runs.' },
      { key: 'interval', doc: 'Seconds between checks (5-300).', default: shown(health.interval) },
      { key: 'timeout', doc: 'Seconds before one check counts as failed (2-120, less than interval).', default: shown(health.timeout) },
      { key: 'healthyThreshold', doc: 'Consecutive passes before a task receives traffic (2-10).', default: shown(health.healthyThreshold) },
      { key: 'unhealthyThreshold', doc: 'Consecutive failures before a task is replaced (2-10).', default: shown(health.unhealthyThreshold) },
      { key: 'gracePeriod', doc: 'Seconds a new task may take to start before failed checks count (0-3600).', default: shown(health.gracePeriod) },
    ],
  },
  {
    key: 'service.count',
    summary: 'How many tasks run: a number, or a range with autoscaling targets and schedules. Two or more tasks spread over two availability zones keep the app up during a deploy or an outage.',
    default: `${shown(DEFAULTS.service.count)} task`,
    example: ['service:', '  count:', '    min: 2', '    max: 10', '    cpu: 70          # target average CPU %', '    requests: 1000   # target requests per task per minute', '    schedule:', '      - { cron: "0 20 * * 1-5", min: 1, max: 2 }   # UTC'].join('\n'),
    fields: [
      { key: 'min', doc: 'Fewest tasks.', default: '1' },
      { key: 'max', doc: 'Most tasks.', default: 'min' },
      { key: 'cpu', doc: 'Scale to keep average CPU at this % (10-95).' },
      { key: 'memory', doc: 'Scale to keep average memory at this % (10-95).' },
      { key: 'requests', doc: 'Scale to keep requests per task per minute at this number (needs the load balancer).' },
      { key: 'schedule', doc: 'Scheduled changes of min/max: { cron, min, max }, cron in UTC with five fields.' },
    ],
  },
  {
    key: 'service.build',
    summary: 'How berth builds the image: the folder sent to Docker, the Dockerfile, build arguments and the stage. Build arguments end up in the image, so they are for public values only (e.g. NEXT_PUBLIC_*); secrets go in service.secrets.',
    default: shown(DEFAULTS.service.build),
    example: ['service:', '  build:', `    context: ${DEFAULTS.service.build.context}`, `    dockerfile: ${DEFAULTS.service.build.dockerfile}`, '    args: { NEXT_PUBLIC_API_URL: https://api.example.com }', '    target: runtime'].join('\n'),
    fields: [
      { key: 'context', doc: 'Build context, relative to berth.yml; it must be inside the folder of berth.yml once symbolic links are followed.', default: DEFAULTS.service.build.context },
      { key: 'dockerfile', doc: 'Dockerfile, relative to the context; it must be inside the folder of berth.yml once symbolic links are followed, and be a Dockerfile (with a FROM).', default: DEFAULTS.service.build.dockerfile },
      { key: 'args', doc: 'Build arguments (public: they stay in the image).' },
      { key: 'target', doc: 'The stage of a multi-stage Dockerfile to build.', default: 'the last stage' },
    ],
  },
  {
    key: 'services',
    summary: 'Several services built from one image: web services behind one load balancer (routed by path or host), workers that keep running, and jobs on a schedule. Each takes the same keys as `service:`; the top-level build, image, env, secrets, arch, cpu and memory are shared by every service that does not set its own. Services reach each web service at <NAME>_URL (e.g. API_URL=http://api:9000), on AWS through Service Connect and locally through the network.',
    default: 'one service, from `service:`',
    example: [
      'services:',
      '  web:',
      '    port: 8000',
      '    health: { path: /health }',
      '  api:',
      '    port: 9000',
      '    path: /api/*',
      '  worker:',
      '    kind: worker',
      '    command: [celery, -A, app, worker]',
      '  fetch:',
      '    kind: job',
      '    command: [python, fetch.py]',
      '    schedule: "*/15 * * * *"',
      '    timeout: 10m',
    ].join('\n'),
  },
  {
    key: 'build',
    summary: 'With `services:`, how the app image is built once per release and shared by every service without its own build or image (the keys of service.build).',
    default: shown(DEFAULTS.service.build),
    example: ['build:', '  context: .', '  target: runtime'].join('\n'),
  },
  {
    key: 'image',
    summary: 'With `services:`, a pushed image shared by every service without its own, instead of building one.',
    default: 'none (build)',
    example: 'image: ghcr.io/acme/shop:1.4.2',
  },
  {
    key: 'env',
    summary: 'Plain environment variables every service gets; a service\'s own env is merged over them.',
    default: 'none',
    example: 'env: { LOG_LEVEL: info }',
  },
  {
    key: 'secrets',
    summary: 'Secret names every service gets, added to each service\'s own. Values are set with `berth secrets set NAME`.',
    default: 'none',
    example: 'secrets: [STRIPE_KEY]',
  },
  {
    key: 'arch',
    summary: 'The CPU architecture of every service without its own (x86_64 or arm64); services that share the app image share its architecture.',
    default: shown(DEFAULTS.service.arch),
    example: 'arch: arm64',
  },
  {
    key: 'cpu',
    summary: 'Fargate CPU units of every service without its own.',
    default: shown(DEFAULTS.service.cpu),
    example: 'cpu: 512\nmemory: 1024',
  },
  {
    key: 'memory',
    summary: 'MiB of every service without its own; a Fargate combination with cpu.',
    default: shown(DEFAULTS.service.memory),
    example: 'memory: 1024',
  },
  {
    key: 'registryCredentials',
    summary: 'With a top-level `image` from a private registry other than ECR: the berth secret holding {"username","password"} ECS pulls it with (see service.registryCredentials).',
    default: 'none',
    example: 'image: ghcr.io/acme/shop:1.4.2\nregistryCredentials: GHCR_PULL',
  },
  {
    key: 'permissions',
    summary: 'IAM statements every service\'s task role gets (the app\'s own AWS calls), added to each service\'s own; like `secrets`, the top level is shared. Attached to task roles only, never to the role ECS uses to start tasks.',
    default: 'none: the app may call nothing in AWS',
    example: ['permissions:', '  - actions: [s3:GetObject, s3:PutObject]', '    resources: ["arn:aws:s3:::shop-uploads/*"]', '  - actions: [ses:SendEmail]', '    resources: ["arn:aws:ses:us-east-1:123456789012:identity/example.com"]'].join('\n'),
  },
  {
    key: 'managedPolicies',
    summary: 'IAM managed policies attached to every service\'s task role, added to each service\'s own.',
    default: 'none',
    example: 'managedPolicies: [AmazonS3ReadOnlyAccess]',
  },
  {
    key: 'readonlyRootFilesystem',
    summary: 'A read-only root filesystem for every service that does not say otherwise.',
    default: shown(false),
    example: 'readonlyRootFilesystem: true',
  },
  {
    key: 'https',
    summary: 'How an AWS environment without a `domain` is reached. true: CloudFront in front of the load balancer gives an https://<id>.cloudfront.net address with AWS\'s certificate (no caching, every method, headers, cookies and query strings forwarded, websockets work), and the load balancer admits only CloudFront, which also sends a secret header the load balancer checks. false: plain HTTP on the load balancer\'s own address (`berth plan` warns). With a domain, HTTPS is on the load balancer with your certificate.',
    default: shown(DEFAULTS.https),
    example: 'environments:\n  dev: { https: false }',
  },
  {
    key: 'release',
    summary: 'Work done once per release. `before` runs a one-off task with the new image (and the environment of the first web service, or of `service`) before any service changes — a database migration, say; a non-zero exit stops the release and the previous one keeps serving.',
    default: 'nothing',
    example: ['release:', '  before: [python, manage.py, migrate]', '# or', 'release:', '  before: { command: [python, manage.py, migrate], service: web }'].join('\n'),
    fields: [
      { key: 'before', doc: 'The command, or { command, service }.' },
    ],
  },
  {
    key: 'exec',
    summary: 'Allow `berth exec` into running tasks. On AWS this turns on ECS Exec (through SSM Session Manager) for the environment\'s services and grants the task role the SSM messages permissions; locally `berth exec` always works.',
    default: shown(false),
    example: 'environments:\n  staging: { exec: true }',
  },
  {
    key: 'network',
    summary: 'Where tasks run. public: public subnets with public IPs (no NAT gateway to pay for). private: private subnets reached only through the load balancer, with VPC endpoints (or a NAT gateway) to reach AWS services.',
    default: shown(DEFAULTS.network.tasks),
    example: ['network:', '  tasks: private', `  egress: ${DEFAULTS.network.egress}   # or nat, when the app calls the internet`].join('\n'),
    fields: [
      { key: 'tasks', doc: 'public or private.', default: DEFAULTS.network.tasks },
      { key: 'egress', doc: 'How private tasks reach AWS and the internet: endpoints (AWS services only) or nat (anything).', default: DEFAULTS.network.egress },
      { key: 'zones', doc: 'Availability zones to use (at least two).', default: 'the first two of the region' },
      { key: 'cidr', doc: 'The VPC address range, /16 to /24.', default: DEFAULTS.network.cidr },
      { key: 'vpc', doc: 'An existing VPC (vpc-...) to deploy into instead of creating one: its public subnets take the load balancer (and public tasks), its private subnets with a route out take private tasks, its isolated (else private) subnets the database and cache. berth looks it up once with AWS credentials (`berth diff` or `berth deploy`) and keeps the answer in cdk.context.json beside berth.yml (commit it); `berth plan` then reads it without credentials.' },
    ],
  },
  {
    key: 'database',
    summary: 'A PostgreSQL database: RDS on AWS, a postgres container locally. The app receives DATABASE_URL and PGHOST/PGPORT/PGDATABASE/PGUSER/PGPASSWORD; the password lives in Secrets Manager.',
    default: 'none',
    example: ['database: postgres', '# or', 'database:', '  engine: postgres', `  version: "${db.version}"`, `  instance: ${db.instance}`, `  storage: ${db.storage}`, `  backupDays: ${db.backupDays}`, `  multiAz: ${db.multiAz}`].join('\n'),
    fields: [
      { key: 'engine', doc: 'postgres.', default: db.engine },
      { key: 'version', doc: `PostgreSQL major version (${POSTGRES_VERSIONS.join(', ')}).`, default: `"${db.version}"` },
      { key: 'instance', doc: 'RDS instance class.', default: db.instance },
      { key: 'storage', doc: 'GiB of gp3 storage (20-65536).', default: shown(db.storage) },
      { key: 'backupDays', doc: 'Days of automated backups (0-35).', default: shown(db.backupDays) },
      { key: 'backupWindow', doc: 'The daily UTC window automated backups run in, at least 30 minutes, not overlapping the maintenance window.', default: db.backupWindow },
      { key: 'maintenanceWindow', doc: 'The weekly UTC window RDS may apply patches in (a Multi-AZ database fails over instead of stopping).', default: db.maintenanceWindow },
      { key: 'maxStorage', doc: 'GiB the storage may grow to on its own when it runs low (storage autoscaling; you pay for what is allocated); equal to storage turns it off.', default: `${db.maxStorageFactor} × storage` },
      { key: 'multiAz', doc: 'A standby in a second zone (doubles the instance cost).', default: shown(db.multiAz) },
      { key: 'name', doc: 'Database name.', default: 'the app name with _ for -' },
      { key: 'localImage', doc: 'Image for the local environment (an image reference).', default: defaultLocalImage('postgres', db.version) },
    ],
  },
  {
    key: 'cache',
    summary: 'A Redis cache: ElastiCache on AWS, a redis container locally. The app receives REDIS_URL. On AWS it is encrypted in transit and needs a password (Redis AUTH): berth generates the token into Secrets Manager and REDIS_URL (rediss://:<token>@host:6379) reaches the app as an ECS secret, never in a template.',
    default: 'none',
    example: ['cache: redis', '# or', 'cache:', '  engine: redis', `  version: "${cache.version}"`, `  node: ${cache.node}`].join('\n'),
    fields: [
      { key: 'engine', doc: 'redis.', default: cache.engine },
      { key: 'version', doc: `Redis version (${REDIS_VERSIONS.join(', ')}); quote it.`, default: `"${cache.version}"` },
      { key: 'node', doc: 'ElastiCache node type.', default: cache.node },
      { key: 'localImage', doc: 'Image for the local environment (an image reference).', default: defaultLocalImage('redis', cache.version) },
    ],
  },
  {
    key: 'domain',
    summary: 'Serve the app on your own hostname over HTTPS: berth requests an ACM certificate validated by DNS in the Route 53 hosted zone, adds an alias record for the name, and redirects HTTP to HTTPS on the load balancer (no CloudFront). berth finds the zone by its name (a CDK context lookup made once with AWS credentials by `berth diff` or `berth deploy`; the answer is kept in cdk.context.json beside berth.yml, which you commit, so `berth plan` needs no credentials), or takes zoneId. Without a recorded lookup or zoneId, `berth plan` stops and says which to add. Needs the load balancer.',
    default: 'none: https through CloudFront (see https)',
    example: ['domain: api.example.com', '# or', 'domain: { name: api.example.com, zone: example.com }', '# or', 'domain: { name: api.example.com, zoneId: Z0123456789ABCDEFGHIJ }'].join('\n'),
    fields: [
      { key: 'name', doc: 'The hostname.' },
      { key: 'zone', doc: 'The Route 53 hosted zone name, looked up by name.', default: 'the name without its first label' },
      { key: 'zoneId', doc: 'The hosted zone id: no lookup needed (and the only way when two zones share a name, e.g. a private one).' },
    ],
  },
  {
    key: 'alarms',
    summary: 'CloudWatch alarms in AWS environments, each with a description that says what to do: no healthy target for 2 minutes (per target group), fewer running tasks than desired for 5 minutes (per service), load balancer and app 5xx answers over errorRate % of requests, p99 response time over latencyP99, CPU and memory, database CPU, free storage and connections, cache memory and evictions. They notify an SNS topic; the outage and error alarms are also the services\' deployment alarms, so a deploy that trips them is rolled back by ECS and `berth deploy` says which alarm did it. With an email address, berth subscribes it (confirm the mail AWS sends); false turns alarms off. Each alarm metric is $0.10/month.',
    default: 'alarms on, no email',
    example: 'alarms: { email: ops@example.com, latencyP99: 500ms, errorRate: 1, dashboard: true }   # or false',
    fields: [
      { key: 'email', doc: 'Address subscribed to the alarm topic.' },
      { key: 'latencyP99', doc: 'The p99 target response time (2s, 500ms, or seconds) that alarms when exceeded for 5 minutes.', default: `${DEFAULTS.alarms.latencyP99}s` },
      { key: 'errorRate', doc: '% of requests answered 5xx (by the load balancer, or by the app) over 5 minutes that alarms.', default: shown(DEFAULTS.alarms.errorRate) },
      { key: 'dashboard', doc: 'A CloudWatch dashboard of the environment: requests, errors, latency, tasks, database and cache ($3/month).', default: shown(DEFAULTS.alarms.dashboard) },
    ],
  },
  {
    key: 'logs',
    summary: 'Container output goes to CloudWatch Logs (`berth logs` reads it). How long it is kept decides its storage cost.',
    default: shown(DEFAULTS.logs),
    example: 'logs: { retentionDays: 90 }',
    fields: [{ key: 'retentionDays', doc: `Days logs are kept: one of ${LOG_RETENTION_DAYS.join(', ')}.`, default: shown(DEFAULTS.logs.retentionDays) }],
  },
  {
    key: 'registry',
    summary: 'The ECR repository that holds the app\'s images, shared by its AWS environments. Each release is tagged <env>-release-<n>; release tags can never be moved to another image (tag immutability, with sha-<commit> tags excluded). Lifecycle rules keep the images of each environment\'s last keepReleases releases (a production environment\'s rules come first, so an image promoted from staging to prod is judged by prod\'s count) and expire untagged images after a week: every image a release uses carries its release tag, so none of them is untagged. `berth rollback` can return to any release still kept.',
    default: shown({ keepReleases: DEFAULTS.registry.keepReleases }),
    example: 'registry: { keepReleases: 30 }',
    fields: [{ key: 'keepReleases', doc: 'Releases of each environment whose images are kept (rollback reaches this far back); an environment may set its own.', default: shown(DEFAULTS.registry.keepReleases) }],
  },
  {
    key: 'local',
    summary: `The local environment (${DEFAULT_ENV}, the default) runs the same service on the local Docker engine, with replicas, a load balancer on 127.0.0.1, health checks, Postgres and Redis containers.`,
    default: shown(DEFAULTS.local),
    example: 'local: { port: 8080 }   # open http://127.0.0.1:8080',
    fields: [{ key: 'port', doc: 'The local load balancer listens on 127.0.0.1:<port>.', default: shown(DEFAULTS.local.port) }],
  },
  {
    key: 'deploy',
    summary: 'How a release replaces the running one, per environment. rolling (the default) replaces tasks a few at a time behind the load balancer. blue-green starts a full new set of tasks (green) beside the running one (blue), sends test requests to green, switches all traffic at once and keeps blue ready for the bake time, so `berth rollback` returns traffic at once. canary sends a share of requests to green first, then all of it. Only web services behind the load balancer switch sets; workers roll. On AWS these are ECS\'s own BLUE_GREEN and CANARY deployment strategies (docs/deploy-strategies.md).',
    default: shown({ strategy: DEFAULTS.deploy.strategy }),
    example: ['environments:', '  prod:', '    deploy:', '      strategy: canary', '      bake: 10m', '      canary: { percent: 10, for: 5m }'].join('\n'),
    fields: [
      { key: 'strategy', doc: 'rolling, blue-green or canary.', default: DEFAULTS.deploy.strategy },
      { key: 'bake', doc: 'blue-green and canary: how long the old set stays ready to take traffic back after the switch (0-24h; whole minutes on AWS).', default: formatDuration(DEFAULTS.deploy.bake) },
      { key: 'canary', doc: 'canary: how much traffic the new set takes first and for how long, see deploy.canary.', default: shown({ percent: DEFAULTS.deploy.canary.percent, for: formatDuration(DEFAULTS.deploy.canary.for) }) },
    ],
  },
  {
    key: 'deploy.canary',
    summary: 'canary: the new set takes this share of requests for this long, then all of them; the bake time follows.',
    default: shown({ percent: DEFAULTS.deploy.canary.percent, for: formatDuration(DEFAULTS.deploy.canary.for) }),
    example: ['environments:', '  prod:', '    deploy:', '      strategy: canary', '      canary: { percent: 25, for: 10m }'].join('\n'),
    fields: [
      { key: 'percent', doc: 'The share of requests (1-99 %) the new set takes first.', default: shown(DEFAULTS.deploy.canary.percent) },
      { key: 'for', doc: 'How long the new set takes that share before it takes all traffic (1s-24h; whole minutes on AWS).', default: formatDuration(DEFAULTS.deploy.canary.for) },
    ],
  },
  {
    key: 'environments',
    summary: `Named environments (prod, staging, ...), each a set of overrides deep-merged over the top level. \`${DEFAULT_ENV}\` always exists; every other environment deploys to AWS. Environments named ${DEFAULTS.productionNames.join(' or ')} are production (deletion protection, final snapshots, no Spot) unless they say \`production: false\`.`,
    default: `only ${DEFAULT_ENV}`,
    example: ['environments:', '  staging: { service: { spot: true } }', '  prod:', '    service: { count: { min: 2, max: 10, cpu: 70 } }', '    database: { multiAz: true }', '    account: "123456789012"   # refuse to deploy with other credentials'].join('\n'),
  },
  {
    key: 'environments.<name>.template',
    summary: 'Makes the entry a template instead of an environment: every environment whose name matches the pattern (a prefix and `*`, such as `pr-*`) is made from its overrides, without being declared — the preview environments `pr-<number>` that `berth ci github --previews` deploys for each pull request. An instance is not production unless the template says `production: true`; the template itself cannot be deployed, and a pattern may not match a declared environment or another template.',
    default: 'none (every environment is declared by name)',
    example: [
      'environments:',
      '  preview:                 # pr-12, pr-13, ... : small, Spot, single-AZ, asleep at night',
      '    template: pr-*',
      '    service:',
      '      cpu: 256',
      '      memory: 512',
      '      spot: true',
      '      count:',
      '        min: 1',
      '        max: 1',
      '        schedule:',
      '          - { name: night, cron: "0 20 * * *", min: 0, max: 0 }',
      '          - { name: morning, cron: "0 7 * * 1-5", min: 1, max: 1 }',
      '    database: { multiAz: false, backupDays: 1 }',
      '    alarms: false',
    ].join('\n'),
  },
  {
    key: 'ci',
    summary: 'What `berth ci github` needs that git cannot tell it. The GitHub repository decides who may assume the deploy roles of the CI stack `berth-<app>-ci`; the account\'s GitHub OIDC identity provider is reused when it exists.',
    default: 'repository from `git remote get-url origin`; provider found at deploy, or created',
    example: ['ci:', '  github: acme/news-api', '  oidcProviderArn: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com'].join('\n'),
    fields: [
      { key: 'github', doc: 'The repository as owner/repo; the roles trust only its workflows.', default: 'from the origin remote (github.com, https or ssh)' },
      { key: 'oidcProviderArn', doc: "The account's existing GitHub OIDC identity provider (an account has at most one for token.actions.githubusercontent.com).", default: 'found with iam:ListOpenIDConnectProviders, or created by the CI stack' },
    ],
  },
];

/** How berth reads berth.yml: what it accepts beyond the schema, and its limits (limits.ts). Rendered after the sections. */
export const READING_RULES: readonly string[] = [
  'Every problem in the file is reported at once, one line each with its line and column: a value of the wrong type is reported and left out, and the rest of the file is still checked.',
  'An unknown key within two edits of a known one gets a did-you-mean (`prot` → `port`), at any depth.',
  'A quoted number is read as a number where a number is expected (`port: "8000"`, `cpu: "512"`); the JSON Schema shows the unquoted form.',
  '`validate` and `plan` warn (exit 0) about `env` entries whose name or value looks secret (STRIPE_SECRET_KEY, a URL with a password): declare them under `secrets` instead.',
  '`build.context` and `build.dockerfile` must stay inside the folder of berth.yml once symbolic links are followed.',
  '`image` and `localImage` must be image references; `health.path` must be a URL path (RFC 3986 path and query characters).',
  'Keys named `__proto__`, `constructor` or `prototype` are refused anywhere in the file.',
  `Limits: the file at most ${CONFIG_FILE_MAX_BYTES / 1024 / 1024} MiB (a regular file), ${CONFIG_MAX_DEPTH} levels of nesting, ${CONFIG_MAX_VALUES} keys and values, ${CONFIG_MAX_ALIASES} YAML aliases (and ${CONFIG_MAX_ALIASES} copies made by them); an env or build argument value ${ENV_VALUE_MAX / 1024} KiB, a key ${NAME_MAX} characters, a build path ${PATH_MAX}, a health path ${HEALTH_PATH_MAX}, an image reference ${IMAGE_REFERENCE_MAX}, a command ${COMMAND_WORDS_MAX} words of at most ${COMMAND_WORD_MAX} characters, any other text ${TEXT_MAX}.`,
];

/** The doc of one section; throws on an unknown key so callers cannot drift from the list above. */
export function sectionDoc(key: string): SectionDoc {
  const doc = SECTION_DOCS.find((section) => section.key === key);
  if (!doc) throw new Error(`no reference doc for section "${key}"`);
  return doc;
}

/** The field doc of `section.key`, e.g. fieldDoc('service.health', 'path'). */
export function fieldDoc(section: string, key: string): FieldDoc {
  const doc = sectionDoc(section).fields?.find((field) => field.key === key);
  if (!doc) throw new Error(`no reference doc for field "${section}.${key}"`);
  return doc;
}
