/** Names of everything berth creates on the local engine for one app and environment. */

/** `berth-<app>-<env>`: the prefix of every container, volume and network name. */
export function localPrefix(app: string, env: string): string {
  return `berth-${app}-${env}`;
}

export function networkName(app: string, env: string): string {
  return `${localPrefix(app, env)}-net`;
}

export type DependencyRole = 'database' | 'cache';

/** Container name of a dependency; also its host name on the environment's network. */
export function dependencyContainerName(app: string, env: string, role: DependencyRole): string {
  return `${localPrefix(app, env)}-${role}`;
}

/** The named volume holding a dependency's data (kept by destroy, removed by destroy --purge). */
export function dependencyVolumeName(app: string, env: string, role: DependencyRole): string {
  return `${localPrefix(app, env)}-${role}-data`;
}

/**
 * Host names a dependency also answers to on the local network, because compose files taught apps to
 * connect to them. On AWS only the URL variables work; plan and init say so.
 */
export const COMPOSE_HOST_ALIASES: Record<DependencyRole, readonly string[]> = {
  database: ['db', 'postgres', 'postgresql', 'database'],
  cache: ['redis', 'cache'],
};

/** Prefix of a service's replica containers for one release; the target appends the index and a short suffix. */
export function replicaNamePrefix(app: string, env: string, service: string, release: number): string {
  return `${localPrefix(app, env)}-${service}-r${release}`;
}

/** The image repository of an app's local images: `berth-<app>`. */
export function localImageRepository(app: string): string {
  return `berth-${app}`;
}

/** The image of one local release: `berth-<app>:<env>-release-<n>` (a service with its own build adds `-<service>`). */
export function localReleaseImage(app: string, env: string, release: number, service?: string): string {
  return `${localImageRepository(app)}:${env}-release-${release}${service ? `-${service}` : ''}`;
}

/** The doctor's build of the app, kept as build cache and removed by destroy --purge. */
export function doctorImageTag(app: string): string {
  return `${app}:doctor`;
}

/** The sticky-session cookie of the local balancer. */
export function stickyCookieName(app: string): string {
  return `berth-${app}-replica`;
}
