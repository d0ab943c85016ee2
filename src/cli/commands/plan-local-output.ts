/** `berth plan` for the local environment: the containers berth would run, without touching the engine. */
import { soleWebService } from '../../model/transitional.js';
import type { HealthCheck, ResolvedConfig } from '../../config/model.js';
import { connectionVariables, LABEL_SERVICE } from '../../model/index.js';
import type { LocalPlan } from '../../plan/local/local-plan.js';
import { planLocal } from '../../plan/local/local-plan.js';
import { formatRows } from '../output.js';

export interface LocalPlanEnvironmentVariable {
  name: string;
  kind: 'plain' | 'secret';
  from: string;
}

export interface LocalPlanJson {
  env: string;
  target: 'local';
  url: string;
  network: string;
  replicas: { count: number; image: string; port: number; cpu: number; memoryMiB: number; health: HealthCheck };
  dependencies: Array<{ role: string; engine: string; image: string; container: string; volume: string }>;
  balancer: { address: string; stickySessions: number | false };
  environment: LocalPlanEnvironmentVariable[];
}

/** The plan with stand-ins where values exist only at deploy time; no secret value is ever part of it. */
export function planLocalPreview(config: ResolvedConfig): LocalPlan {
  const image = config.image.image ?? `${config.app} built from ${config.image.build ? 'the Dockerfile' : 'service.image'} at deploy`;
  return planLocal(config, { release: 0, image, databasePassword: config.database ? '<generated>' : undefined });
}

export function localEnvironment(config: ResolvedConfig, plan: LocalPlan): LocalPlanEnvironmentVariable[] {
  const connection = new Map(connectionVariables(config, plan.replicas.spec.labels[LABEL_SERVICE]).map((variable) => [variable.name, variable]));
  const plain = Object.keys(plan.replicas.spec.env).map((name): LocalPlanEnvironmentVariable => {
    const variable = connection.get(name);
    if (!variable) return { name, kind: 'plain', from: 'berth.yml env' };
    const from = variable.source === 'database' ? `local PostgreSQL: ${variable.meaning}${variable.secret ? ' (password generated at first deploy)' : ''}`
      : variable.source === 'cache' ? `local Redis: ${variable.meaning}` : variable.meaning;
    return { name, kind: variable.secret ? 'secret' : 'plain', from };
  });
  const secrets = soleWebService(config).secrets.map((name): LocalPlanEnvironmentVariable => ({ name, kind: 'secret', from: `berth secrets set ${name} --env ${config.env}` }));
  return [...plain, ...secrets];
}

export function localPlanToJson(config: ResolvedConfig, plan: LocalPlan): LocalPlanJson {
  const spec = plan.replicas.spec;
  return {
    env: plan.env,
    target: 'local',
    url: plan.url,
    network: plan.network.name,
    replicas: { count: plan.replicas.count, image: spec.image, port: spec.port, cpu: soleWebService(config).cpu, memoryMiB: soleWebService(config).memory, health: soleWebService(config).health },
    dependencies: plan.dependencies.map((d) => ({ role: d.role, engine: d.engine, image: d.image, container: d.name, volume: d.volume.name })),
    balancer: { address: plan.url, stickySessions: plan.balancer.stickySeconds },
    environment: localEnvironment(config, plan),
  };
}

export function describeLocalPlan(config: ResolvedConfig, plan: LocalPlan): string {
  const json = localPlanToJson(config, plan);
  const health = soleWebService(config).health;
  const lines = [
    `${config.app} on the local Docker engine (${config.env}): ${json.replicas.count} replica${json.replicas.count === 1 ? '' : 's'} behind ${plan.url}`,
    '',
    'Containers',
    formatRows([
      ['replicas', `${json.replicas.count} × ${json.replicas.image}, container port ${json.replicas.port} published on a free 127.0.0.1 port, ${soleWebService(config).cpu / 1024} vCPU / ${soleWebService(config).memory} MiB each`],
      ['health', `GET ${health.path} every ${health.interval}s (timeout ${health.timeout}s), in rotation after ${health.healthyThreshold} passes, out after ${health.unhealthyThreshold} failures, ${health.gracePeriod}s to start`],
      ...json.dependencies.map((d): [string, string] => [d.role, `${d.image} as ${d.container}, data in volume ${d.volume} (kept by berth destroy without --purge)`]),
      ['balancer', `${plan.url}, round-robin over healthy replicas${plan.balancer.stickySeconds ? `, sticky sessions for ${plan.balancer.stickySeconds}s` : ''}; keeps serving until berth destroy`],
      ['network', json.network],
    ]),
    '',
    'Environment the app receives',
    formatRows(json.environment.map((v): [string, string] => [v.name, `${v.kind.padEnd(6)}  ${v.from}`])),
  ];
  const aws = config.environments.filter((name) => name !== 'local');
  lines.push('', aws.length > 0
    ? `The AWS architecture: berth plan --env ${aws[0]}${aws.length > 1 ? ` (declared: ${aws.join(', ')})` : ''}`
    : 'The AWS architecture: declare an environment under environments: in berth.yml, then berth plan --env <name>');
  return lines.join('\n');
}
