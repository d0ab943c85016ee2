/**
 * The compose services that are the app, each as a berth service: web when it publishes (or exposes) a port,
 * worker otherwise, the release task when it runs migrations once, or another one-off. Pure.
 */
import { DEFAULTS } from '../../config/defaults.js';
import { SERVICE_NAME_MAX } from '../../config/schema.js';
import type { ProjectFiles } from '../project-files.js';
import { chooseDockerfile } from '../inspect-app.js';
import type { ComposeBuild, ComposeProject, ComposeService } from './compose-file.js';
import type { ConversionLog } from './conversion-log.js';
import { buildKey, type Role } from './service-roles.js';


/** A command that runs database migrations. */
export const MIGRATION_COMMAND = /\bmigrat|\balembic\b.*\bupgrade\b|\bdb:(migrate|prepare|setup)\b|\bflask\b.*\bdb\b.*\bupgrade\b|\bprisma\b.*\b(migrate|db\s+push)\b|\bknex\b.*\bmigrate|\bsequelize\b.*\bdb:migrate|\bprestart\b/i;
/** A service name that says it runs migrations or start-up steps once. */
export const MIGRATION_NAME = /migrat|prestart|pre-start|db-init|db-setup|release/i;

export interface AppService {
  compose: ComposeService;
  /** The berth service name. */
  name: string;
  build: ComposeBuild;
  /** buildKey(build): services with the same key share one image. */
  key: string;
  kind: 'web' | 'worker' | 'release' | 'one-off';
  port?: number;
  portReason?: string;
}

/** A berth service name from a compose service name: lowercase, hyphens, at most SERVICE_NAME_MAX characters. */
export function serviceNameFrom(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+/g, '-').slice(0, SERVICE_NAME_MAX).replace(/-+$/, '');
  return cleaned || 'service';
}

/**
 * The app's services in compose order. Services that are not the app (profiles, proxies, images berth does not
 * run) are logged as not converted. A compose file that builds nothing of the app but sits beside a Dockerfile
 * (compose runs only the dependencies) gets that Dockerfile as its web service.
 */
export function appServices(compose: ComposeProject, project: ProjectFiles, roles: ReadonlyMap<string, Role>, log: ConversionLog): AppService[] {
  const file = compose.file;
  const proxied = new Set<string>();
  for (const role of roles.values()) if (role.role === 'proxy') role.targets.forEach((target) => proxied.add(target));
  const completedBy = new Set(compose.services.flatMap((service) => service.dependsOn.filter((dependency) => dependency.condition === 'service_completed_successfully').map((dependency) => dependency.service)));
  const usedNames = new Set<string>();
  const apps: AppService[] = [];
  for (const service of compose.services) {
    const role = roles.get(service.name)!;
    if (role.role === 'profile') {
      log.outcome(service.name, `not converted: only in profile ${service.profiles.join(', ')}`, false);
      log.leave(`services.${service.name}`, `docker compose starts it only with --profile ${service.profiles[0]}; add it to berth.yml by hand if you deploy it`, `profiles: [${service.profiles.join(', ')}]`);
      continue;
    }
    if (role.role === 'proxy') {
      log.outcome(service.name, `not converted: a reverse proxy in front of ${role.targets.join(', ')}`, false);
      log.leave(`services.${service.name}`, "a reverse proxy: berth's load balancer routes requests to the web services instead (give a second web service path: or host:); static files: serve them from the app or a CDN", service.image ?? 'built from nginx');
      continue;
    }
    if (role.role === 'not-converted') {
      log.outcome(service.name, `not converted: ${role.what}`, false);
      const message = `${file}: ${service.name} (${service.image ?? 'no image'}) is ${role.what}, which berth does not run: ${role.instead}`;
      if (role.blocking) log.warn(message);
      else log.note(message);
      log.leave(`services.${service.name}`, role.instead, service.image);
      continue;
    }
    if (role.role !== 'app') continue;
    let name = serviceNameFrom(service.name);
    for (let n = 2; usedNames.has(name); n += 1) name = `${serviceNameFrom(service.name).slice(0, SERVICE_NAME_MAX - 2)}-${n}`;
    usedNames.add(name);
    if (name !== service.name) log.note(`the compose service ${service.name} is called ${name} in berth.yml (service names are 1-${SERVICE_NAME_MAX} lowercase letters, digits and hyphens)`);
    apps.push({ compose: service, name, build: role.build, key: buildKey(role.build), ...kindOf(service, file, proxied.has(service.name), completedBy.has(service.name)) });
  }

  const rootDockerfile = chooseDockerfile(project.paths);
  if (!apps.some((app) => app.kind === 'web' || app.kind === 'worker') && rootDockerfile) {
    const build: ComposeBuild = { context: '.', dockerfile: rootDockerfile, args: {}, argsFromShell: [], otherKeys: [], remote: false };
    const stub: ComposeService = { name: rootDockerfile, line: 0, keys: [], environment: [], envFiles: [], ports: [], expose: [], dependsOn: [], volumes: [], secrets: [], profiles: [], deployKeys: [], raw: {} };
    apps.push({ compose: stub, name: DEFAULTS.serviceName, build, key: buildKey(build), kind: 'web' });
    log.note(`${file} builds no service of the app, so berth builds ${rootDockerfile} as its web service`);
  }
  return apps;
}

function kindOf(service: ComposeService, file: string, proxied: boolean, awaitedToComplete: boolean): Pick<AppService, 'kind' | 'port' | 'portReason'> {
  const ports = service.ports.filter((port) => port.protocol === 'tcp');
  const commandText = [...(service.entrypoint?.words ?? []), ...(service.command?.words ?? [])].join(' ');
  if (ports.length > 0) {
    const first = ports[0]!;
    const published = first.published && first.published !== String(first.container) ? ` (published on ${first.published} by compose; berth's load balancer listens on its own port)` : '';
    return { kind: 'web', port: first.container, portReason: `the container port of ports "${first.text}" in ${file}${published}` };
  }
  if (service.expose.length > 0 && (proxied || !MIGRATION_COMMAND.test(commandText))) {
    return { kind: 'web', port: service.expose[0]!, portReason: `expose: ${service.expose[0]} in ${file}${proxied ? ' (the reverse proxy forwards to it)' : ''}` };
  }
  if (proxied) return { kind: 'web' };
  const keptRunning = ['always', 'unless-stopped'].includes(service.restart ?? '');
  if (!keptRunning && (MIGRATION_COMMAND.test(commandText) || MIGRATION_NAME.test(service.name))) return { kind: 'release' };
  if (service.restart === 'no' || awaitedToComplete) return { kind: 'one-off' };
  return { kind: 'worker' };
}
