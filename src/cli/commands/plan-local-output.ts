/** `berth plan` for the local environment: the containers berth would run, without touching the engine. */
import { relative } from 'node:path';
import type { HealthCheck, ResolvedConfig } from '../../config/model.js';
import { describeJobSchedule } from '../../config/job-schedule.js';
import { connectionVariables, deployStrategyPlan, localTestPort, primaryWebService, type DeployStrategyPlan } from '../../model/index.js';
import type { ContainerSpec, LocalPlan, LongRunningServicePlan } from '../../plan/local/local-plan.js';
import { planLocal } from '../../plan/local/local-plan.js';
import type { HostnameUse } from '../../init/compose-hostnames.js';
import { formatRows } from '../output.js';

export interface LocalPlanEnvironmentVariable {
  name: string;
  kind: 'plain' | 'secret';
  from: string;
}

export interface LocalPlanServiceJson {
  name: string;
  kind: 'web' | 'worker' | 'job';
  image: string;
  command?: string[];
  cpu: number;
  memoryMiB: number;
  /** Web and worker: replicas started per release. */
  replicas?: number;
  /** Web: the container port and the balancer's health check. */
  port?: number;
  health?: HealthCheck;
  /** Worker: its health command, when it has one. */
  healthCommand?: string[];
  /** Web: its route on the balancer (`default`: every request no route takes). */
  route?: { path?: string; host?: string; default: boolean };
  /** Host names its replicas answer on the environment's network. */
  aliases?: string[];
  /** Job: when it runs and how long a run may take (seconds). */
  schedule?: string;
  timeout?: number;
  environment: LocalPlanEnvironmentVariable[];
}

export interface LocalPlanJson {
  env: string;
  target: 'local';
  url?: string;
  network: string;
  services: LocalPlanServiceJson[];
  routes: Array<{ priority: number; service: string; path?: string; host?: string }>;
  defaultService?: string;
  release: { before?: { service: string; command: string[] } };
  dependencies: Array<{ role: string; engine: string; image: string; container: string; volume: string; aliases: string[] }>;
  balancer?: { address: string; stickySessions: number | false };
  /** berth.yml `deploy` on the local balancer (docs/deploy-strategies.md); `testPort` with blue-green and canary. */
  deploy: DeployStrategyPlan & { testPort?: number };
  /** Lines of the app's code that connect to a compose host name; `answered`: a dependency answers it locally. */
  composeHostnames?: Array<HostnameUse & { answered: boolean }>;
  /** Deprecated (output version 1): the primary web service's replicas and environment. Read `services`. */
  replicas?: { count: number; image: string; port: number; cpu: number; memoryMiB: number; health: HealthCheck };
  environment?: LocalPlanEnvironmentVariable[];
}

/** The plan with stand-ins where values exist only at deploy time; no secret value is ever part of it. */
export function planLocalPreview(config: ResolvedConfig): LocalPlan {
  const app = config.image.image ?? `${config.app} built from ${config.image.build ? 'the Dockerfile' : 'service.image'} at deploy`;
  const services = Object.fromEntries(config.services.filter((service) => service.ownImage).map((service) => [
    service.name,
    service.image ?? `${config.app}-${service.name} built from ${service.build ? relative(config.dir, service.build.dockerfile) : 'its Dockerfile'} at deploy`,
  ]));
  return planLocal(config, { release: 0, images: { app, services }, databasePassword: config.database ? '<generated>' : undefined });
}

/** Where each variable a service receives comes from; secrets by name only. */
export function serviceEnvironment(config: ResolvedConfig, service: string, spec: ContainerSpec): LocalPlanEnvironmentVariable[] {
  const connection = new Map(connectionVariables(config, service).map((variable) => [variable.name, variable]));
  const plain = Object.keys(spec.env).map((name): LocalPlanEnvironmentVariable => {
    const variable = connection.get(name);
    if (!variable) return { name, kind: 'plain', from: 'berth.yml env' };
    const from = variable.source === 'database' ? `local PostgreSQL: ${variable.meaning}${variable.secret ? ' (password generated at first deploy)' : ''}`
      : variable.source === 'cache' ? `local Redis: ${variable.meaning}` : `${variable.meaning} (${variable.shape.local})`;
    return { name, kind: variable.secret ? 'secret' : 'plain', from };
  });
  const secrets = spec.secretNames.map((name): LocalPlanEnvironmentVariable => ({ name, kind: 'secret', from: `berth secrets set ${name} --env ${config.env}` }));
  return [...plain, ...secrets];
}

function serviceJson(config: ResolvedConfig, plan: LocalPlan, name: string): LocalPlanServiceJson {
  const spec = config.services.find((service) => service.name === name)!;
  const running = plan.services.find((service) => service.name === name);
  const job = plan.jobs.find((entry) => entry.name === name);
  const container = (running?.container ?? job?.container)!;
  const base = { name, kind: spec.kind, image: container.image, ...(container.command ? { command: container.command } : {}), cpu: spec.cpu, memoryMiB: spec.memory };
  const environment = serviceEnvironment(config, name, container);
  if (running?.kind === 'web' && spec.kind === 'web') {
    return { ...base, replicas: running.count, port: running.port, health: running.health, route: { ...spec.route, default: plan.balancer?.routing.defaultService === name }, aliases: running.aliases, environment };
  }
  if (running?.kind === 'worker') return { ...base, replicas: running.count, ...(running.health ? { healthCommand: running.health.command } : {}), aliases: running.aliases, environment };
  return { ...base, schedule: job && spec.kind === 'job' ? describeJobSchedule(job.schedule) : undefined, timeout: job?.timeout, environment };
}

/** The uses of compose host names, each marked with whether a dependency answers it on the local network. */
export function hostnameFindings(plan: LocalPlan, uses: readonly HostnameUse[]): Array<HostnameUse & { answered: boolean }> {
  const answered = new Set(plan.dependencies.flatMap((dependency) => dependency.aliases));
  return uses.map((use) => ({ ...use, answered: answered.has(use.hostname) }));
}

export function localPlanToJson(config: ResolvedConfig, plan: LocalPlan, uses: readonly HostnameUse[] = []): LocalPlanJson {
  const services = config.services.map((service) => serviceJson(config, plan, service.name));
  const primary = primaryWebService(config);
  const primaryJson = primary ? services.find((service) => service.name === primary.name) : undefined;
  const primaryPlan = primary ? (plan.services.find((service) => service.name === primary.name) as Extract<LongRunningServicePlan, { kind: 'web' }> | undefined) : undefined;
  return {
    env: plan.env,
    target: 'local',
    ...(plan.url ? { url: plan.url } : {}),
    network: plan.network.name,
    services,
    routes: plan.balancer?.routing.rules ?? [],
    ...(plan.balancer?.routing.defaultService ? { defaultService: plan.balancer.routing.defaultService } : {}),
    release: plan.before ? { before: { service: plan.before.service, command: plan.before.command } } : {},
    dependencies: plan.dependencies.map((d) => ({ role: d.role, engine: d.engine, image: d.image, container: d.name, volume: d.volume.name, aliases: d.aliases })),
    ...(plan.url && primaryPlan ? { balancer: { address: plan.url, stickySessions: primaryPlan.stickySeconds } } : {}),
    ...(uses.length ? { composeHostnames: hostnameFindings(plan, uses) } : {}),
    deploy: { ...deployStrategyPlan(config), ...(config.deploy.strategy !== 'rolling' && plan.balancer ? { testPort: localTestPort(plan.balancer.port) } : {}) },
    ...(primaryJson && primaryPlan ? {
      replicas: { count: primaryPlan.count, image: primaryJson.image, port: primaryPlan.port, cpu: primaryJson.cpu, memoryMiB: primaryJson.memoryMiB, health: primaryPlan.health },
      environment: primaryJson.environment,
    } : {}),
  };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function describeHealth(health: HealthCheck): string {
  return `GET ${health.path} every ${health.interval}s (timeout ${health.timeout}s), in rotation after ${health.healthyThreshold} passes, out after ${health.unhealthyThreshold} failures, ${health.gracePeriod}s to start`;
}

function describeServiceLine(service: LocalPlanServiceJson, plan: LocalPlan): string {
  const size = `${service.cpu / 1024} vCPU / ${service.memoryMiB} MiB`;
  if (service.kind === 'web') {
    const running = plan.services.find((entry) => entry.name === service.name) as Extract<LongRunningServicePlan, { kind: 'web' }>;
    return `${service.replicas} × ${service.image}, container port ${service.port} published on a free 127.0.0.1 port, ${size} each${running.stickySeconds ? `, sticky sessions for ${running.stickySeconds}s` : ''}`;
  }
  if (service.kind === 'worker') {
    return `${service.replicas} × ${service.image}${service.command ? ` running ${service.command.join(' ')}` : ''}, no port, ${size} each; healthy while ${service.healthCommand ? `${service.healthCommand.join(' ')} exits 0` : 'the process keeps running'}; restarted and replaced like web replicas`;
  }
  return `${service.schedule}, a throw-away container of ${service.image}${service.command ? ` running ${service.command.join(' ')}` : ''} per run, stopped after ${service.timeout}s; runs while the environment is up (\`berth jobs run ${service.name}\` runs it now)`;
}

export function describeLocalPlan(config: ResolvedConfig, plan: LocalPlan, uses: readonly HostnameUse[] = []): string {
  const json = localPlanToJson(config, plan, uses);
  const replicas = plan.services.reduce((sum, service) => sum + service.count, 0);
  const longRunning = plan.services.length;
  const jobs = plan.jobs.length;
  const where = plan.url ? ` behind ${plan.url}` : ' (no web service: nothing listens on 127.0.0.1)';
  const summary = config.services.length === 1 && longRunning === 1
    ? `${plural(replicas, 'replica')}${where}`
    : `${plural(replicas, 'replica')} of ${plural(longRunning, 'service')}${where}${jobs ? `, ${plural(jobs, 'job')}` : ''}`;
  const lines = [`${config.app} on the local Docker engine (${config.env}): ${summary}`, ''];

  if (config.services.length === 1 && json.replicas) {
    const only = json.services[0]!;
    lines.push('Containers', formatRows([
      ['replicas', describeServiceLine(only, plan)],
      ['health', describeHealth(only.health!)],
      ...dependencyRows(json),
      ...balancerRow(plan),
      ['network', json.network],
    ]));
  } else {
    lines.push('Services', formatRows(json.services.flatMap((service): Array<[string, string]> => {
      const rows: Array<[string, string]> = [[`${service.name} (${service.kind})`, describeServiceLine(service, plan)]];
      if (service.health) rows.push(['', `health: ${describeHealth(service.health)}`]);
      return rows;
    })));
    if (plan.balancer) {
      lines.push('', `Routes on ${plan.url} (ALB listener-rule order: the first match wins)`);
      lines.push(formatRows([
        ...plan.balancer.routing.rules.map((rule): [string, string] => [String(rule.priority), `${[rule.host ? `host ${rule.host}` : '', rule.path ? `path ${rule.path}` : ''].filter(Boolean).join(' and ')} -> ${rule.service}`]),
        ['', plan.balancer.routing.defaultService ? `every other request -> ${plan.balancer.routing.defaultService}` : 'every other request -> 404 (no web service takes every request)'],
      ]));
    }
    lines.push('', 'Containers', formatRows([...dependencyRows(json), ...balancerRow(plan), ['network', `${json.network}; services answer their names there (e.g. ${describeServiceUrl(config)})`]]));
  }
  lines.push('', `Deploy: ${json.deploy.description}${json.deploy.testPort !== undefined ? ` — test requests reach the new replicas through 127.0.0.1:${json.deploy.testPort} before any production request` : ''}`);
  if (plan.before) {
    lines.push('', `Before each release: ${plan.before.command.join(' ')} — once, in a throw-away container of ${plan.before.service}'s new image and environment on the network, before any replica changes; a non-zero exit stops the release`);
  }

  for (const { title, variables } of environmentSections(json.services)) {
    lines.push('', title, variables.length ? formatRows(variables.map((v): [string, string] => [v.name, `${v.kind.padEnd(6)}  ${v.from}`])) : '  (none)');
  }
  if (json.composeHostnames?.length) {
    lines.push('', 'The code connects to compose host names (works locally only where berth answers the name; on AWS read the variables)');
    lines.push(formatRows(json.composeHostnames.map((use): [string, string] => [`${use.file}:${use.line}`, `${use.hostname}: ${use.answered ? 'answered locally by a network alias' : 'NOT answered locally either'} — ${use.evidence}`])));
  }
  const aws = config.environments.filter((name) => name !== 'local');
  lines.push('', aws.length > 0
    ? `The AWS architecture: berth plan --env ${aws[0]}${aws.length > 1 ? ` (declared: ${aws.join(', ')})` : ''}`
    : 'The AWS architecture: declare an environment under environments: in berth.yml, then berth plan --env <name>');
  return lines.join('\n');
}

/** One section of what every service receives alike, then what each receives besides (one section for one service). */
function environmentSections(services: readonly LocalPlanServiceJson[]): Array<{ title: string; variables: LocalPlanEnvironmentVariable[] }> {
  if (services.length === 1) return [{ title: 'Environment the app receives', variables: services[0]!.environment }];
  const key = (variable: LocalPlanEnvironmentVariable) => `${variable.name}\u0000${variable.kind}\u0000${variable.from}`;
  const shared = services[0]!.environment.filter((variable) => services.every((service) => service.environment.some((other) => key(other) === key(variable))));
  const sharedKeys = new Set(shared.map(key));
  const sections = [{ title: 'Environment every service receives', variables: shared }];
  for (const service of services) {
    const own = service.environment.filter((variable) => !sharedKeys.has(key(variable)));
    if (own.length) sections.push({ title: `Environment ${service.name} also receives`, variables: own });
  }
  return sections;
}

function describeServiceUrl(config: ResolvedConfig): string {
  const variable = connectionVariables(config).find((entry) => entry.source === 'service');
  if (variable?.service) return `${variable.name}=${variable.shape.local}`;
  const first = config.services[0];
  return first ? `host ${first.name}` : 'by name';
}

function dependencyRows(json: LocalPlanJson): Array<[string, string]> {
  return json.dependencies.map((d): [string, string] => {
    const compose = d.aliases.filter((alias) => alias !== d.container);
    const also = compose.length ? `; also answers ${compose.join(', ')} on the network (compose host names: local only — on AWS the app must read ${d.role === 'database' ? 'DATABASE_URL / PG*' : 'REDIS_URL'})` : '';
    return [d.role, `${d.image} as ${d.container}, data in volume ${d.volume} (kept by berth destroy without --purge)${also}`];
  });
}

function balancerRow(plan: LocalPlan): Array<[string, string]> {
  const jobs = plan.jobs.length ? '; runs the jobs on their schedules' : '';
  if (!plan.url) return [['supervisor', `a detached berth process replaces stopped or unhealthy workers${jobs}; until berth destroy`]];
  const routed = plan.services.filter((service) => service.kind === 'web').length > 1;
  return [['balancer', `${plan.url}, round-robin over healthy replicas${routed ? ' of the service a route picks' : ''}; replaces stopped ones${jobs}; keeps serving until berth destroy`]];
}
