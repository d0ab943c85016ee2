/**
 * What would save money in this configuration: each candidate change is applied to a copy of the
 * templates and priced again, so every amount is the difference between two real estimates.
 */
import type { CostEstimate, MonthlyRange } from './price-template.js';
import { cents, priceTemplates } from './price-template.js';
import type { PriceTable } from './price-table.js';
import type { CfnResource, StackTemplate } from './template.js';
import { arrayValue, isRecord, pathValue, referencedId, referencedIds, resourcesOf } from './template.js';
import type { UsageAssumptions } from './usage.js';

export type SavingKind = 'arm64' | 'no-nat-endpoints' | 'no-nat-public-tasks' | 'spot' | 'scale-to-zero-at-night';

export interface Saving {
  kind: SavingKind;
  /** What changes, for people. */
  change: string;
  /** The berth.yml setting that makes the change. */
  config: string;
  /** Saved per month (at the minimum and at the maximum task count). */
  monthly: MonthlyRange;
  /** The estimate with the change. */
  after: MonthlyRange;
  /** What to weigh before making it. */
  caveat: string;
}

export interface SavingsOptions {
  /** Spot and scaling to zero are only suggested outside production. */
  production: boolean;
  /** berth.yml declares `services:` with more than one service: the fields to change are named for that shape. */
  manyServices?: boolean;
}

/** The berth.yml field of a suggestion when the app has several services (`service.` is the one-service shorthand). */
const MANY_SERVICES_CONFIG: Readonly<Record<string, string>> = {
  'service.arch: arm64': 'arch: arm64 (shared by the services, or services.<name>.arch)',
  'service.spot: true': 'spot: true (shared by the services, or services.<name>.spot)',
  'service.count.schedule': 'services.<name>.count.schedule',
};

/** Hours (UTC) of the night window suggested for scaling to zero. */
export const NIGHT = { from: 20, to: 8 } as const;

function clock(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/** Apply a change in place; false when it does not apply, or the berth.yml setting when it depends on the template. */
type Edit = (templates: StackTemplate[]) => boolean | string;

function copy(templates: readonly StackTemplate[]): StackTemplate[] {
  return structuredClone(templates) as StackTemplate[];
}

function each(templates: StackTemplate[], type: string, visit: (resource: CfnResource, logicalId: string, template: StackTemplate) => boolean | void): boolean {
  let changed = false;
  for (const template of templates) {
    for (const [logicalId, resource] of Object.entries(template.template.Resources ?? {})) {
      if (resource.Type === type && visit(resource, logicalId, template) !== false) changed = true;
    }
  }
  return changed;
}

function serviceTaskDefinitions(templates: StackTemplate[]): CfnResource[] {
  const found: CfnResource[] = [];
  each(templates, 'AWS::ECS::Service', (service, _id, { template }) => {
    const id = referencedId(service.Properties?.TaskDefinition);
    const td = id ? template.Resources?.[id] : undefined;
    if (td) found.push(td);
  });
  return found;
}

const toArm: Edit = (templates) => {
  let changed = false;
  for (const td of serviceTaskDefinitions(templates)) {
    if (pathValue(td.Properties, ['RuntimePlatform', 'CpuArchitecture']) === 'ARM64') continue;
    td.Properties = { ...td.Properties, RuntimePlatform: { OperatingSystemFamily: 'LINUX', CpuArchitecture: 'ARM64' } };
    changed = true;
  }
  return changed;
};

/** Remove NAT gateways and the Elastic IPs they hold. */
function removeNat(templates: StackTemplate[]): boolean {
  let changed = false;
  for (const { template } of templates) {
    const resources = template.Resources ?? {};
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type !== 'AWS::EC2::NatGateway') continue;
      for (const held of referencedIds(resource.Properties?.AllocationId)) delete resources[held];
      delete resources[id];
      changed = true;
    }
  }
  return changed;
}

const ENDPOINT_SERVICES = ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager'];

const natToEndpoints: Edit = (templates) => {
  if (!removeNat(templates)) return false;
  for (const { template } of templates) {
    const resources = template.Resources ?? {};
    const services = Object.values(resources).filter((resource) => resource.Type === 'AWS::ECS::Service');
    if (services.length === 0) continue;
    const subnets = arrayValue(pathValue(services[0]!.Properties, ['NetworkConfiguration', 'AwsvpcConfiguration', 'Subnets']));
    const zones = subnets.length > 0 ? subnets : [{ Ref: 'zone-a' }, { Ref: 'zone-b' }];
    const existing = JSON.stringify(Object.values(resources).filter((resource) => resource.Type === 'AWS::EC2::VPCEndpoint').map((resource) => resource.Properties?.ServiceName));
    const needsSecrets = JSON.stringify(Object.values(resources).filter((resource) => resource.Type === 'AWS::ECS::TaskDefinition')).includes('"Secrets"');
    for (const name of ENDPOINT_SERVICES) {
      if (name === 'secretsmanager' && !needsSecrets) continue;
      if (existing.includes(`.${name}`)) continue;
      resources[`BerthSavingEndpoint${name.replace(/\W/g, '')}`] = {
        Type: 'AWS::EC2::VPCEndpoint',
        Properties: { VpcEndpointType: 'Interface', ServiceName: `com.amazonaws.region.${name}`, SubnetIds: zones },
      };
    }
  }
  return true;
};

const natToPublicTasks: Edit = (templates) => {
  if (!removeNat(templates)) return false;
  each(templates, 'AWS::ECS::Service', (service) => {
    const props = service.Properties ?? {};
    const vpc = pathValue(props, ['NetworkConfiguration', 'AwsvpcConfiguration']);
    service.Properties = { ...props, NetworkConfiguration: { AwsvpcConfiguration: { ...(isRecord(vpc) ? vpc : {}), AssignPublicIp: 'ENABLED' } } };
  });
  return true;
};

const toSpot: Edit = (templates) => each(templates, 'AWS::ECS::Service', (service) => {
  const strategy = arrayValue(service.Properties?.CapacityProviderStrategy);
  if (strategy.length === 1 && isRecord(strategy[0]) && strategy[0].CapacityProvider === 'FARGATE_SPOT') return false;
  const { LaunchType: _launchType, ...props } = service.Properties ?? {};
  service.Properties = { ...props, CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] };
  return true;
});

const scaleToZeroAtNight: Edit = (templates) => {
  let changed: boolean | string = false;
  for (const { template } of templates) {
    const resources = template.Resources ?? {};
    for (const [serviceId, service] of Object.entries(resources)) {
      if (service.Type !== 'AWS::ECS::Service') continue;
      const target = Object.values(resources).find((resource) =>
        resource.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' && referencedIds(resource.Properties?.ResourceId).has(serviceId));
      if (target && arrayValue(target.Properties?.ScheduledActions).length > 0) continue;
      const desired = Number(service.Properties?.DesiredCount ?? 1);
      const min = Number(target?.Properties?.MinCapacity ?? desired);
      const max = Number(target?.Properties?.MaxCapacity ?? desired);
      const actions = [
        { ScheduledActionName: 'night', Schedule: `cron(0 ${NIGHT.from} * * ? *)`, ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 0 } },
        { ScheduledActionName: 'morning', Schedule: `cron(0 ${NIGHT.to} * * ? *)`, ScalableTargetAction: { MinCapacity: min, MaxCapacity: max } },
      ];
      changed = `service.count.schedule: [{ cron: "0 ${NIGHT.from} * * *", min: 0, max: 0 }, { cron: "0 ${NIGHT.to} * * *", min: ${min}, max: ${max} }]`;
      if (target) target.Properties = { ...target.Properties, ScheduledActions: actions };
      else {
        resources[`${serviceId}BerthSavingNightScaling`] = {
          Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
          Properties: { ServiceNamespace: 'ecs', ResourceId: { 'Fn::GetAtt': [serviceId, 'Name'] }, MinCapacity: min, MaxCapacity: max, ScheduledActions: actions },
        };
      }
    }
  }
  return changed;
};

interface Candidate {
  kind: SavingKind;
  edit: Edit;
  change: string;
  config: string;
  caveat: string;
  productionToo: boolean;
}

const CANDIDATES: readonly Candidate[] = [
  { kind: 'arm64', edit: toArm, change: 'run the tasks on ARM (Graviton) instead of x86', config: 'service.arch: arm64', caveat: 'the image must be built for linux/arm64 (berth builds for the configured arch)', productionToo: true },
  { kind: 'no-nat-endpoints', edit: natToEndpoints, change: 'replace the NAT gateway with VPC endpoints for ECR, logs and secrets', config: 'network.egress: endpoints', caveat: 'the tasks can then reach AWS services only, not the internet', productionToo: true },
  { kind: 'no-nat-public-tasks', edit: natToPublicTasks, change: 'run the tasks in public subnets with public IPs instead of behind NAT', config: 'network.tasks: public', caveat: 'each task gets a public IPv4 address; its security group still admits only the load balancer', productionToo: true },
  { kind: 'spot', edit: toSpot, change: 'run the tasks on Fargate Spot', config: 'service.spot: true', caveat: 'Spot tasks can be stopped at two minutes\' notice: fine for non-production', productionToo: false },
  { kind: 'scale-to-zero-at-night', edit: scaleToZeroAtNight, change: `scale to zero tasks from ${clock(NIGHT.from)} to ${clock(NIGHT.to)} UTC`, config: 'service.count.schedule', caveat: 'the app is unreachable at night', productionToo: false },
];

/** Each change that would lower the monthly cost, with the amount, largest saving first. */
export function findSavings(templates: readonly StackTemplate[], table: PriceTable, usage: UsageAssumptions, options: SavingsOptions, before?: CostEstimate): Saving[] {
  const current = before ?? priceTemplates(templates, table, usage);
  if (resourcesOf(templates).length === 0) return [];
  const savings: Saving[] = [];
  for (const candidate of CANDIDATES) {
    if (options.production && !candidate.productionToo) continue;
    const changed = copy(templates);
    const edited = candidate.edit(changed);
    if (edited === false) continue;
    const after = priceTemplates(changed, table, usage).monthly;
    const saved = { min: cents(current.monthly.min - after.min), max: cents(current.monthly.max - after.max) };
    if (saved.min <= 0 && saved.max <= 0) continue;
    const config = typeof edited === 'string' ? edited : candidate.config;
    savings.push({ kind: candidate.kind, change: candidate.change, config: options.manyServices ? MANY_SERVICES_CONFIG[config] ?? config : config, monthly: saved, after, caveat: candidate.caveat });
  }
  return savings.sort((a, b) => b.monthly.max - a.monthly.max);
}
