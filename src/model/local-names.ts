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

/** A throw-away container of one scheduled or triggered run of a job (the run id is unique per run). */
export function jobRunContainerName(app: string, env: string, job: string, runId: string): string {
  return `${localPrefix(app, env)}-${job}-run-${runId}`;
}

/** The throw-away container of a release's `release.before` task: one per release. */
export function releaseTaskContainerName(app: string, env: string, release: number): string {
  return `${localPrefix(app, env)}-release-${release}-before`;
}

/** The throw-away container of a `berth run` one-off command. */
export function oneOffTaskContainerName(app: string, env: string, service: string, id: string): string {
  return `${localPrefix(app, env)}-${service}-task-${id}`;
}

/** The image repository of an app's local images: `berth-<app>`. */
export function localImageRepository(app: string): string {
  return `berth-${app}`;
}

/** The image of one local release: `berth-<app>:<env>-release-<n>` (a service with its own build adds `-<service>`). */
export function localReleaseImage(app: string, env: string, release: number, service?: string): string {
  return `${localImageRepository(app)}:${env}-release-${release}${service ? `-${service}` : ''}`;
}

/** The doctor's build of the app image (or of one service's own image), kept as build cache. */
export function doctorImageTag(app: string, service?: string): string {
  return `${app}:doctor${service ? `-${service}` : ''}`;
}

/**
 * The sticky-session cookie of the local balancer, one per web service (as the ALB keeps one per target group);
 * the service named `web` keeps the single-service name.
 */
export function stickyCookieName(app: string, service?: string): string {
  return service && service !== 'web' ? `berth-${app}-${service}-replica` : `berth-${app}-replica`;
}
