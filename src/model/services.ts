/** Questions about an app's services that every layer asks the same way. */
import type { ResolvedConfig, ServiceSpec, WebServiceSpec } from '../config/model.js';

export function webServices(config: Pick<ResolvedConfig, 'services'>): WebServiceSpec[] {
  return config.services.filter((service): service is WebServiceSpec => service.kind === 'web');
}

/** Services that keep running (web and worker), in berth.yml's order. */
export function longRunningServices(config: Pick<ResolvedConfig, 'services'>): Array<Exclude<ServiceSpec, { kind: 'job' }>> {
  return config.services.filter((service): service is Exclude<ServiceSpec, { kind: 'job' }> => service.kind !== 'job');
}

export function jobServices(config: Pick<ResolvedConfig, 'services'>): Array<Extract<ServiceSpec, { kind: 'job' }>> {
  return config.services.filter((service): service is Extract<ServiceSpec, { kind: 'job' }> => service.kind === 'job');
}

/**
 * The web service that answers the environment's URL: the one without a path or host route (validation allows
 * at most one), else the first web service. Undefined for an app without web services (workers and jobs only).
 */
export function primaryWebService(config: Pick<ResolvedConfig, 'services'>): WebServiceSpec | undefined {
  const web = webServices(config);
  return web.find((service) => !service.route.path && !service.route.host) ?? web[0];
}

export function findService(config: Pick<ResolvedConfig, 'services'>, name: string): ServiceSpec | undefined {
  return config.services.find((service) => service.name === name);
}

/** Whether the environment has a load balancer in front of its web services. */
export function usesLoadBalancer(config: Pick<ResolvedConfig, 'services'>): boolean {
  return webServices(config).some((service) => service.loadBalancer);
}

/** Every secret name any service reads (what `berth secrets` manages). */
export function declaredSecrets(config: Pick<ResolvedConfig, 'services'>): string[] {
  return [...new Set(config.services.flatMap((service) => service.secrets))];
}

/** Replicas or tasks a long-running service starts with: its minimum count (at least one locally). */
export function startCount(service: Exclude<ServiceSpec, { kind: 'job' }>): number {
  return service.count.min;
}

/** The fewest tasks a long-running service runs at any time of day: its minimum, or a schedule's lower one. */
export function lowestTaskCount(service: Exclude<ServiceSpec, { kind: 'job' }>): number {
  return Math.min(service.count.min, ...service.count.schedule.map((entry) => entry.min ?? service.count.min));
}

/** Services that need an image built from a Dockerfile: the shared build once, plus each service's own. */
export function imagesToBuild(config: Pick<ResolvedConfig, 'services' | 'image'>): Array<{ service?: string; build: NonNullable<ServiceSpec['build']> }> {
  const builds: Array<{ service?: string; build: NonNullable<ServiceSpec['build']> }> = [];
  if (config.image.build && config.services.some((service) => !service.ownImage)) builds.push({ build: config.image.build });
  for (const service of config.services) if (service.ownImage && service.build) builds.push({ service: service.name, build: service.build });
  return builds;
}

/** The CPU architecture the app image is built for: that of the services sharing it (validation keeps them equal). */
export function appImageArch(config: Pick<ResolvedConfig, 'services'>): ServiceSpec['arch'] {
  return (config.services.find((service) => !service.ownImage) ?? config.services[0])?.arch ?? 'x86_64';
}

/**
 * Where a service's settings live in berth.yml: `service` for the one-service shorthand (its service is named web),
 * else `services.<name>`. Also for a service that is no longer in berth.yml (a rollback's changes).
 */
export function serviceKey(config: Pick<ResolvedConfig, 'services'>, service: Pick<ServiceSpec, 'name'>): string {
  return config.services.length === 1 && config.services[0]!.name === 'web' && service.name === 'web' ? 'service' : `services.${service.name}`;
}
