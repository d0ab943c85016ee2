/**
 * Synthesis of one AWS environment into a cloud assembly: the registry stack and the environment stack, with
 * cdk-nag's AwsSolutions pack and a CloudFormation resource-specification check (template-check.ts) on every synth.
 * No AWS call, no credentials, no context lookup. Deploy and cost call this; `berth plan` prints what it returns.
 */
import { soleWebService } from '../../model/transitional.js';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Validations, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { ResolvedConfig } from '../../config/model.js';
import { UsageError } from '../../errors.js';
import { EnvironmentStack, type Concern } from './environment-stack.js';
import { IMAGE_CONTEXT_KEY, parseImageByDigest, PLACEHOLDER_DIGEST, repositoryName } from '../../model/index.js';
import { RegistryStack } from './registry.js';
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

export interface PlanSummary {
  /** CloudFormation types and counts per concern (network, registry, service, ...). */
  resourcesByConcern: Partial<Record<Concern, Record<string, number>>>;
  /** Who may talk to whom, one hop a line: e.g. "internet -> load balancer: tcp 80, 443". */
  securityGroupChain: string[];
  /** Every variable the app receives; secrets by name and source only. */
  environment: EnvironmentVariableSource[];
  /** Where things will be reachable; values known before deploy, or a description. */
  endpoints: Array<{ name: string; value: string }>;
  /** Scheduled scaling as AWS will run it. */
  schedules: Array<{ name: string; cron: string; awsCron: string; min?: number; max?: number }>;
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
  const app = new App({
    outdir: options.outdir,
    analyticsReporting: false,
    context: {
      ...(options.image ? { [IMAGE_CONTEXT_KEY]: options.image } : {}),
      // berth reads the validation report itself and shows what remains; synthesis must not throw on it.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  const env = {
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
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  // CDK's bundled CloudFormation validator costs seconds of engine start-up per command; template-check.ts
  // checks the same resource specification in a fraction of that, so the built-in one is turned off here.
  const assembly = await withQuietConsole(() => withEnv('CDK_VALIDATION', 'false', () => app.synth()));
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
    summary: {
      resourcesByConcern: resourcesByConcern(registry, stack),
      securityGroupChain: securityGroupChain(config),
      environment: stack.wiring.sources,
      endpoints: endpoints(config),
      schedules,
    },
  };
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
  return soleWebService(config).count.schedule.map((entry, index) => {
    try {
      return { name: entry.name, cron: entry.cron, awsCron: `cron(${toAwsCron(entry.cron)})`, ...(entry.min !== undefined ? { min: entry.min } : {}), ...(entry.max !== undefined ? { max: entry.max } : {}) };
    } catch (error) {
      if (error instanceof CronConversionError) throw new UsageError(`${config.file}: service.count.schedule.${index}.cron: ${error.message}`, 'use five fields in UTC, e.g. "0 20 * * 1-5"');
      throw error;
    }
  });
}

/** Warnings that follow from the configuration itself: choices with a cost or a step the user must take. */
export function architectureWarnings(config: ResolvedConfig): string[] {
  const warnings: string[] = [];
  if (config.domain && !config.domain.zoneId) {
    warnings.push(`domain ${config.domain.name}: no domain.zoneId, so the certificate is validated by DNS records you add yourself: the deploy waits until the CNAME shown in the ACM console (or \`berth status\`) exists, then point ${config.domain.name} at the load balancer`);
  }
  if (config.network.tasks === 'private' && config.network.egress === 'nat') {
    warnings.push('network: private tasks with egress nat: one NAT gateway (~$33/month plus data) gives them internet access');
  }
  if (config.network.tasks === 'private' && config.network.egress === 'endpoints') {
    warnings.push('network: private tasks with VPC endpoints (ECR, S3, CloudWatch Logs, Secrets Manager; ~$7.30/month per interface endpoint per AZ): the app cannot reach the internet; use egress: nat if it calls outside APIs');
  }
  if (!soleWebService(config).loadBalancer && soleWebService(config).count.max > 1) {
    warnings.push('service.loadBalancer is false: each task has its own public IP, so more than one task means more than one address');
  }
  if (!soleWebService(config).loadBalancer && config.network.tasks === 'private') {
    warnings.push('service.loadBalancer is false and tasks are private: nothing outside the VPC can reach the app');
  }
  if (soleWebService(config).spot && config.production) warnings.push('service.spot is ignored in production environments');
  if (soleWebService(config).count.min === 0 && soleWebService(config).count.schedule.length === 0) warnings.push('service.count.min is 0: the service runs no task until it scales out');
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
};

function resourcesByConcern(...stacks: Stack[]): PlanSummary['resourcesByConcern'] {
  const byConcern: PlanSummary['resourcesByConcern'] = {};
  for (const stack of stacks) {
    for (const construct of stack.node.findAll()) {
      if (!CfnResource.isCfnResource(construct) || construct.cfnResourceType === 'AWS::CDK::Metadata') continue;
      const topLevel = construct.node.scopes[2]?.node.id ?? '';
      const concern = CONCERN_BY_CONSTRUCT[topLevel] ?? 'service';
      const counts = (byConcern[concern] ??= {});
      counts[construct.cfnResourceType] = (counts[construct.cfnResourceType] ?? 0) + 1;
    }
  }
  for (const concern of Object.keys(byConcern) as Concern[]) byConcern[concern] = sortKeys(byConcern[concern]!);
  return byConcern;
}

/** The security-group chain as the stack builds it, from the configuration (the same decisions, no template parsing). */
export function securityGroupChain(config: ResolvedConfig): string[] {
  const port = soleWebService(config).port;
  const chain: string[] = [];
  if (soleWebService(config).loadBalancer) {
    const from = soleWebService(config).public ? 'internet (0.0.0.0/0)' : `VPC (${config.network.cidr})`;
    chain.push(`${from} -> load balancer: tcp ${config.domain ? '80 (redirect), 443' : '80'}`);
    chain.push(`load balancer -> tasks: tcp ${port}`);
  } else {
    chain.push(`internet (0.0.0.0/0) -> tasks (public IP, no load balancer): tcp ${port}`);
  }
  if (config.database) chain.push('tasks -> database: tcp 5432');
  if (config.cache) chain.push('tasks -> cache: tcp 6379 (TLS)');
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
  if (soleWebService(config).loadBalancer) {
    list.push({ name: 'Url', value: config.domain ? `https://${config.domain.name}` : 'http://<load balancer DNS name> (known after deploy)' });
  } else {
    list.push({ name: 'Url', value: `http://<task public IP>:${soleWebService(config).port} (changes when the task is replaced)` });
  }
  if (config.database) list.push({ name: 'DatabaseEndpoint', value: '<instance>.rds.amazonaws.com:5432 (inside the VPC only)' });
  if (config.cache) list.push({ name: 'CacheEndpoint', value: '<group>.cache.amazonaws.com:6379 (inside the VPC only, TLS)' });
  return list;
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
