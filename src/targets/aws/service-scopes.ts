/**
 * Where each service of an AWS environment lives, from berth.yml and the stack's outputs (pure): its ECS service,
 * task family, container and log stream prefix (src/model/aws-names.ts), its target group and security group.
 * Deploy, status, logs, run and exec read services through these and never re-derive a name.
 */
import type { ResolvedConfig, ServiceSpec } from '../../config/model.js';
import { UsageError } from '../../errors.js';
import { awsServiceNames, clusterName, primaryWebService, PRIMARY_SERVICE_NAME, releaseBeforeTaskNames, serviceOutputName } from '../../model/index.js';
import type { EnvironmentOutputs } from './environment-reads.js';

export interface ServiceScope {
  name: string;
  kind: ServiceSpec['kind'];
  cluster: string;
  /** The ECS service (web and worker); a job has none. */
  ecsService?: string;
  family: string;
  container: string;
  logStreamPrefix: string;
  /** With a load balancer (web). */
  targetGroupArn?: string;
  /** Blue/green and canary web services: the second target group. */
  alternateTargetGroupArn?: string;
  /** From the stack outputs, when the stack has them (several services or release.before). */
  securityGroupId?: string;
  /** Web: the health path the load balancer checks. */
  healthPath?: string;
}

/** Every service of the environment in berth.yml's order. */
export function serviceScopes(config: Pick<ResolvedConfig, 'app' | 'env' | 'services'>, outputs: EnvironmentOutputs = {}): ServiceScope[] {
  return config.services.map((service) => scopeOf(config, service, outputs));
}

function scopeOf(config: Pick<ResolvedConfig, 'app' | 'env' | 'services'>, service: ServiceSpec, outputs: EnvironmentOutputs): ServiceScope {
  const names = awsServiceNames(config.app, config.env, service.name);
  // The single-service stack's TargetGroupArn is the service named web's; other web services carry their construct id.
  const targetGroupArn = service.kind === 'web'
    ? outputs[serviceOutputName(config.app, config.env, service.name, 'TargetGroupArn')] ?? (service.name === defaultTargetGroupService(config) ? outputs.TargetGroupArn : undefined)
    : undefined;
  const securityGroupId = outputs[serviceOutputName(config.app, config.env, service.name, 'SecurityGroupId')];
  const alternateTargetGroupArn = service.kind === 'web' ? outputs[serviceOutputName(config.app, config.env, service.name, 'AlternateTargetGroupArn')] : undefined;
  return {
    name: service.name,
    kind: service.kind,
    cluster: outputs.ClusterName ?? clusterName(config.app, config.env),
    ...(service.kind !== 'job' ? { ecsService: names.ecsService } : {}),
    family: names.family,
    container: names.container,
    logStreamPrefix: names.logStreamPrefix,
    ...(targetGroupArn ? { targetGroupArn } : {}),
    ...(alternateTargetGroupArn ? { alternateTargetGroupArn } : {}),
    ...(securityGroupId ? { securityGroupId } : {}),
    ...(service.kind === 'web' ? { healthPath: service.health.path } : {}),
  };
}

/** The service whose target group the stack outputs as `TargetGroupArn`: web, else the primary web service. */
function defaultTargetGroupService(config: Pick<ResolvedConfig, 'services'>): string | undefined {
  const web = config.services.filter((service) => service.kind === 'web' && service.loadBalancer);
  if (web.some((service) => service.name === PRIMARY_SERVICE_NAME)) return PRIMARY_SERVICE_NAME;
  const primary = primaryWebService(config);
  return primary?.loadBalancer ? primary.name : web[0]?.name;
}

/** The service a command means: `--service NAME`, else the primary web service, else the first service. */
export function chooseService(config: Pick<ResolvedConfig, 'app' | 'env' | 'services' | 'file'>, scopes: ServiceScope[], requested: string | undefined, kinds: ReadonlyArray<ServiceSpec['kind']> = ['web', 'worker', 'job']): ServiceScope {
  if (requested !== undefined) {
    const found = scopes.find((scope) => scope.name === requested);
    if (!found) throw new UsageError(`--service ${requested}: no such service in ${config.file} (services: ${scopes.map((scope) => scope.name).join(', ')})`, 'pass one of the service names under services:');
    if (!kinds.includes(found.kind)) throw new UsageError(`--service ${requested} is a ${found.kind}: this command needs a ${kinds.join(' or ')} service`, `pick one of: ${scopes.filter((scope) => kinds.includes(scope.kind)).map((scope) => scope.name).join(', ') || 'none'}`);
    return found;
  }
  const primary = primaryWebService(config)?.name;
  const chosen = scopes.find((scope) => scope.name === primary && kinds.includes(scope.kind)) ?? scopes.find((scope) => kinds.includes(scope.kind));
  if (!chosen) throw new UsageError(`${config.file} has no ${kinds.join(' or ')} service`, 'pass --service with one of the services');
  return chosen;
}

/** Which service wrote a log stream `<prefix>/<container>/<task id>`: the service with that prefix, or the release.before task. */
export function serviceOfStream(config: Pick<ResolvedConfig, 'app' | 'env' | 'services'>, streamName: string | undefined): string | undefined {
  const prefix = (streamName ?? '').split('/')[0] ?? '';
  const service = config.services.find((candidate) => awsServiceNames(config.app, config.env, candidate.name).logStreamPrefix === prefix);
  if (service) return service.name;
  return prefix === releaseBeforeTaskNames(config.app, config.env).logStreamPrefix ? prefix : undefined;
}
