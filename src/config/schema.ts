/**
 * The shape of berth.yml (version 1), as zod schemas.
 *
 * Types and ranges live here; rules that relate fields to each other (Fargate cpu/memory pairs,
 * timeout < interval, min <= max, files that must exist) live in semantic-checks.ts.
 * Defaults live in defaults.ts; the prose for each section in reference.ts.
 */
import { z } from 'zod';
import { ciSchema } from './ci-schema.js';
import { deploySchema } from './deploy-schema.js';
import { COMMAND_WORD_MAX, COMMAND_WORDS_MAX, ENV_VALUE_MAX, HEALTH_PATH_MAX, IMAGE_REFERENCE_MAX, NAME_MAX, PATH_MAX, TEXT_MAX } from './limits.js';
import { IMAGE_REFERENCE_HELP, IMAGE_REFERENCE_PATTERN } from './text-formats.js';

export const APP_NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$/;
export const APP_NAME_MAX = 20;
export const ENV_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
export const ENV_NAME_MAX = 11;
export const ENV_VAR_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
export const POSTGRES_VERSIONS = ['13', '14', '15', '16', '17'] as const;
export const REDIS_VERSIONS = ['6.2', '7.0', '7.1'] as const;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
/** Text of at most `max` characters (limits.ts): every string in berth.yml has a cap. */
const text = (max: number = TEXT_MAX) => z.string().max(max);
const commandWords = () => z.array(text(COMMAND_WORD_MAX)).min(1).max(COMMAND_WORDS_MAX);
/** An image reference (text-formats.ts): never an option, a space or a shell word. */
const imageReference = () => z.string().min(1).max(IMAGE_REFERENCE_MAX).regex(IMAGE_REFERENCE_PATTERN, { error: IMAGE_REFERENCE_HELP });

const DURATION_HELP = 'expected a duration such as 300, "90s", "30m", "1h" or "1d"';
const durationText = z.union([z.number().int().min(1), text().regex(/^\d+\s*(s|m|h|d)?$/, { error: DURATION_HELP })], { error: DURATION_HELP });

function healthSchema() {
  return z
    .strictObject({
      path: text(HEALTH_PATH_MAX).meta({ description: 'web: HTTP path (and query) that answers 2xx when the app is healthy', default: '/' }),
      container: z.boolean().meta({ description: 'web: also check from inside the container (ECS and the local engine); default: true, false for images without a shell (FROM scratch, distroless)' }),
      command: commandWords().meta({ description: 'worker: a command run inside the container that exits 0 when healthy, e.g. [celery, -A, app, inspect, ping]' }),
      interval: int(5, 300).meta({ description: 'seconds between checks', default: 30 }),
      timeout: int(2, 120).meta({ description: 'seconds before a check counts as failed; less than interval', default: 5 }),
      healthyThreshold: int(2, 10).meta({ description: 'consecutive passes before a target is healthy', default: 2 }),
      unhealthyThreshold: int(2, 10).meta({ description: 'consecutive failures before a target is unhealthy', default: 3 }),
      gracePeriod: int(0, 3600).meta({ description: 'seconds a new task may take to start before failed checks count', default: 60 }),
    })
    .partial();
}

const scheduleEntry = z.strictObject({
  cron: text().meta({ description: 'five-field cron expression in UTC, e.g. "0 20 * * 1-5"' }),
  min: int(0, 1000).optional(),
  max: int(0, 1000).optional(),
  name: text(NAME_MAX).regex(/^[A-Za-z0-9-]+$/).optional(),
});

const countObject = z
  .strictObject({
    min: int(0, 1000).meta({ default: 1 }),
    max: int(1, 1000),
    cpu: int(10, 95).meta({ description: 'target average CPU %' }),
    memory: int(10, 95).meta({ description: 'target average memory %' }),
    requests: int(1, 1_000_000).meta({ description: 'target requests per task per minute (needs the load balancer)' }),
    schedule: z.array(scheduleEntry),
  })
  .partial();

const count = z.union([int(0, 1000), countObject], {
  error: 'expected a number of tasks, or a mapping such as { min: 2, max: 10, cpu: 70 }',
});

const buildSchema = z
  .strictObject({
    context: text(PATH_MAX).meta({ description: 'build context, relative to berth.yml', default: '.' }),
    dockerfile: text(PATH_MAX).meta({ description: 'Dockerfile, relative to the context', default: 'Dockerfile' }),
    args: z.record(z.string(), z.union([text(ENV_VALUE_MAX), z.number(), z.boolean()])).meta({
      description: 'build arguments; public by nature: they stay in the image',
    }),
    target: text().meta({ description: 'multi-stage build target' }),
  })
  .partial();

const envValues = z.record(z.string(), z.union([text(ENV_VALUE_MAX), z.number(), z.boolean()]), {
  error: 'expected a mapping of NAME: value',
});

const secrets = z.array(text(NAME_MAX), {
  error: 'expected a list of secret names such as [API_KEY]; values are set with `berth secrets set NAME`, never written in berth.yml',
});

export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/;
export const SERVICE_NAME_MAX = 16;
export const SERVICE_KINDS = ['web', 'worker', 'job'] as const;

const command = commandWords().meta({ description: "overrides the image's CMD" });

/** One IAM statement the app's task role is given (permission-checks.ts refuses `*` on `*`). */
const permissionStatement = z.strictObject({
  actions: z.array(text().min(1)).min(1).meta({ description: 'IAM actions, e.g. [s3:GetObject, s3:PutObject]' }),
  resources: z.array(text().min(1)).min(1).meta({ description: 'resource ARNs, e.g. [arn:aws:s3:::my-bucket/*]' }),
}, { error: 'expected { actions: [s3:GetObject], resources: [arn:aws:s3:::my-bucket/*] }' });

const permissions = z.array(permissionStatement, { error: 'expected a list of { actions: [...], resources: [...] }' });

const managedPolicies = z.array(text().regex(/^(arn:aws[\w-]*:iam::(aws|\d{12}):policy\/)?[\w+=,.@/-]+$/, { error: 'expected a managed policy name such as AmazonS3ReadOnlyAccess, or its ARN' }), {
  error: 'expected a list of managed policy names such as [AmazonS3ReadOnlyAccess]',
});

/** The keys every service inherits from the top level of a `services:` file unless it sets its own. */
function sharedServiceKeys() {
  return {
    cpu: z.number().int().meta({ description: 'Fargate CPU units (1024 = 1 vCPU)', default: 256 }).optional(),
    memory: z.number().int().meta({ description: 'MiB; a valid Fargate combination with cpu', default: 512 }).optional(),
    arch: z.enum(['x86_64', 'arm64']).meta({ default: 'x86_64' }).optional(),
    env: envValues.optional(),
    secrets: secrets.optional(),
    build: buildSchema.optional(),
    image: imageReference().meta({ description: 'a pushed image to run instead of building' }).optional(),
    registryCredentials: text().min(1).meta({ description: 'for an image in a private registry other than ECR: the name of a berth secret holding {"username","password"} (ECS repository credentials)' }).optional(),
    permissions: permissions.meta({ description: "IAM statements the service's task role is given (what the app may call in AWS)" }).optional(),
    managedPolicies: managedPolicies.meta({ description: "AWS managed (or your account's) IAM policies attached to the service's task role" }).optional(),
    readonlyRootFilesystem: z.boolean().meta({ description: "mount the container's root filesystem read-only (the app writes only to /tmp-like volumes it declares)", default: false }).optional(),
  };
}

const spotPlan = z.strictObject({
  base: int(0, 1000).meta({ description: 'tasks always kept on regular (on-demand) Fargate', default: 0 }).optional(),
  share: int(1, 100).meta({ description: '% of the tasks above the base that run on Spot', default: 100 }).optional(),
});

/** One service. Which keys apply depends on `kind`; semantic-checks.ts says which key does not fit which kind. */
function serviceSchema() {
  return z.strictObject({
    kind: z.enum(SERVICE_KINDS).meta({ description: 'web: behind the load balancer; worker: no port, kept running; job: runs to completion on a schedule', default: 'web' }).optional(),
    port: int(1, 65535).meta({ description: "web: the container's listening port" }).optional(),
    path: text().meta({ description: 'web: route requests whose path matches (e.g. /api/*) to this service on the shared load balancer' }).optional(),
    host: text().meta({ description: 'web: route requests for this host name (e.g. api.example.com) to this service' }).optional(),
    health: healthSchema().optional(),
    count: count.meta({ default: 1 }).optional(),
    ...sharedServiceKeys(),
    command: command.optional(),
    schedule: text().meta({ description: 'job: five-field UTC cron ("*/15 * * * *") or rate(15 minutes)' }).optional(),
    timeout: durationText.meta({ description: 'job: the longest a run may take before it is stopped', default: '15m' }).optional(),
    loadBalancer: z.boolean().meta({ default: true }).optional(),
    public: z.boolean().meta({ default: true }).optional(),
    stickySessions: z.union([z.literal(false), durationText]).meta({ default: false }).optional(),
    spot: z.union([z.boolean(), spotPlan], { error: 'expected true, false, or { base: 1, share: 100 } (tasks kept on regular Fargate, % of the rest on Spot)' })
      .meta({ description: 'run on Fargate Spot (non-production environments): true for every task, or { base, share } for an on-demand base with Spot on top', default: false }).optional(),
  });
}

const services = z.record(z.string(), serviceSchema(), { error: 'expected a mapping of service names to services, e.g. { web: { port: 8000 }, worker: { kind: worker } }' });

const releaseSection = z.strictObject({
  before: z.union([
    command,
    z.strictObject({
      command,
      service: text(NAME_MAX).meta({ description: 'the service whose image and environment the command runs with; default: the first web service' }).optional(),
    }),
  ], { error: 'expected a command such as [python, manage.py, migrate], or { command: [...], service: web }' }).meta({
    description: 'a one-off task run with the new image before traffic moves; a failure stops the release',
  }),
}).partial();

const databaseObject = z
  .strictObject({
    engine: z.literal('postgres'),
    version: z.union([text(), z.number()]).meta({ description: `PostgreSQL major version: ${POSTGRES_VERSIONS.join(', ')}`, default: '16' }),
    instance: text().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'expected an RDS instance class such as db.t4g.micro' }).meta({ default: 'db.t4g.micro' }),
    storage: z.number().int().meta({ description: 'GiB of gp3 storage, 20-65536', default: 20 }),
    backupDays: z.number().int().meta({ description: 'days of automated backups, 0-35', default: 7 }),
    backupWindow: text().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a daily UTC window such as 03:00-04:00' }).meta({ description: 'daily UTC window for automated backups, at least 30 minutes', default: '03:00-04:00' }),
    maintenanceWindow: text().regex(/^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a weekly UTC window such as sun:04:30-sun:05:30' }).meta({ description: 'weekly UTC window for engine patches', default: 'sun:04:30-sun:05:30' }),
    maxStorage: z.number().int().meta({ description: 'GiB storage may grow to on its own (storage autoscaling); equal to storage turns it off', default: '5 × storage' }),
    multiAz: z.boolean().meta({ default: false }),
    name: text().regex(/^[a-z][a-z0-9_]*$/, { error: 'expected a database name: lowercase letters, digits and _' }).max(63),
    localImage: imageReference().meta({ description: 'image for the local environment', default: 'postgres:<version>' }),
  })
  .partial();

const database = z.union([z.literal('postgres'), z.literal(false), z.null(), databaseObject], {
  error: 'expected "postgres", false, or a mapping such as { engine: postgres, instance: db.t4g.micro }',
});

const cacheObject = z
  .strictObject({
    engine: z.literal('redis'),
    version: z.union([text(), z.number()]).meta({ description: `Redis version: ${REDIS_VERSIONS.join(', ')}`, default: '7.1' }),
    node: text().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: 'expected an ElastiCache node type such as cache.t4g.micro' }).meta({ default: 'cache.t4g.micro' }),
    localImage: imageReference().meta({ description: 'image for the local environment', default: 'redis:7' }),
  })
  .partial();

const cache = z.union([z.literal('redis'), z.literal(false), z.null(), cacheObject], {
  error: 'expected "redis", false, or a mapping such as { engine: redis, node: cache.t4g.micro }',
});

const domainObject = z.strictObject({
  name: text(),
  zone: text().meta({ description: 'Route 53 hosted zone name, e.g. example.com' }).optional(),
  zoneId: text().regex(/^Z[A-Z0-9]+$/, { error: 'expected a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ' }).optional(),
});

const domain = z.union([text(), domainObject], {
  error: 'expected a hostname such as api.example.com, or { name, zone, zoneId }',
});

const network = z.union(
  [
    z.enum(['public', 'private']),
    z
      .strictObject({
        vpc: text().regex(/^vpc-[0-9a-f]{8,17}$/, { error: 'expected a VPC id such as vpc-0123456789abcdef0' }).meta({ description: 'deploy into this existing VPC instead of creating one (looked up once with AWS credentials by berth diff or deploy, then the answer is kept in cdk.context.json)' }),
        tasks: z.enum(['public', 'private']).meta({ default: 'public' }),
        egress: z.enum(['endpoints', 'nat']).meta({ description: 'how private tasks reach AWS and the internet', default: 'endpoints' }),
        zones: z.array(text()).meta({ description: 'availability zones; default: the first two of the region' }),
        cidr: text().regex(/^\d+\.\d+\.\d+\.\d+\/(1[6-9]|2[0-4])$/, { error: 'expected an IPv4 CIDR block from /16 to /24 such as 10.0.0.0/16' }),
      })
      .partial(),
  ],
  { error: 'expected "public", "private", or a mapping such as { tasks: private, egress: nat }' },
);

export const LATENCY_HELP = 'expected a response time such as 2s, 500ms or 1.5 (seconds)';

const alarms = z.union([
  z.literal(false),
  z.strictObject({
    email: text().meta({ description: 'address subscribed to alarm notifications' }),
    latencyP99: z.union([z.number().positive(), text().regex(/^\d+(\.\d+)?\s*(ms|s)?$/, { error: LATENCY_HELP })], { error: LATENCY_HELP })
      .meta({ description: 'alarm when the 99th percentile of target response time stays above this for 5 minutes', default: '2s' }),
    errorRate: z.number().positive().max(100).meta({ description: '% of requests answered 5xx (by the load balancer or the app) that raises an alarm', default: 1 }),
    dashboard: z.boolean().meta({ description: 'a CloudWatch dashboard of the environment ($3/month)', default: false }),
  }).partial(),
], { error: 'expected false or a mapping such as { email: ops@example.com, latencyP99: 2s }' });

const logs = z.strictObject({
  retentionDays: z.number().int().meta({ description: `days logs are kept: one of ${LOG_RETENTION_DAYS.join(', ')}`, default: 30 }),
}).partial();

const registry = z.strictObject({
  keepReleases: int(1, 1000).meta({ description: "releases of each environment whose images ECR keeps (rollback reaches this far back)", default: 10 }),
}).partial();

const local = z.strictObject({
  port: int(1, 65535).meta({ description: 'the local load balancer listens on 127.0.0.1:<port>', default: 8080 }),
}).partial();

function sections() {
  return {
    region: text().meta({ description: 'AWS region for AWS environments; default: AWS_REGION or the profile region' }).optional(),
    service: serviceSchema().meta({ description: 'the app\'s one service (shorthand for services: { web: ... })' }).optional(),
    services: services.optional(),
    ...sharedServiceKeys(),
    release: releaseSection.optional(),
    exec: z.boolean().meta({ description: 'allow `berth exec` into running tasks (ECS Exec through SSM on AWS)', default: false }).optional(),
    https: z.boolean().meta({ description: 'AWS environments without a domain serve https:// through CloudFront; false serves plain HTTP from the load balancer', default: true }).optional(),
    network: network.meta({ default: 'public' }).optional(),
    database: database.optional(),
    cache: cache.optional(),
    domain: domain.optional(),
    alarms: alarms.optional(),
    logs: logs.optional(),
    registry: registry.optional(),
    local: local.optional(),
    deploy: deploySchema.optional(),
  };
}

export const environmentOverrideSchema = z.strictObject({
  ...sections(),
  production: z.boolean().meta({ description: 'deletion protection, final snapshots, no Spot; default: true for environments named prod or production' }).optional(),
  account: text().regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id' }).meta({ description: 'refuse to deploy with credentials for any other account' }).optional(),
  template: text().meta({ description: 'makes this entry a template: every environment whose name matches the pattern (e.g. "pr-*") is made from it (environment-templates.ts)' }).optional(),
});

export const berthFileSchema = z.strictObject({
  $schema: text().optional(),
  version: z.literal(1).meta({ default: 1 }).optional(),
  app: text(NAME_MAX).meta({ description: `lowercase letters, digits and hyphens, at most ${APP_NAME_MAX} characters` }),
  ...sections(),
  environments: z.record(z.string(), environmentOverrideSchema.nullable()).optional(),
  ci: ciSchema.optional(),
});

export type BerthFile = z.infer<typeof berthFileSchema>;
export type EnvironmentOverride = z.infer<typeof environmentOverrideSchema>;

/** The JSON Schema editors use through `# yaml-language-server: $schema=`. */
export function berthJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(berthFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://berth.dev/schema/berth-v1.json', title: 'berth.yml (version 1)' };
}
