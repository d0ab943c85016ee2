/**
 * Price lines from synthesized CloudFormation templates: every billable resource the template really
 * has, priced from a dated price table and stated usage assumptions. Pure: no AWS call, no I/O.
 */
import { isFreeResourceType } from './free-resources.js';
import type { PriceTable } from './price-table.js';
import { HOURS_PER_MONTH } from './price-table.js';
import type { Capacity, CapacityPeriod, ScheduledCapacityChange } from './schedule.js';
import { runsPerMonth, scheduledCapacity } from './schedule.js';
import type { CfnResource, LocatedResource, StackTemplate } from './template.js';
import {
  arrayValue, booleanValue, displayName, isRecord, numberValue, pathValue, referencedId, referencedIds, resourcesOf, stringValue,
} from './template.js';
import type { UsageAssumptions } from './usage.js';
import { USAGE_FLAGS } from './usage.js';

/** USD per month; min and max differ only for autoscaled or scheduled services. */
export interface MonthlyRange {
  min: number;
  max: number;
}

export interface PriceLine {
  /** Who pays: the resource's construct path or logical ID, or a usage such as "data transfer out". */
  resource: string;
  /** The CloudFormation type, or "usage" for charges no single resource carries. */
  type: string;
  monthly: MonthlyRange;
  /** How the figure was reached, e.g. "2 tasks × 730 h × (0.25 vCPU × $0.04048 + 0.5 GB × $0.004445)". */
  basis: string;
  stack: string;
  logicalId?: string;
}

export interface UnpricedResource {
  resource: string;
  type: string;
  stack: string;
  reason: string;
}

/**
 * What one blue/green or canary deploy of a service costs on top of the month: the second full set of tasks runs beside
 * the first while it shifts traffic and bakes. Per deploy, so it is a note and never part of the monthly total.
 */
export interface DeployCostNote {
  resource: string;
  strategy: 'BLUE_GREEN' | 'CANARY';
  /** USD per deploy, at least (starting the new set and its health checks add a little). */
  perDeploy: MonthlyRange;
  basis: string;
  stack: string;
}

export interface CostEstimate {
  region: string;
  currency: 'USD';
  monthly: MonthlyRange;
  items: PriceLine[];
  unpriced: UnpricedResource[];
  /** Blue/green and canary services: the extra capacity of one deploy. */
  deployNotes: DeployCostNote[];
  assumptions: UsageAssumptions & { hoursPerMonth: number };
}

/** A figure the price table lacks: the resource is reported as not priced, with this reason. */
class NotPriceable extends Error {}

/** Round to cents, tolerant of binary fractions such as 16.425 stored as 16.42499…. */
export function cents(amount: number): number {
  return Math.round(Number((amount * 100).toFixed(6))) / 100;
}

/** A rate as printed in a basis: "$0.04048". */
export function rate(usd: number): string {
  return `$${usd.toFixed(Math.max(2, String(usd).split('.')[1]?.length ?? 0))}`;
}

function quantity(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}

function hoursText(hours: number): string {
  return `${Math.abs(hours - Math.round(hours)) < 0.05 ? Math.round(hours) : hours.toFixed(1)} h`;
}

function plural(count: number, word: string): string {
  return `${quantity(count)} ${word}${count === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;
}

function fixed(amount: number): MonthlyRange {
  return { min: cents(amount), max: cents(amount) };
}

class Prices {
  constructor(private readonly table: PriceTable) {}

  usd(key: string, what: string): number {
    const figure = this.table.prices[key];
    if (!figure) throw new NotPriceable(`no price for ${what} in data/prices/${this.table.region}.json (key "${key}")`);
    return figure.usd;
  }
}

/** What a Fargate task costs per hour, and how to say it. */
export interface FargateTaskRate {
  hourly: number;
  /** "0.25 vCPU × $0.04048 + 0.5 GB × $0.004445" */
  basis: string;
}

export interface FargateTaskSize {
  /** vCPU (0.25 for CPU units 256). */
  vcpu: number;
  /** GB of memory. */
  memoryGb: number;
  arch: 'x86_64' | 'arm64';
  spot: boolean;
  /** Ephemeral storage above the free 20 GB. */
  extraStorageGb?: number;
}

/** The hourly price of one Fargate task of this size. */
export function fargateTaskRate(size: FargateTaskSize, table: PriceTable): FargateTaskRate {
  const prices = new Prices(table);
  const family = size.spot ? 'fargate-spot' : 'fargate';
  const label = `${size.spot ? 'Fargate Spot' : 'Fargate'} ${size.arch}`;
  const vcpuHour = prices.usd(`${family}.${size.arch}.vcpu-hour`, `${label} vCPU-hours`);
  const gbHour = prices.usd(`${family}.${size.arch}.gb-hour`, `${label} GB-hours`);
  let hourly = size.vcpu * vcpuHour + size.memoryGb * gbHour;
  let basis = `${quantity(size.vcpu)} vCPU × ${rate(vcpuHour)} + ${quantity(size.memoryGb)} GB × ${rate(gbHour)}`;
  if (size.extraStorageGb && size.extraStorageGb > 0) {
    const storageHour = prices.usd('fargate.ephemeral-storage.gb-hour', 'Fargate ephemeral storage');
    hourly += size.extraStorageGb * storageHour;
    basis += ` + ${quantity(size.extraStorageGb)} GB storage × ${rate(storageHour)}`;
  }
  return { hourly, basis };
}

/** How many of `count` tasks ECS places on FARGATE_SPOT under a capacity provider strategy. */
export function spotTasks(strategy: unknown, count: number): number {
  const entries = arrayValue(strategy).filter(isRecord).map((entry) => ({
    spot: entry.CapacityProvider === 'FARGATE_SPOT',
    base: numberValue(entry.Base) ?? 0,
    weight: numberValue(entry.Weight) ?? 0,
  }));
  if (entries.length === 0 || count <= 0) return 0;
  let spot = 0;
  let remaining = count;
  for (const entry of entries) {
    const placed = Math.min(entry.base, remaining);
    if (entry.spot) spot += placed;
    remaining -= placed;
  }
  const totalWeight = entries.reduce((sum, entry) => sum + entry.weight, 0);
  if (remaining > 0 && totalWeight > 0) {
    const spotWeight = entries.filter((entry) => entry.spot).reduce((sum, entry) => sum + entry.weight, 0);
    spot += (remaining * spotWeight) / totalWeight;
  }
  return spot;
}

interface TemplateIndex {
  byId: Map<string, LocatedResource>;
  all: LocatedResource[];
}

function indexTemplates(templates: readonly StackTemplate[]): TemplateIndex {
  const all = resourcesOf(templates);
  return { all, byId: new Map(all.map((located) => [`${located.stack}/${located.logicalId}`, located])) };
}

function lookup(index: TemplateIndex, stack: string, value: unknown): LocatedResource | undefined {
  const id = referencedId(value);
  return id ? index.byId.get(`${stack}/${id}`) : undefined;
}

/** The service's running capacity over a month: one period of 730 h, or the periods its schedule makes. */
interface ServiceCapacity {
  periods: CapacityPeriod[];
  notes: string[];
}

function serviceCapacity(index: TemplateIndex, service: LocatedResource): ServiceCapacity {
  const scalable = index.all.find((located) =>
    located.stack === service.stack
    && located.resource.Type === 'AWS::ApplicationAutoScaling::ScalableTarget'
    && located.resource.Properties?.ServiceNamespace === 'ecs'
    && referencedIds(located.resource.Properties?.ResourceId).has(service.logicalId));
  const desired = numberValue(service.resource.Properties?.DesiredCount) ?? 1;
  if (!scalable) return { periods: [{ min: desired, max: desired, hours: HOURS_PER_MONTH }], notes: [] };
  const props = scalable.resource.Properties ?? {};
  const base: Capacity = { min: numberValue(props.MinCapacity) ?? desired, max: numberValue(props.MaxCapacity) ?? desired };
  const changes: ScheduledCapacityChange[] = arrayValue(props.ScheduledActions).filter(isRecord).map((action, i) => ({
    name: stringValue(action.ScheduledActionName) ?? `action ${i + 1}`,
    schedule: stringValue(action.Schedule) ?? '',
    ...(numberValue(pathValue(action, ['ScalableTargetAction', 'MinCapacity'])) !== undefined ? { min: numberValue(pathValue(action, ['ScalableTargetAction', 'MinCapacity']))! } : {}),
    ...(numberValue(pathValue(action, ['ScalableTargetAction', 'MaxCapacity'])) !== undefined ? { max: numberValue(pathValue(action, ['ScalableTargetAction', 'MaxCapacity']))! } : {}),
  }));
  if (changes.length === 0) return { periods: [{ ...base, hours: HOURS_PER_MONTH }], notes: [] };
  const scheduled = scheduledCapacity(base, changes);
  return { periods: scheduled.periods, notes: scheduled.ignored.map((text) => `schedule not counted: ${text}`) };
}

function capacityText(capacity: Capacity): string {
  return capacity.min === capacity.max ? plural(capacity.min, 'task') : `${capacity.min}–${capacity.max} tasks`;
}

/** "2 tasks × 730 h", "1–4 tasks × 730 h" or "(1–2 tasks × 334 h + 0 tasks × 396 h)". */
function periodsText(periods: readonly CapacityPeriod[]): string {
  const parts = periods.map((period) => `${capacityText(period)} × ${hoursText(period.hours)}`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' + ')})`;
}

function priceService(index: TemplateIndex, service: LocatedResource, table: PriceTable): PriceLine[] {
  const props = service.resource.Properties ?? {};
  const launchType = stringValue(props.LaunchType);
  if (launchType && launchType !== 'FARGATE') throw new NotPriceable(`launch type ${launchType} is not priced (berth prices Fargate)`);
  const taskDefinition = lookup(index, service.stack, props.TaskDefinition);
  if (!taskDefinition) throw new NotPriceable('its task definition is not in the template');
  const td = taskDefinition.resource.Properties ?? {};
  const cpuUnits = numberValue(td.Cpu);
  const memoryMiB = numberValue(td.Memory);
  if (cpuUnits === undefined || memoryMiB === undefined) throw new NotPriceable('the task definition has no task-level Cpu and Memory');
  const arch = stringValue(pathValue(td, ['RuntimePlatform', 'CpuArchitecture'])) === 'ARM64' ? 'arm64' : 'x86_64';
  const storage = numberValue(pathValue(td, ['EphemeralStorage', 'SizeInGiB']));
  const size = { vcpu: cpuUnits / 1024, memoryGb: memoryMiB / 1024, arch, extraStorageGb: storage ? Math.max(0, storage - 20) : 0 } as const;
  const onDemand = fargateTaskRate({ ...size, spot: false }, table);
  const strategy = props.CapacityProviderStrategy;
  const usesSpot = arrayValue(strategy).some((entry) => isRecord(entry) && entry.CapacityProvider === 'FARGATE_SPOT');
  const spotRate = usesSpot ? fargateTaskRate({ ...size, spot: true }, table) : undefined;
  const { periods, notes } = serviceCapacity(index, service);

  const taskHours = (pick: 'min' | 'max') => {
    let spot = 0;
    let all = 0;
    for (const period of periods) {
      all += period[pick] * period.hours;
      spot += spotTasks(strategy, period[pick]) * period.hours;
    }
    return { all, spot, onDemand: all - spot };
  };
  const low = taskHours('min');
  const high = taskHours('max');
  const cost = (hours: { spot: number; onDemand: number }) => hours.onDemand * onDemand.hourly + hours.spot * (spotRate?.hourly ?? 0);
  const name = displayName(service);
  const count = periodsText(periods);
  let basis: string;
  if (!spotRate) basis = `${count} × (${onDemand.basis})`;
  else if (high.onDemand === 0 && low.onDemand === 0) basis = `${count} × Fargate Spot (${spotRate.basis})`;
  else basis = `${count}, on demand × (${onDemand.basis}), on Fargate Spot × (${spotRate.basis}) as the capacity provider strategy splits them`;
  if (notes.length > 0) basis += `; ${notes.join('; ')}`;
  const lines: PriceLine[] = [{
    resource: name, type: service.resource.Type, monthly: { min: cents(cost(low)), max: cents(cost(high)) }, basis, stack: service.stack, logicalId: service.logicalId,
  }];

  if (pathValue(props, ['NetworkConfiguration', 'AwsvpcConfiguration', 'AssignPublicIp']) === 'ENABLED') {
    const ipv4 = new Prices(table).usd('public-ipv4.hour', 'public IPv4 addresses');
    lines.push({
      resource: `${name} (task public IPv4)`,
      type: service.resource.Type,
      monthly: { min: cents(low.all * ipv4), max: cents(high.all * ipv4) },
      basis: `${count} × 1 address × ${rate(ipv4)}`,
      stack: service.stack,
      logicalId: service.logicalId,
    });
  }
  return lines;
}

/** The second set of tasks a BLUE_GREEN or CANARY deploy runs beside the first, for the canary time and the bake time. */
function priceDeploySwitch(index: TemplateIndex, service: LocatedResource, table: PriceTable): DeployCostNote | undefined {
  const props = service.resource.Properties ?? {};
  const strategy = stringValue(pathValue(props, ['DeploymentConfiguration', 'Strategy']));
  if (strategy !== 'BLUE_GREEN' && strategy !== 'CANARY') return undefined;
  const td = lookup(index, service.stack, props.TaskDefinition)?.resource.Properties ?? {};
  const cpuUnits = numberValue(td.Cpu);
  const memoryMiB = numberValue(td.Memory);
  if (cpuUnits === undefined || memoryMiB === undefined) return undefined;
  const arch = stringValue(pathValue(td, ['RuntimePlatform', 'CpuArchitecture'])) === 'ARM64' ? 'arm64' : 'x86_64';
  const task = fargateTaskRate({ vcpu: cpuUnits / 1024, memoryGb: memoryMiB / 1024, arch, extraStorageGb: 0, spot: false }, table);
  const bake = numberValue(pathValue(props, ['DeploymentConfiguration', 'BakeTimeInMinutes'])) ?? 0;
  const canary = strategy === 'CANARY' ? (numberValue(pathValue(props, ['DeploymentConfiguration', 'CanaryConfiguration', 'CanaryBakeTimeInMinutes'])) ?? 0) : 0;
  const minutes = bake + canary;
  const { periods } = serviceCapacity(index, service);
  const tasks = { min: Math.max(...periods.map((period) => period.min)), max: Math.max(...periods.map((period) => period.max)) };
  const during = canary > 0 ? `the ${canary} min canary and the ${bake} min bake` : `the ${bake} min bake`;
  return {
    resource: displayName(service),
    strategy,
    perDeploy: { min: cents((tasks.min * task.hourly * minutes) / 60), max: cents((tasks.max * task.hourly * minutes) / 60) },
    basis: `a second set of ${capacityText(tasks)} beside the first for ${during} (plus its start): ${capacityText(tasks)} × ${minutes} min × (${task.basis}) per deploy`,
    stack: service.stack,
  };
}

/** A scheduled job as its schedule and timer describe it: runs per month and how long one run is billed. */
interface JobRuns {
  runs: number;
  expression: string;
  taskDefinition: LocatedResource;
  /** Fargate bills a run per second with a one-minute minimum: the shortest a run can cost. */
  minMinutes: number;
  /** The job's timeout (its timer's wait), the longest a run can last; the minimum when no timer is found. */
  maxMinutes: number;
  timeoutFound: boolean;
}

/** Fargate's minimum billed time per task. */
const FARGATE_MINIMUM_MINUTES = 1;

/** The timeout berth's timer enforces for a task family: the wait in the input of the rule watching `family:<family>`. */
function jobTimeoutSeconds(index: TemplateIndex, stack: string, family: string): number | undefined {
  for (const located of index.all) {
    if (located.stack !== stack || located.resource.Type !== 'AWS::Events::Rule') continue;
    const groups = arrayValue(pathValue(located.resource.Properties?.EventPattern, ['detail', 'group']));
    if (!groups.includes(`family:${family}`)) continue;
    for (const target of arrayValue(located.resource.Properties?.Targets)) {
      const template = stringValue(pathValue(target, ['InputTransformer', 'InputTemplate'])) ?? stringValue(pathValue(target, ['Input'])) ?? '';
      const seconds = /"timeoutSeconds":\s*(\d+)/.exec(template);
      if (seconds) return Number(seconds[1]);
    }
  }
  return undefined;
}

function jobRuns(index: TemplateIndex, schedule: LocatedResource): JobRuns {
  const props = schedule.resource.Properties ?? {};
  const expression = stringValue(props.ScheduleExpression);
  if (!expression) throw new NotPriceable('its ScheduleExpression is not a literal');
  let runs: number;
  try {
    runs = runsPerMonth(expression);
  } catch (error) {
    throw new NotPriceable(`its schedule ${expression} cannot be replayed: ${(error as Error).message}`);
  }
  const taskDefinition = lookup(index, schedule.stack, pathValue(props, ['Target', 'EcsParameters', 'TaskDefinitionArn']));
  if (!taskDefinition) throw new NotPriceable('it does not start an ECS task definition of the template (berth prices ECS RunTask targets)');
  const family = stringValue(taskDefinition.resource.Properties?.Family);
  const timeout = family ? jobTimeoutSeconds(index, schedule.stack, family) : undefined;
  return {
    runs,
    expression,
    taskDefinition,
    minMinutes: FARGATE_MINIMUM_MINUTES,
    maxMinutes: timeout === undefined ? FARGATE_MINIMUM_MINUTES : Math.max(FARGATE_MINIMUM_MINUTES, timeout / 60),
    timeoutFound: timeout !== undefined,
  };
}

function runsText(runs: number): string {
  return Number(runs.toFixed(1)).toLocaleString('en-US');
}

/** A job: its Fargate runs (between Fargate's one-minute minimum and its timeout), their public IPv4 and the scheduler's invocations. */
function priceJob(index: TemplateIndex, schedule: LocatedResource, table: PriceTable): PriceLine[] {
  const job = jobRuns(index, schedule);
  const props = schedule.resource.Properties ?? {};
  const td = job.taskDefinition.resource.Properties ?? {};
  const cpuUnits = numberValue(td.Cpu);
  const memoryMiB = numberValue(td.Memory);
  if (cpuUnits === undefined || memoryMiB === undefined) throw new NotPriceable('its task definition has no task-level Cpu and Memory');
  const arch = stringValue(pathValue(td, ['RuntimePlatform', 'CpuArchitecture'])) === 'ARM64' ? 'arm64' : 'x86_64';
  const strategy = pathValue(props, ['Target', 'EcsParameters', 'CapacityProviderStrategy']);
  const spot = arrayValue(strategy).some((entry) => isRecord(entry) && entry.CapacityProvider === 'FARGATE_SPOT');
  const taskRate = fargateTaskRate({ vcpu: cpuUnits / 1024, memoryGb: memoryMiB / 1024, arch, spot }, table);
  const hours = (minutes: number) => (job.runs * minutes) / 60;
  const name = displayName(job.taskDefinition);
  const minutes = job.minMinutes === job.maxMinutes ? `${quantity(job.minMinutes)} min` : `${quantity(job.minMinutes)}–${quantity(job.maxMinutes)} min`;
  const why = job.timeoutFound
    ? `${quantity(job.minMinutes)} min: Fargate's minimum billed per run; ${quantity(job.maxMinutes)} min: the job's timeout`
    : `${quantity(job.minMinutes)} min: Fargate's minimum billed per run (no timeout found, so the longest run is not known)`;
  const common = { type: job.taskDefinition.resource.Type, stack: job.taskDefinition.stack, logicalId: job.taskDefinition.logicalId };
  const lines: PriceLine[] = [{
    resource: `${name} (scheduled runs)`,
    monthly: { min: cents(hours(job.minMinutes) * taskRate.hourly), max: cents(hours(job.maxMinutes) * taskRate.hourly) },
    basis: `${runsText(job.runs)} runs (${job.expression}) × ${minutes} × ${spot ? 'Fargate Spot ' : ''}(${taskRate.basis}); ${why}`,
    ...common,
  }];
  if (pathValue(props, ['Target', 'EcsParameters', 'NetworkConfiguration', 'AwsvpcConfiguration', 'AssignPublicIp']) === 'ENABLED') {
    const ipv4 = new Prices(table).usd('public-ipv4.hour', 'public IPv4 addresses');
    lines.push({
      resource: `${name} (run public IPv4)`,
      monthly: { min: cents(hours(job.minMinutes) * ipv4), max: cents(hours(job.maxMinutes) * ipv4) },
      basis: `${runsText(job.runs)} runs × ${minutes} × 1 address × ${rate(ipv4)}/h`,
      ...common,
    });
  }
  const perMillion = new Prices(table).usd('scheduler.invocations-million', 'EventBridge Scheduler invocations');
  lines.push({
    resource: displayName(schedule),
    type: schedule.resource.Type,
    monthly: fixed((job.runs / 1_000_000) * perMillion),
    basis: `${runsText(job.runs)} invocations × ${rate(perMillion)} per million`,
    stack: schedule.stack,
    logicalId: schedule.logicalId,
  });
  return lines;
}

/** State transitions of berth's job timer: one execution per run, at most three transitions (wait, stop, end). */
const TIMER_TRANSITIONS_PER_RUN = 3;

function priceStateMachine(index: TemplateIndex, machine: LocatedResource, table: PriceTable): PriceLine[] {
  let runs = 0;
  const jobs: string[] = [];
  for (const rule of index.all) {
    if (rule.stack !== machine.stack || rule.resource.Type !== 'AWS::Events::Rule') continue;
    const targetsMachine = arrayValue(rule.resource.Properties?.Targets).some((target) => referencedId(pathValue(target, ['Arn'])) === machine.logicalId);
    if (!targetsMachine) continue;
    for (const group of arrayValue(pathValue(rule.resource.Properties?.EventPattern, ['detail', 'group']))) {
      const family = stringValue(group)?.replace(/^family:/, '');
      const schedule = index.all.find((candidate) => candidate.stack === machine.stack && candidate.resource.Type === 'AWS::Scheduler::Schedule'
        && stringValue(lookup(index, machine.stack, pathValue(candidate.resource.Properties, ['Target', 'EcsParameters', 'TaskDefinitionArn']))?.resource.Properties?.Family) === family);
      if (!schedule) continue;
      runs += jobRuns(index, schedule).runs;
      jobs.push(displayName(schedule));
    }
  }
  if (jobs.length === 0) throw new NotPriceable('no scheduled job starts it, so its executions cannot be counted');
  const perThousand = new Prices(table).usd('stepfunctions.standard.transitions-thousand', 'Step Functions state transitions');
  return [{
    resource: displayName(machine),
    type: machine.resource.Type,
    monthly: fixed(((runs * TIMER_TRANSITIONS_PER_RUN) / 1000) * perThousand),
    basis: `${runsText(runs)} job runs × up to ${TIMER_TRANSITIONS_PER_RUN} state transitions (wait, stop, end) × ${rate(perThousand)} per 1,000`,
    stack: machine.stack,
    logicalId: machine.logicalId,
  }];
}

/** Service Connect registers each task of a service that answers in the namespace: Cloud Map bills registered resources. */
function priceNamespace(index: TemplateIndex, namespace: LocatedResource, table: PriceTable): PriceLine[] {
  let low = 0;
  let high = 0;
  for (const service of index.all) {
    if (service.stack !== namespace.stack || service.resource.Type !== 'AWS::ECS::Service') continue;
    const config = service.resource.Properties?.ServiceConnectConfiguration;
    if (referencedId(pathValue(config, ['Namespace'])) !== namespace.logicalId || arrayValue(pathValue(config, ['Services'])).length === 0) continue;
    const { periods } = serviceCapacity(index, service);
    low += periods.reduce((sum, period) => sum + period.min * period.hours, 0) / HOURS_PER_MONTH;
    high += periods.reduce((sum, period) => sum + period.max * period.hours, 0) / HOURS_PER_MONTH;
  }
  const usd = new Prices(table).usd('cloudmap.registered-resource-month', 'Cloud Map registered resources');
  const tasks = low === high ? plural(low, 'task') : `${quantity(low)}–${quantity(high)} tasks`;
  return [{
    resource: `${displayName(namespace)} (registered tasks)`,
    type: namespace.resource.Type,
    monthly: { min: cents(low * usd), max: cents(high * usd) },
    basis: `${tasks} of the services answering in the namespace, on average × ${rate(usd)}/month each`,
    stack: namespace.stack,
    logicalId: namespace.logicalId,
  }];
}

function priceLoadBalancer(located: LocatedResource, table: PriceTable, usage: UsageAssumptions): PriceLine[] {
  const props = located.resource.Properties ?? {};
  const type = stringValue(props.Type) ?? 'application';
  if (type !== 'application') throw new NotPriceable(`${type} load balancers are not priced (berth prices Application Load Balancers)`);
  const prices = new Prices(table);
  const hour = prices.usd('alb.hour', 'Application Load Balancer hours');
  const lcuHour = prices.usd('alb.lcu-hour', 'load balancer capacity units');
  const name = displayName(located);
  const common = { type: located.resource.Type, stack: located.stack, logicalId: located.logicalId };
  const lines: PriceLine[] = [
    { resource: name, monthly: fixed(HOURS_PER_MONTH * hour), basis: `${HOURS_PER_MONTH} h × ${rate(hour)}`, ...common },
    {
      resource: `${name} (LCUs)`,
      monthly: fixed(usage.lcus * HOURS_PER_MONTH * lcuHour),
      basis: `${quantity(usage.lcus)} LCU (assumed, ${USAGE_FLAGS.lcus.flag}) × ${HOURS_PER_MONTH} h × ${rate(lcuHour)}`,
      ...common,
    },
  ];
  const internetFacing = (stringValue(props.Scheme) ?? 'internet-facing') === 'internet-facing';
  const ipv4Free = props.IpAddressType === 'dualstack-without-public-ipv4';
  if (internetFacing && !ipv4Free) {
    const zones = arrayValue(props.Subnets).length || arrayValue(props.SubnetMappings).length;
    if (zones === 0) throw new NotPriceable('its subnets are not listed in the template, so its public addresses cannot be counted');
    const ipv4 = prices.usd('public-ipv4.hour', 'public IPv4 addresses');
    lines.push({
      resource: `${name} (public IPv4)`,
      monthly: fixed(zones * HOURS_PER_MONTH * ipv4),
      basis: `${plural(zones, 'address')} (one per AZ) × ${HOURS_PER_MONTH} h × ${rate(ipv4)}`,
      ...common,
    });
  }
  return lines;
}

function hourly(located: LocatedResource, usd: number, multiplier = 1, what = ''): PriceLine {
  const prefix = multiplier === 1 ? '' : `${multiplier}${what ? ` ${what}` : ''} × `;
  return {
    resource: displayName(located),
    type: located.resource.Type,
    monthly: fixed(multiplier * HOURS_PER_MONTH * usd),
    basis: `${prefix}${HOURS_PER_MONTH} h × ${rate(usd)}`,
    stack: located.stack,
    logicalId: located.logicalId,
  };
}

function priceDatabase(located: LocatedResource, table: PriceTable): PriceLine {
  const props = located.resource.Properties ?? {};
  const engine = stringValue(props.Engine) ?? '';
  if (!engine.startsWith('postgres')) throw new NotPriceable(`engine "${engine || 'unknown'}" is not priced (berth prices RDS for PostgreSQL)`);
  const instanceClass = stringValue(props.DBInstanceClass);
  if (!instanceClass) throw new NotPriceable('its DBInstanceClass is not a literal');
  const prices = new Prices(table);
  const instanceHour = prices.usd(`rds.postgres.instance-hour:${instanceClass}`, `RDS PostgreSQL ${instanceClass}`);
  const storageGb = numberValue(props.AllocatedStorage) ?? 20;
  const storageType = stringValue(props.StorageType) ?? 'gp2';
  const gbMonth = prices.usd(`rds.storage.gb-month:${storageType}`, `RDS ${storageType} storage`);
  const multiAz = booleanValue(props.MultiAZ) === true;
  const factor = multiAz ? 2 : 1;
  const single = HOURS_PER_MONTH * instanceHour + storageGb * gbMonth;
  const inner = `${HOURS_PER_MONTH} h × ${rate(instanceHour)} ${instanceClass} + ${storageGb} GB ${storageType} × ${rate(gbMonth)}`;
  return {
    resource: displayName(located),
    type: located.resource.Type,
    monthly: fixed(factor * single),
    basis: multiAz ? `2 (Multi-AZ) × (${inner})` : inner,
    stack: located.stack,
    logicalId: located.logicalId,
  };
}

function priceCache(located: LocatedResource, table: PriceTable): PriceLine {
  const props = located.resource.Properties ?? {};
  const nodeType = stringValue(props.CacheNodeType);
  if (!nodeType) throw new NotPriceable('its CacheNodeType is not a literal');
  const nodeHour = new Prices(table).usd(`elasticache.node-hour:${nodeType}`, `ElastiCache ${nodeType}`);
  const nodes = located.resource.Type === 'AWS::ElastiCache::CacheCluster'
    ? numberValue(props.NumCacheNodes) ?? 1
    : numberValue(props.NumCacheClusters) ?? (numberValue(props.NumNodeGroups) ?? 1) * ((numberValue(props.ReplicasPerNodeGroup) ?? 0) + 1);
  const line = hourly(located, nodeHour, nodes, nodes === 1 ? 'node' : 'nodes');
  return { ...line, basis: `${plural(nodes, 'node')} × ${HOURS_PER_MONTH} h × ${rate(nodeHour)} ${nodeType}` };
}

/** Log groups the tasks write to: they get the assumed ingestion. */
function appLogGroups(index: TemplateIndex): Set<string> {
  const groups = new Set<string>();
  for (const located of index.all) {
    if (located.resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    for (const container of arrayValue(located.resource.Properties?.ContainerDefinitions)) {
      const group = lookup(index, located.stack, pathValue(container, ['LogConfiguration', 'Options', 'awslogs-group']));
      if (group) groups.add(`${group.stack}/${group.logicalId}`);
    }
  }
  return groups;
}

function priceLogGroup(located: LocatedResource, table: PriceTable, ingestGb: number): PriceLine {
  const prices = new Prices(table);
  const ingest = prices.usd('cloudwatch.logs.ingested-gb', 'CloudWatch Logs ingestion');
  const store = prices.usd('cloudwatch.logs.stored-gb-month', 'CloudWatch Logs storage');
  const retention = numberValue(located.resource.Properties?.RetentionInDays);
  // Steady state: what the retention window holds; logs that never expire are counted at one year.
  const keptMonths = retention === undefined ? 12 : Math.min(retention / (365 / 12), 12 * 10);
  const storedGb = ingestGb * keptMonths;
  const kept = retention === undefined ? 'never expire, counted at 12 months' : `${retention}-day retention`;
  const basis = ingestGb === 0
    ? 'no ingestion assumed (the tasks do not write here)'
    : `${quantity(ingestGb)} GB ingested (assumed, ${USAGE_FLAGS.logsGb.flag}) × ${rate(ingest)} + ${quantity(storedGb)} GB stored (${kept}) × ${rate(store)}`;
  return {
    resource: displayName(located),
    type: located.resource.Type,
    monthly: fixed(ingestGb * ingest + storedGb * store),
    basis,
    stack: located.stack,
    logicalId: located.logicalId,
  };
}

/** Secrets a task definition injects that are not created in the templates (e.g. set with berth secrets). */
function externalSecrets(index: TemplateIndex): Map<string, LocatedResource> {
  const found = new Map<string, LocatedResource>();
  for (const located of index.all) {
    if (located.resource.Type !== 'AWS::ECS::TaskDefinition') continue;
    for (const container of arrayValue(located.resource.Properties?.ContainerDefinitions)) {
      for (const secret of arrayValue(pathValue(container, ['Secrets']))) {
        const valueFrom = pathValue(secret, ['ValueFrom']);
        const inTemplate = [...referencedIds(valueFrom)].some((id) => index.byId.get(`${located.stack}/${id}`)?.resource.Type === 'AWS::SecretsManager::Secret');
        if (inTemplate) continue;
        const text = JSON.stringify(valueFrom);
        const named = /:secret:([^:"]+)/.exec(text);
        if (!named) continue; // SSM parameters: standard parameters are free.
        found.set(named[1]!, located);
      }
    }
  }
  return found;
}

function alarmMetrics(resource: CfnResource): { metrics: number; highResolution: boolean } {
  const props = resource.Properties ?? {};
  const metrics = arrayValue(props.Metrics).filter((metric) => isRecord(metric) && metric.MetricStat !== undefined);
  const periods = [numberValue(props.Period), ...metrics.map((metric) => numberValue(pathValue(metric, ['MetricStat', 'Period'])))];
  return { metrics: Math.max(1, metrics.length), highResolution: periods.some((period) => period !== undefined && period < 60) };
}

/** Whether a cluster has Container Insights on (ClusterSettings containerInsights enabled or enhanced). */
function containerInsightsOn(resource: CfnResource): boolean {
  return arrayValue(resource.Properties?.ClusterSettings).some((setting) => isRecord(setting) && setting.Name === 'containerInsights' && (setting.Value === 'enabled' || setting.Value === 'enhanced'));
}

/**
 * Container Insights (standard) on Fargate: about CONTAINER_INSIGHTS_CLUSTER_METRICS metrics per cluster and
 * CONTAINER_INSIGHTS_SERVICE_METRICS per service (by service and by task family), billed as custom metrics, plus the
 * performance log events each running task sends, about CONTAINER_INSIGHTS_GB_PER_TASK_MONTH GB per task-month.
 */
export const CONTAINER_INSIGHTS_CLUSTER_METRICS = 12;
export const CONTAINER_INSIGHTS_SERVICE_METRICS = 25;
export const CONTAINER_INSIGHTS_GB_PER_TASK_MONTH = 0.0438;

function priceContainerInsights(index: TemplateIndex, cluster: LocatedResource, table: PriceTable): PriceLine[] {
  const prices = new Prices(table);
  const services = index.all.filter((located) => located.stack === cluster.stack && located.resource.Type === 'AWS::ECS::Service' && referencedIds(located.resource.Properties?.Cluster).has(cluster.logicalId));
  const metrics = CONTAINER_INSIGHTS_CLUSTER_METRICS + CONTAINER_INSIGHTS_SERVICE_METRICS * services.length;
  const metricUsd = prices.usd('cloudwatch.custom-metric-month', 'Container Insights metrics');
  const ingestUsd = prices.usd('cloudwatch.logs.ingested-gb', 'Container Insights performance logs');
  let taskMonthsMin = 0;
  let taskMonthsMax = 0;
  for (const service of services) {
    for (const period of serviceCapacity(index, service).periods) {
      taskMonthsMin += (period.min * period.hours) / HOURS_PER_MONTH;
      taskMonthsMax += (period.max * period.hours) / HOURS_PER_MONTH;
    }
  }
  const perTask = CONTAINER_INSIGHTS_GB_PER_TASK_MONTH * ingestUsd;
  const tasks = taskMonthsMin === taskMonthsMax ? quantity(taskMonthsMin) : `${quantity(taskMonthsMin)}–${quantity(taskMonthsMax)}`;
  return [
    { ...hourly(cluster, 0), resource: `${displayName(cluster)} Container Insights metrics`, monthly: fixed(metrics * metricUsd), basis: `${plural(metrics, 'metric')} (${CONTAINER_INSIGHTS_CLUSTER_METRICS} for the cluster + ${CONTAINER_INSIGHTS_SERVICE_METRICS} per service × ${services.length}) × ${rate(metricUsd)}/month` },
    {
      ...hourly(cluster, 0),
      resource: `${displayName(cluster)} Container Insights logs`,
      monthly: { min: cents(taskMonthsMin * perTask), max: cents(taskMonthsMax * perTask) },
      basis: `${tasks} task-months × ${CONTAINER_INSIGHTS_GB_PER_TASK_MONTH} GB of performance events (about 1 KB a minute per task) × ${rate(ingestUsd)}/GB ingested`,
    },
  ];
}

/** CloudFront: the requests and the data out to viewers (usage assumptions), at the rates of the edges near the region. */
function priceDistribution(located: LocatedResource, table: PriceTable, usage: UsageAssumptions): PriceLine[] {
  const prices = new Prices(table);
  const requestUsd = prices.usd('cloudfront.https-requests-10k', 'CloudFront requests');
  const outUsd = prices.usd('cloudfront.data-out.gb', 'CloudFront data out');
  const tenThousands = (usage.requestsMillion * 1_000_000) / 10_000;
  return [
    { ...hourly(located, 0), resource: `${displayName(located)} requests`, monthly: fixed(tenThousands * requestUsd), basis: `${quantity(usage.requestsMillion)} million HTTPS requests (assumed, ${USAGE_FLAGS.requestsMillion.flag}) × ${rate(requestUsd)}/10,000` },
    { ...hourly(located, 0), resource: `${displayName(located)} data out`, monthly: fixed(usage.egressGb * outUsd), basis: `${quantity(usage.egressGb)} GB to viewers (assumed, ${USAGE_FLAGS.egressGb.flag}) × ${rate(outUsd)}/GB; before CloudFront's free tier` },
  ];
}

/** Whether anything sends traffic to the internet: a public load balancer, public tasks or a NAT gateway. */
function reachesInternet(index: TemplateIndex): boolean {
  return index.all.some(({ resource }) =>
    resource.Type === 'AWS::EC2::NatGateway'
    || (resource.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer' && (stringValue(resource.Properties?.Scheme) ?? 'internet-facing') === 'internet-facing')
    || (resource.Type === 'AWS::ECS::Service' && pathValue(resource.Properties, ['NetworkConfiguration', 'AwsvpcConfiguration', 'AssignPublicIp']) === 'ENABLED'));
}

/** Price every resource of the templates; what cannot be priced is listed with the reason. */
export function priceTemplates(templates: readonly StackTemplate[], table: PriceTable, usage: UsageAssumptions): CostEstimate {
  const index = indexTemplates(templates);
  const prices = new Prices(table);
  const items: PriceLine[] = [];
  const unpriced: UnpricedResource[] = [];
  const deployNotes: DeployCostNote[] = [];
  const appGroups = appLogGroups(index);
  const natGateways = index.all.filter(({ resource }) => resource.Type === 'AWS::EC2::NatGateway');
  const alarmsByStack = new Map<string, { standard: number; highResolution: number; standardAlarms: number; highResolutionAlarms: number }>();

  const attempt = (located: LocatedResource, price: () => PriceLine[]) => {
    try {
      items.push(...price());
    } catch (error) {
      if (!(error instanceof NotPriceable)) throw error;
      unpriced.push({ resource: displayName(located), type: located.resource.Type, stack: located.stack, reason: error.message });
    }
  };

  for (const located of index.all) {
    const { Type: type, Properties: props = {} } = located.resource;
    switch (type) {
      case 'AWS::ECS::Service': {
        attempt(located, () => priceService(index, located, table));
        const note = priceDeploySwitch(index, located, table);
        if (note) deployNotes.push(note);
        break;
      }
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        attempt(located, () => priceLoadBalancer(located, table, usage));
        break;
      case 'AWS::Scheduler::Schedule':
        attempt(located, () => priceJob(index, located, table));
        break;
      case 'AWS::StepFunctions::StateMachine':
        attempt(located, () => priceStateMachine(index, located, table));
        break;
      case 'AWS::ServiceDiscovery::HttpNamespace':
        attempt(located, () => priceNamespace(index, located, table));
        break;
      case 'AWS::EC2::NatGateway':
        attempt(located, () => [hourly(located, prices.usd('nat-gateway.hour', 'NAT gateway hours'))]);
        break;
      case 'AWS::EC2::EIP':
        attempt(located, () => {
          const line = hourly(located, prices.usd('public-ipv4.hour', 'public IPv4 addresses'));
          return [{ ...line, basis: `1 address × ${line.basis}` }];
        });
        break;
      case 'AWS::EC2::VPCEndpoint': {
        const endpointType = stringValue(props.VpcEndpointType) ?? 'Gateway';
        if (endpointType === 'Gateway') break; // S3 and DynamoDB gateway endpoints are free.
        attempt(located, () => {
          if (endpointType !== 'Interface') throw new NotPriceable(`${endpointType} endpoints are not priced`);
          const zones = arrayValue(props.SubnetIds).length;
          if (zones === 0) throw new NotPriceable('its subnets are not listed in the template, so its AZs cannot be counted');
          const line = hourly(located, prices.usd('vpc-endpoint.interface.az-hour', 'interface endpoint hours'), zones, zones === 1 ? 'AZ' : 'AZs');
          return [{ ...line, basis: `${line.basis} (before data processed)` }];
        });
        break;
      }
      case 'AWS::RDS::DBInstance':
        attempt(located, () => [priceDatabase(located, table)]);
        break;
      case 'AWS::ElastiCache::ReplicationGroup':
        attempt(located, () => [priceCache(located, table)]);
        break;
      case 'AWS::ElastiCache::CacheCluster':
        if (props.ReplicationGroupId !== undefined) break; // a member of a replication group, priced there
        attempt(located, () => [priceCache(located, table)]);
        break;
      case 'AWS::Logs::LogGroup': {
        const ingestGb = appGroups.has(`${located.stack}/${located.logicalId}`) ? usage.logsGb / appGroups.size : 0;
        attempt(located, () => [priceLogGroup(located, table, appGroups.size === 0 ? 0 : ingestGb)]);
        break;
      }
      case 'AWS::CloudWatch::Alarm': {
        const { metrics, highResolution } = alarmMetrics(located.resource);
        const counts = alarmsByStack.get(located.stack) ?? { standard: 0, highResolution: 0, standardAlarms: 0, highResolutionAlarms: 0 };
        if (highResolution) {
          counts.highResolution += metrics;
          counts.highResolutionAlarms += 1;
        } else {
          counts.standard += metrics;
          counts.standardAlarms += 1;
        }
        alarmsByStack.set(located.stack, counts);
        break;
      }
      case 'AWS::ECS::Cluster':
        if (!containerInsightsOn(located.resource)) break; // Fargate clusters are free
        attempt(located, () => priceContainerInsights(index, located, table));
        break;
      case 'AWS::CloudFront::Distribution':
        attempt(located, () => priceDistribution(located, table, usage));
        break;
      case 'AWS::CloudWatch::Dashboard':
        attempt(located, () => {
          const usd = prices.usd('cloudwatch.dashboard-month', 'CloudWatch dashboards');
          return [{ ...hourly(located, 0), monthly: fixed(usd), basis: `1 dashboard × ${rate(usd)}/month` }];
        });
        break;
      case 'AWS::SecretsManager::Secret':
        attempt(located, () => {
          const usd = prices.usd('secretsmanager.secret-month', 'Secrets Manager secrets');
          return [{ ...hourly(located, 0), monthly: fixed(usd), basis: `1 secret × ${rate(usd)}/month` }];
        });
        break;
      case 'AWS::ECR::Repository':
        attempt(located, () => {
          const usd = prices.usd('ecr.storage.gb-month', 'ECR storage');
          return [{ ...hourly(located, 0), monthly: fixed(usage.ecrGb * usd), basis: `${quantity(usage.ecrGb)} GB stored (assumed, ${USAGE_FLAGS.ecrGb.flag}) × ${rate(usd)}/GB-month, shared by the app's environments` }];
        });
        break;
      case 'AWS::KMS::Key':
        attempt(located, () => {
          const usd = prices.usd('kms.key-month', 'KMS keys');
          return [{ ...hourly(located, 0), monthly: fixed(usd), basis: `1 key × ${rate(usd)}/month` }];
        });
        break;
      case 'AWS::Route53::HostedZone':
        attempt(located, () => {
          const usd = prices.usd('route53.hosted-zone-month', 'Route 53 hosted zones');
          return [{ ...hourly(located, 0), monthly: fixed(usd), basis: `1 hosted zone × ${rate(usd)}/month` }];
        });
        break;
      default:
        if (!isFreeResourceType(type)) {
          unpriced.push({ resource: displayName(located), type, stack: located.stack, reason: 'berth has no price rule for this resource type' });
        }
    }
  }

  if (natGateways.length > 0) {
    const stack = natGateways[0]!.stack;
    try {
      const usd = prices.usd('nat-gateway.gb-processed', 'NAT gateway data processing');
      items.push({
        resource: 'NAT gateways (data processed)',
        type: 'AWS::EC2::NatGateway',
        monthly: fixed(usage.natGb * usd),
        basis: `${quantity(usage.natGb)} GB (assumed, ${USAGE_FLAGS.natGb.flag}) × ${rate(usd)}`,
        stack,
      });
    } catch (error) {
      if (!(error instanceof NotPriceable)) throw error;
      unpriced.push({ resource: 'NAT gateways (data processed)', type: 'AWS::EC2::NatGateway', stack, reason: error.message });
    }
  }

  for (const [stack, counts] of alarmsByStack) {
    // CloudWatch bills per metric an alarm watches: a metric-math alarm over two metrics counts twice.
    const attemptAlarm = (metrics: number, alarms: number, key: string, label: string) => {
      if (alarms === 0) return;
      const resource = `${label} (${alarms})`;
      try {
        const usd = prices.usd(key, `CloudWatch ${label}`);
        const basis = `${plural(metrics, 'alarm metric')}${metrics === alarms ? '' : ` in ${plural(alarms, 'alarm')}`} × ${rate(usd)}/month`;
        items.push({ resource, type: 'AWS::CloudWatch::Alarm', monthly: fixed(metrics * usd), basis, stack });
      } catch (error) {
        if (!(error instanceof NotPriceable)) throw error;
        unpriced.push({ resource, type: 'AWS::CloudWatch::Alarm', stack, reason: error.message });
      }
    };
    attemptAlarm(counts.standard, counts.standardAlarms, 'cloudwatch.alarm-month', 'alarms');
    attemptAlarm(counts.highResolution, counts.highResolutionAlarms, 'cloudwatch.high-resolution-alarm-month', 'high-resolution alarms');
  }

  for (const [name, located] of externalSecrets(index)) {
    try {
      const usd = prices.usd('secretsmanager.secret-month', 'Secrets Manager secrets');
      items.push({ resource: `secret ${name}`, type: 'AWS::SecretsManager::Secret', monthly: fixed(usd), basis: `1 secret (injected by the task definition, created outside the stack) × ${rate(usd)}/month`, stack: located.stack });
    } catch (error) {
      if (!(error instanceof NotPriceable)) throw error;
      unpriced.push({ resource: `secret ${name}`, type: 'AWS::SecretsManager::Secret', stack: located.stack, reason: error.message });
    }
  }

  // Behind CloudFront the viewers' traffic leaves through CloudFront (priced on the distribution); origin fetches are free.
  if (reachesInternet(index) && !index.all.some(({ resource }) => resource.Type === 'AWS::CloudFront::Distribution')) {
    try {
      const usd = prices.usd('data-transfer-out.gb', 'data transfer out');
      items.push({
        resource: 'data transfer out',
        type: 'usage',
        monthly: fixed(usage.egressGb * usd),
        basis: `${quantity(usage.egressGb)} GB (assumed, ${USAGE_FLAGS.egressGb.flag}) × ${rate(usd)}`,
        stack: templates[0]?.stack ?? '',
      });
    } catch (error) {
      if (!(error instanceof NotPriceable)) throw error;
      unpriced.push({ resource: 'data transfer out', type: 'usage', stack: templates[0]?.stack ?? '', reason: error.message });
    }
  }

  return {
    region: table.region,
    currency: 'USD',
    monthly: {
      min: cents(items.reduce((sum, item) => sum + item.monthly.min, 0)),
      max: cents(items.reduce((sum, item) => sum + item.monthly.max, 0)),
    },
    items,
    unpriced,
    deployNotes,
    assumptions: { ...usage, hoursPerMonth: HOURS_PER_MONTH },
  };
}

