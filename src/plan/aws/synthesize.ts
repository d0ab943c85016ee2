/**
 * Synthesis of one AWS environment into a cloud assembly: the registry stack and the environment stack, with
 * cdk-nag's AwsSolutions pack and a CloudFormation resource-specification check (template-check.ts) on every synth.
 * No AWS call and no credentials: the two context lookups berth may need (a domain's hosted zone by name,
 * `network.vpc`) are read from cdk.context.json beside berth.yml, which deploy and diff fill with credentials
 * (lookups.ts). Deploy and cost call this; `berth plan` prints what it returns.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Validations, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { JobServiceSpec, ResolvedConfig, ServiceSpec, WebServiceSpec } from '../../config/model.js';
import { describeJobSchedule } from '../../config/job-schedule.js';
import { formatDuration } from '../../config/durations.js';
import { UsageError } from '../../errors.js';
import { EnvironmentStack, servesThroughCloudFront, usesServiceConnect, usesSpot, type Concern } from './environment-stack.js';
import { cloudFrontPrefixListId } from './cloudfront-prefix-lists.js';
import { imageSource } from './image-pull.js';
import { describeAppPermissions } from './permissions.js';
import {
  cdkContextFile, IMAGE_CONTEXT_KEY, jobServices, secretName, serviceKey, longRunningServices, parseImageByDigest, PLACEHOLDER_DIGEST, primaryWebService, releaseBeforeTaskNames, repositoryName, serviceUrl,
  webServices, deployStrategyPlan, type DeployStrategyPlan,
} from '../../model/index.js';
import { schedulerExpression } from './job.js';
import { lookupEnvironment, lookupsNeeded, MissingLookupError } from './lookups.js';
import { RegistryStack } from './registry.js';
import { describeRouting, listenerRouting } from './routes.js';
import { checkTemplates } from './template-check.js';
import { CronConversionError, toAwsCron } from './schedule-cron.js';
import type { EnvironmentVariableSource } from './wiring.js';

export interface SynthesizeOptions {
  /** Cloud assembly directory; emptied first. `berth plan` uses `<berth.yml folder>/.berth/<env>/cdk.out`. */
  outdir: string;
  /** `<repositoryUri>@sha256:<digest>`, passed to the app as CDK context `berth:image`. Default: placeholder digest. */
  image?: string;
  /** Registry stack deletes the repository and its images on destroy (otherwise RETAIN). */
  purge?: boolean;
  /**
   * The first phase of a deploy with `release.before`: services and jobs keep the deployed task definitions
   * (family -> ARN); see EnvironmentStackProps.prepare.
   */
  prepare?: { deployedTaskDefinitions: Record<string, string> };
  /**
   * Deploy and diff: toolkit-lib answers missing context lookups with these credentials' account and region and
   * records them in cdk.context.json.
   * @default - lookups are read from cdk.context.json only; a missing answer is a MissingLookupError with the fix
   */
  lookups?: { account: string; region: string };
}

/** One finding of a validation pack that was not acknowledged in code. */
export interface ValidationFinding {
  /** `AwsSolutions-EC23`, or `CloudFormationSpec` for the resource-specification check. */
  ruleId: string;
  /** `cdk-nag` (AwsSolutions) or `cloudformation` (the resource-specification check in template-check.ts). */
  source: 'cdk-nag' | 'cloudformation';
  severity: string;
  description: string;
  /** Construct paths (or logical ids) of the offending resources. */
  resources: string[];
}

export interface StackSynth {
  /** CloudFormation stack name. */
  name: string;
  /** Absolute path of the synthesized template. */
  template: string;
  /** Resource count by CloudFormation type. */
  resources: Record<string, number>;
  /** Output logical ids (the names documented in environment-stack.ts / registry.ts). */
  outputs: string[];
}

/** One service as the environment stack realizes it (docs/json-output.md, "berth plan"). */
export interface PlannedService {
  name: string;
  kind: ServiceSpec['kind'];
  /** The ECS service (web, worker); a job has none: its runs are tasks started by its schedule. */
  ecsService?: string;
  taskFamily: string;
  container: string;
  /** Its log streams in the environment's log group: `<prefix>/<container>/<task id>`. */
  logStreamPrefix: string;
  cpu: number;
  memory: number;
  arch: ServiceSpec['arch'];
  /** Web and worker: the task count (min = max without autoscaling). */
  count?: { min: number; max: number };
  /** Web: how the shared load balancer reaches it (`default`: every request no rule takes); absent without a load balancer. */
  route?: { default: boolean; priority?: number; host?: string; path?: string };
  /** Web, with Service Connect: the URL the other services use, e.g. http://api:9000. */
  serviceConnect?: string;
  /** How its health is judged, in words. */
  health: string;
  /** Job: when it runs and how its timeout is enforced. */
  schedule?: { berthYml: string; expression: string; timezone: 'UTC' };
  timeoutSeconds?: number;
  /** Every variable it receives; secrets by name and source only. */
  environment: EnvironmentVariableSource[];
  /** The secrets its execution role may read (by variable name): exactly the ones it receives. */
  secrets: string[];
}

export interface PlanSummary {
  /** CloudFormation types and counts per concern (network, registry, service, ...). */
  resourcesByConcern: Partial<Record<Concern, Record<string, number>>>;
  /** Who may talk to whom, one hop a line: e.g. "internet -> load balancer: tcp 80, 443". */
  securityGroupChain: string[];
  /** Every service, in berth.yml's order. */
  services: PlannedService[];
  /** Deprecated (output version 1): the environment of the primary service. Read `services[].environment`. */
  environment: EnvironmentVariableSource[];
  /** Where things will be reachable; values known before deploy, or a description. */
  endpoints: Array<{ name: string; value: string }>;
  /**
   * How the environment is secured and watched, one line each: HTTPS, image pulls, each service's AWS permissions
   * and read-only root filesystem, Spot, alarms and the deployment alarms that roll a deploy back.
   */
  security: string[];
  /** Scheduled scaling as AWS will run it, per service. */
  schedules: Array<{ service: string; name: string; cron: string; awsCron: string; min?: number; max?: number }>;
  /** The load balancer's listener rules in priority order, and where the rest goes; absent without one. */
  routing?: string[];
  /** `release.before`: the one-off task run with the new image before any service changes. */
  releaseBefore?: { service: string; command: string[]; taskFamily: string };
  /** How the timeout of the jobs is enforced (present with jobs). */
  jobTimeouts?: string;
  /** berth.yml `deploy` as ECS realizes it. */
  deploy: DeployStrategyPlan & { ecs: string };
}

export interface SynthResult {
  env: string;
  /** Absolute path of the cloud assembly (cdk.out). */
  assemblyDir: string;
  /** The environment stack `berth-<app>-<env>`. */
  stack: StackSynth;
  /** The registry stack `berth-<app>-registry`: deploy it first, and push the image, before the environment stack. */
  registryStack: StackSynth;
  /** Registry and environment stack names, in deploy order. */
  stackNames: string[];
  /** Template paths, in deploy order. */
  templates: string[];
  /** Resource count by CloudFormation type over both stacks. */
  resources: Record<string, number>;
  /** The image reference in the task definition, and whether it is the placeholder. */
  image: { reference: string; placeholder: boolean };
  /** Things the user should know (placeholder image, DNS records to add, costs that are choices, ...). */
  warnings: string[];
  /** Unacknowledged cdk-nag AwsSolutions findings. Empty on every example. */
  nagFindings: ValidationFinding[];
  /** CloudFormation validation findings: resource types and properties checked against the CDK's resource specification. */
  validationFindings: ValidationFinding[];
  summary: PlanSummary;
  /** Which service owns each resource of the environment stack (logical id -> service name); shared resources are absent. */
  resourceOwners: Record<string, string>;
}

export const REPORT_FILE = 'validation-report.json';

export async function synthesizeEnvironment(config: ResolvedConfig, options: SynthesizeOptions): Promise<SynthResult> {
  if (config.target !== 'aws') {
    throw new UsageError(`environment "${config.env}" runs on the local engine; there is no AWS architecture to synthesize`, 'pass --env with an AWS environment');
  }
  const schedules = convertSchedules(config);
  const warnings: string[] = [];
  const image = resolveImage(config, options.image, warnings);

  rmSync(options.outdir, { recursive: true, force: true });
  mkdirSync(options.outdir, { recursive: true });
  const needs = lookupsNeeded(config);
  const recorded = needs.length > 0 ? readRecordedContext(cdkContextFile(config.dir)) : {};
  const lookupEnv = lookupEnvironment(config, recorded, options.lookups ?? {});
  const app = new App({
    outdir: options.outdir,
    analyticsReporting: false,
    context: {
      ...recorded,
      ...(options.image ? { [IMAGE_CONTEXT_KEY]: options.image } : {}),
      // berth reads the validation report itself and shows what remains; synthesis must not throw on it.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  const env = lookupEnv ?? {
    ...(config.account ? { account: config.account } : {}),
    ...(config.region ? { region: config.region } : {}),
  };
  const stackProps = Object.keys(env).length > 0 ? { env } : {};
  const registry = new RegistryStack(app, { ...stackProps, app: config.app, retention: config.registry.retention, ...(options.purge ? { purge: true } : {}) });
  const stack = new EnvironmentStack(app, {
    ...stackProps,
    config,
    ...(image.placeholder ? {} : { image: image.reference }),
    placeholderDigest: PLACEHOLDER_DIGEST,
    ...(options.prepare ? { prepare: options.prepare } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  // CDK's bundled CloudFormation validator costs seconds of engine start-up per command; template-check.ts
  // checks the same resource specification in a fraction of that, so the built-in one is turned off here.
  const assembly = await withQuietConsole(() => withEnv('CDK_VALIDATION', 'false', () => app.synth()));
  if (!options.lookups && (assembly.manifest.missing?.length ?? 0) > 0) {
    throw new MissingLookupError(needs, config, `no answer is recorded in ${cdkContextFile(config.dir)} for account ${env.account ?? '?'} in ${env.region ?? '?'}`);
  }
  const registryArtifact = assembly.getStackByName(registry.stackName);
  const stackArtifact = assembly.getStackByName(stack.stackName);
  const registrySynth = describeStack(registry.stackName, join(assembly.directory, registryArtifact.templateFile));
  const stackSynth = describeStack(stack.stackName, join(assembly.directory, stackArtifact.templateFile));
  const findings = readFindings(join(assembly.directory, REPORT_FILE));
  for (const problem of await checkTemplates([registrySynth.template, stackSynth.template])) {
    findings.push({
      ruleId: 'CloudFormationSpec',
      source: 'cloudformation',
      severity: 'error',
      description: `${problem.type}: ${problem.message}`,
      resources: [`${problem.template} ${problem.logicalId} ${problem.path}`],
    });
  }

  warnings.push(...architectureWarnings(config));
  for (const artifact of assembly.stacks) {
    for (const message of artifact.messages) {
      if (message.level === 'warning' || message.level === 'error') warnings.push(`${message.id}: ${String(message.entry.data)}`);
    }
  }
  return {
    env: config.env,
    assemblyDir: assembly.directory,
    stack: stackSynth,
    registryStack: registrySynth,
    stackNames: [registry.stackName, stack.stackName],
    templates: [registrySynth.template, stackSynth.template],
    resources: addCounts(registrySynth.resources, stackSynth.resources),
    image,
    warnings,
    nagFindings: findings.filter((finding) => finding.source === 'cdk-nag'),
    validationFindings: findings.filter((finding) => finding.source === 'cloudformation'),
    summary: planSummary(config, registry, stack, schedules),
    resourceOwners: resourceOwners(stack),
  };
}

/** The answers of earlier lookups (cdk.context.json), or none. */
function readRecordedContext(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`, 'fix the JSON, or delete the file: berth diff --env <env> with AWS credentials records the lookups again');
  }
}

function resolveImage(config: ResolvedConfig, image: string | undefined, warnings: string[]): SynthResult['image'] {
  if (image !== undefined) {
    if (!parseImageByDigest(image)) {
      throw new UsageError(`${IMAGE_CONTEXT_KEY} "${image}" is not an image by digest`, 'expected <repositoryUri>@sha256:<64 hex digits>');
    }
    return { reference: image, placeholder: false };
  }
  if (config.image.image) return { reference: config.image.image, placeholder: false };
  warnings.push(`no image built yet: the task definition uses ${repositoryName(config.app)}@${PLACEHOLDER_DIGEST.slice(0, 15)}… as a placeholder; berth deploy builds, pushes and pins the real digest`);
  return { reference: `${repositoryName(config.app)}@${PLACEHOLDER_DIGEST}`, placeholder: true };
}

function convertSchedules(config: ResolvedConfig): PlanSummary['schedules'] {
  return longRunningServices(config).flatMap((service) => service.count.schedule.map((entry, index) => {
    try {
      return { service: service.name, name: entry.name, cron: entry.cron, awsCron: `cron(${toAwsCron(entry.cron)})`, ...(entry.min !== undefined ? { min: entry.min } : {}), ...(entry.max !== undefined ? { max: entry.max } : {}) };
    } catch (error) {
      if (error instanceof CronConversionError) throw new UsageError(`${config.file}: ${serviceKey(config, service)}.count.schedule.${index}.cron: ${error.message}`, 'use five fields in UTC, e.g. "0 20 * * 1-5"');
      throw error;
    }
  }));
}

/** Warnings that follow from the configuration itself: choices with a cost or a step the user must take. */
export function architectureWarnings(config: ResolvedConfig): string[] {
  const warnings: string[] = [];
  if (!config.https && !config.domain && webServices(config).some((service) => service.loadBalancer && service.public)) {
    warnings.push('https: false: the app is served over plain HTTP, so passwords, session cookies and tokens travel in clear text; remove it for https:// through CloudFront, or set a domain');
  }
  if (config.network.tasks === 'private' && config.network.egress === 'nat') {
    warnings.push('network: private tasks with egress nat: one NAT gateway (~$33/month plus data) gives them internet access');
  }
  if (config.network.tasks === 'private' && config.network.egress === 'endpoints') {
    warnings.push('network: private tasks with VPC endpoints (ECR, S3, CloudWatch Logs, Secrets Manager; ~$7.30/month per interface endpoint per AZ): the app cannot reach the internet; use egress: nat if it calls outside APIs');
  }
  for (const service of webServices(config)) {
    const field = serviceKey(config, service);
    if (!service.loadBalancer && service.count.max > 1) warnings.push(`${field}.loadBalancer is false: each task has its own public IP, so more than one task means more than one address`);
    if (!service.loadBalancer && config.network.tasks === 'private') warnings.push(`${field}.loadBalancer is false and tasks are private: nothing outside the VPC can reach the app`);
    if (service.route.host && config.domain && service.route.host !== config.domain.name) {
      warnings.push(`${field}.host ${service.route.host}: the certificate covers ${config.domain.name} only, so HTTPS requests for ${service.route.host} fail the TLS check; point it at the load balancer under a name the certificate covers, or serve it on the default route`);
    }
  }
  for (const service of config.services) {
    const field = serviceKey(config, service);
    if (service.spot && !usesSpot(service, config.production)) warnings.push(`${field}.spot is ignored in production environments without an on-demand base`);
    if (service.kind !== 'job' && service.count.min === 0 && service.count.schedule.length === 0) warnings.push(`${field}.count.min is 0: the service runs no task until it scales out`);
  }
  const urls = webServices(config).length > 0 && jobServices(config).length > 0;
  if (urls) {
    warnings.push(`jobs (${jobServices(config).map((job) => job.name).join(', ')}) run as standalone tasks, which Service Connect does not serve: they receive no <NAME>_URL variables on AWS; call a web service through the load balancer URL if a job needs one`);
  }
  if (config.alarms.enabled && !config.alarms.email) warnings.push('alarms: no alarms.email, so alarms notify an SNS topic nobody is subscribed to');
  return warnings;
}

export function describeStack(name: string, template: string): StackSynth {
  const parsed = readTemplate(template);
  const resources: Record<string, number> = {};
  for (const resource of Object.values(parsed.Resources ?? {})) {
    if (resource.Type === 'AWS::CDK::Metadata') continue;
    resources[resource.Type] = (resources[resource.Type] ?? 0) + 1;
  }
  return { name, template, resources: sortKeys(resources), outputs: Object.keys(parsed.Outputs ?? {}) };
}

interface Template {
  Resources?: Record<string, { Type: string }>;
  Outputs?: Record<string, unknown>;
}

function readTemplate(path: string): Template {
  return JSON.parse(readFileSync(path, 'utf8')) as Template;
}

const CONCERN_BY_CONSTRUCT: Record<string, Concern> = {
  Network: 'network',
  Registry: 'registry',
  Repository: 'registry',
  Service: 'service',
  LoadBalancer: 'load balancer',
  Database: 'database',
  Cache: 'cache',
  Wiring: 'secrets',
  Alarms: 'observability',
  Scaling: 'scaling',
  JobTimeouts: 'jobs',
  ServiceConnect: 'discovery',
  ReleaseBefore: 'service',
};

/** The concern of a top-level construct id: a job's construct counts as jobs, `Scaling<Name>` as scaling. */
function concernOf(topLevel: string, jobs: ReadonlySet<string>): Concern {
  if (jobs.has(topLevel)) return 'jobs';
  if (CONCERN_BY_CONSTRUCT[topLevel]) return CONCERN_BY_CONSTRUCT[topLevel];
  if (/^Scaling[A-Z]/.test(topLevel)) return 'scaling';
  return 'service';
}

function resourcesByConcern(registry: Stack, stack: EnvironmentStack): PlanSummary['resourcesByConcern'] {
  const byConcern: PlanSummary['resourcesByConcern'] = {};
  const jobs = new Set(stack.realized.filter((service) => service.kind === 'job').flatMap((service) => service.constructIds));
  for (const scope of [registry, stack]) {
    for (const construct of scope.node.findAll()) {
      if (!CfnResource.isCfnResource(construct) || construct.cfnResourceType === 'AWS::CDK::Metadata') continue;
      const topLevel = construct.node.scopes[2]?.node.id ?? '';
      // A job named web lives in the construct `Service` beside the cluster, as `Service/Job`.
      const concern = topLevel === 'Service' && construct.node.scopes[3]?.node.id === 'Job' ? 'jobs' : concernOf(topLevel, jobs);
      const counts = (byConcern[concern] ??= {});
      counts[construct.cfnResourceType] = (counts[construct.cfnResourceType] ?? 0) + 1;
    }
  }
  for (const concern of Object.keys(byConcern) as Concern[]) byConcern[concern] = sortKeys(byConcern[concern]!);
  return byConcern;
}

function resourceOwners(stack: EnvironmentStack): Record<string, string> {
  const owners: Record<string, string> = {};
  const byConstruct = new Map(stack.realized.flatMap((service) => service.constructIds.map((id) => [id, service.name] as const)));
  for (const construct of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(construct)) continue;
    const [, , topLevel, second] = construct.node.scopes;
    // The service named web shares its construct with the cluster and log group, which belong to every service.
    if (topLevel?.node.id === 'Service' && (second?.node.id === 'Cluster' || second?.node.id === 'Logs')) continue;
    const owner = topLevel?.node.id === 'Service' && second?.node.id === 'Job' ? 'web' : byConstruct.get(topLevel?.node.id ?? '');
    if (owner) owners[stack.getLogicalId(construct)] = owner;
  }
  return owners;
}

/** The security-group chain as the stack builds it, from the configuration (the same decisions, no template parsing). */
export function securityGroupChain(config: ResolvedConfig): string[] {
  const chain: string[] = [];
  const web = webServices(config);
  const balanced = web.filter((service) => service.loadBalancer);
  const single = config.services.length === 1;
  // One service keeps the single-service words: "tasks"; several name whose tasks they are.
  const tasksOf = (service: Pick<ServiceSpec, 'name'>) => (single ? 'tasks' : `${service.name} tasks`);
  if (balanced.length > 0 && servesThroughCloudFront(config)) {
    chain.push('internet -> CloudFront: https 443 (http redirected)');
    chain.push(`CloudFront (origin-facing prefix list ${config.region ? cloudFrontPrefixListId(config.region) : 'of the region'}) -> load balancer: tcp 80, forwarded only with the secret origin header (else 403)`);
    for (const service of balanced) chain.push(`load balancer -> ${tasksOf(service)}: tcp ${service.port}`);
  } else if (balanced.length > 0) {
    const from = balanced.some((service) => service.public) ? 'internet (0.0.0.0/0)' : `VPC (${config.network.cidr})`;
    chain.push(`${from} -> load balancer: tcp ${config.domain ? '80 (redirect), 443' : '80'}`);
    for (const service of balanced) chain.push(`load balancer -> ${tasksOf(service)}: tcp ${service.port}`);
  }
  for (const service of web.filter((candidate) => !candidate.loadBalancer)) {
    chain.push(`internet (0.0.0.0/0) -> ${tasksOf(service)} (public IP, no load balancer): tcp ${service.port}`);
  }
  if (usesServiceConnect(config)) {
    for (const server of web) {
      const clients = longRunningServices(config).filter((client) => client.name !== server.name).map((client) => client.name);
      chain.push(`${clients.join(', ')} -> ${server.name} tasks (Service Connect, ${serviceUrl(server.name, server.port)}): tcp ${server.port}`);
    }
  }
  const all = single ? 'tasks' : 'every service\'s tasks';
  if (config.database) chain.push(`${all} -> database: tcp 5432`);
  if (config.cache) chain.push(`${all} -> cache: tcp 6379 (TLS)`);
  const egress = config.network.tasks === 'public'
    ? 'tasks -> internet: through their public IP (ECR, logs, secrets, outside APIs)'
    : config.network.egress === 'nat'
      ? 'tasks -> internet: through one NAT gateway'
      : 'tasks -> AWS: through VPC endpoints only (ECR, S3, CloudWatch Logs, Secrets Manager)';
  chain.push(egress);
  return chain;
}

function endpoints(config: ResolvedConfig): PlanSummary['endpoints'] {
  const list: PlanSummary['endpoints'] = [];
  const web = webServices(config);
  if (web.some((service) => service.loadBalancer)) {
    const url = config.domain ? `https://${config.domain.name}` : servesThroughCloudFront(config) ? 'https://<id>.cloudfront.net (known after deploy; CloudFront\'s certificate)' : 'http://<load balancer DNS name> (known after deploy)';
    list.push({ name: 'Url', value: url });
  } else {
    for (const service of web) list.push({ name: 'Url', value: `http://<task public IP>:${service.port} (changes when the task is replaced)` });
  }
  if (usesServiceConnect(config)) {
    for (const service of web) list.push({ name: `${service.name} (inside the environment)`, value: `${serviceUrl(service.name, service.port)} (Service Connect)` });
  }
  if (config.database) list.push({ name: 'DatabaseEndpoint', value: '<instance>.rds.amazonaws.com:5432 (inside the VPC only)' });
  if (config.cache) list.push({ name: 'CacheEndpoint', value: '<group>.cache.amazonaws.com:6379 (inside the VPC only, TLS)' });
  return list;
}

/** The summary's security lines (PlanSummary.security), from the configuration and the stack as built. */
export function securityNotes(config: ResolvedConfig, stack: Pick<EnvironmentStack, 'alarms' | 'services'>): string[] {
  const lines: string[] = [];
  if (webServices(config).some((service) => service.loadBalancer)) {
    if (config.domain) lines.push(`HTTPS: ${config.domain.name} with an ACM certificate validated in its Route 53 zone; HTTP redirected to HTTPS`);
    else if (servesThroughCloudFront(config)) lines.push('HTTPS: CloudFront (https://<id>.cloudfront.net) in front of the load balancer, caching nothing; the load balancer admits CloudFront only');
    else if (!config.https) lines.push('HTTP only (https: false): requests and cookies travel in clear text');
  }
  for (const service of config.services) {
    const field = serviceKey(config, service);
    const reference = service.ownImage ? service.image : config.image.image;
    if (service.registryCredentials) lines.push(`${field}: pulls ${reference ?? 'its image'} with the registry credentials in ${secretName(config.app, config.env, service.registryCredentials)}`);
    else if (reference) {
      const source = imageSource(reference);
      if (source.kind === 'ecr') lines.push(`${field}: its execution role may pull only ${source.repositoryArn}`);
    } else {
      lines.push(`${field}: its execution role may pull only the app's repository ${repositoryName(config.app)}`);
    }
    lines.push(...describeAppPermissions(field, service));
    if (service.readonlyRootFilesystem) lines.push(`${field}: read-only root filesystem`);
    if (usesSpot(service, config.production) && service.kind !== 'job' && service.spotStrategy && (service.spotStrategy.base > 0 || service.spotStrategy.share < 100)) {
      lines.push(`${field}: ${service.spotStrategy.base} task(s) on regular Fargate, ${service.spotStrategy.share}% of the rest on Fargate Spot`);
    }
  }
  if (stack.alarms) {
    lines.push(`alarms: ${stack.alarms.alarms.length}, notifying ${config.alarms.email ?? 'an SNS topic without subscription'}${config.alarms.dashboard ? '; a CloudWatch dashboard' : ''}`);
    for (const [service, names] of stack.alarms.deploymentAlarms) lines.push(`${serviceKey(config, { name: service })}: a deploy that raises ${names.join(' or ')} is rolled back`);
  }
  return lines;
}

/** How a service's health is judged, in words. */
function healthWords(service: ServiceSpec): string {
  if (service.kind === 'web') {
    const where = service.loadBalancer ? 'the load balancer and the container' : 'the container';
    return `GET ${service.health.path} answering 2xx, checked by ${where} every ${service.health.interval}s (grace ${service.health.gracePeriod}s)`;
  }
  if (service.kind === 'worker') {
    return service.health ? `the container check \`${service.health.command.join(' ')}\` exiting 0 every ${service.health.interval}s (grace ${service.health.gracePeriod}s)` : 'its process keeps running (the essential container)';
  }
  return 'each run exits 0 (its exit code is recorded by ECS and shown by berth status)';
}

function planSummary(config: ResolvedConfig, registry: Stack, stack: EnvironmentStack, schedules: PlanSummary['schedules']): PlanSummary {
  const routing = webServices(config).some((service) => service.loadBalancer) ? listenerRouting(config) : undefined;
  const sc = usesServiceConnect(config);
  const services: PlannedService[] = stack.realized.map((realized) => {
    const spec = config.services.find((service) => service.name === realized.name)!;
    const web = spec.kind === 'web' ? (spec as WebServiceSpec) : undefined;
    const job = spec.kind === 'job' ? (spec as JobServiceSpec) : undefined;
    const rule = routing?.rules.find((candidate) => candidate.service === spec.name);
    return {
      name: spec.name,
      kind: spec.kind,
      ...(realized.ecsService ? { ecsService: realized.ecsService } : {}),
      taskFamily: realized.family,
      container: realized.container,
      logStreamPrefix: realized.logStreamPrefix,
      cpu: spec.cpu,
      memory: spec.memory,
      arch: spec.arch,
      ...(spec.kind !== 'job' ? { count: { min: spec.count.min, max: spec.count.max } } : {}),
      ...(web?.loadBalancer && routing ? { route: rule ? { default: false, priority: rule.priority, ...(rule.host ? { host: rule.host } : {}), ...(rule.path ? { path: rule.path } : {}) } : { default: routing.defaultService === spec.name } } : {}),
      ...(web && sc ? { serviceConnect: serviceUrl(web.name, web.port) } : {}),
      health: healthWords(spec),
      ...(job ? { schedule: { berthYml: describeJobSchedule(job.schedule), expression: schedulerExpression(job.schedule), timezone: 'UTC' as const }, timeoutSeconds: job.timeout } : {}),
      environment: realized.environment,
      secrets: realized.environment.filter((variable) => variable.kind === 'secret').map((variable) => variable.name),
    };
  });
  const primaryName = primaryWebService(config)?.name ?? longRunningServices(config)[0]?.name ?? config.services[0]?.name;
  const before = config.release.before;
  const jobs = jobServices(config);
  return {
    resourcesByConcern: resourcesByConcern(registry, stack),
    securityGroupChain: securityGroupChain(config),
    services,
    environment: services.find((service) => service.name === primaryName)?.environment ?? [],
    endpoints: endpoints(config),
    security: securityNotes(config, stack),
    schedules,
    ...(routing && (routing.rules.length > 0 || routing.defaultService === undefined) ? { routing: describeRouting(routing) } : {}),
    ...(before ? { releaseBefore: { service: before.service, command: before.command, taskFamily: releaseBeforeTaskNames(config.app, config.env).family } } : {}),
    deploy: { ...deployStrategyPlan(config), ecs: ecsDeployWords(config) },
    ...(jobs.length > 0 ? { jobTimeouts: `each scheduled run is stopped (ecs:StopTask) when it has been RUNNING longer than its timeout (${jobs.map((job) => `${job.name} ${formatDuration(job.timeout)}`).join(', ')}): an EventBridge rule starts a Step Functions timer per run` } : {}),
  };
}

/** What ECS does on a deploy, in one sentence for `berth plan`. */
function ecsDeployWords(config: ResolvedConfig): string {
  const plan = deployStrategyPlan(config);
  const rolls = 'ECS replaces tasks (100% stay healthy, up to 200% run) and the circuit breaker rolls a failing deploy back';
  if (plan.strategy === 'rolling') return rolls;
  const how = plan.strategy === 'blue-green'
    ? 'ECS BLUE_GREEN: a full new set starts in the second target group, requests with x-berth-test-traffic: green reach it first, then the production rule switches all traffic at once'
    : `ECS CANARY: a full new set starts in the second target group, the production rule sends it ${config.deploy.canary.percent}% of requests for ${formatDuration(config.deploy.canary.for)}, then all`;
  return `${how}; the old set stays for ${formatDuration(config.deploy.bake)} (berth rollback returns to it at once) and the 5xx-rate alarm rolls back (${plan.switching.join(', ')})${plan.rolling.length > 0 ? `; ${plan.rolling.join(', ')}: ${rolls}` : ''}`;
}

interface ReportJson {
  pluginReports?: Array<{
    summary?: { pluginName?: string };
    pluginName?: string;
    violations?: Array<{
      ruleName?: string;
      description?: string;
      severity?: string;
      violatingResources?: Array<{ constructPath?: string; resourceLogicalId?: string; locations?: string[] }>;
      violatingConstructs?: Array<{ constructPath?: string; resourceLogicalId?: string }>;
    }>;
  }>;
}

export function readFindings(reportPath: string): ValidationFinding[] {
  let report: ReportJson;
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8')) as ReportJson;
  } catch {
    return [];
  }
  const findings: ValidationFinding[] = [];
  for (const plugin of report.pluginReports ?? []) {
    const pluginName = plugin.summary?.pluginName ?? plugin.pluginName ?? '';
    const source = /nag|AwsSolutions/i.test(pluginName) ? 'cdk-nag' : 'cloudformation';
    for (const violation of plugin.violations ?? []) {
      const resources = [...(violation.violatingResources ?? []), ...(violation.violatingConstructs ?? [])]
        .map((resource) => resource.constructPath ?? resource.resourceLogicalId ?? '')
        .filter((path) => path.length > 0);
      findings.push({
        ruleId: violation.ruleName ?? 'unknown',
        source,
        severity: violation.severity ?? 'error',
        description: violation.description ?? '',
        resources: [...new Set(resources)],
      });
    }
  }
  return findings;
}

export function withEnv<T>(name: string, value: string, work: () => T): T {
  const saved = process.env[name];
  process.env[name] = value;
  try {
    return work();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

/** CDK prints the validation report on the console itself; berth shows findings in its own format instead. */
export async function withQuietConsole<T>(work: () => T): Promise<T> {
  const saved = { error: console.error, warn: console.warn, log: console.log };
  console.error = () => undefined;
  console.warn = () => undefined;
  console.log = () => undefined;
  try {
    return work();
  } finally {
    Object.assign(console, saved);
  }
}

function addCounts(...counts: Array<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const count of counts) for (const [type, n] of Object.entries(count)) total[type] = (total[type] ?? 0) + n;
  return sortKeys(total);
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
