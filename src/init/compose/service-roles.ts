/**
 * What each compose service is to berth: part of the app (built here, or running an image built here), the
 * PostgreSQL or Redis berth replaces, a reverse proxy berth's load balancer replaces, or something berth does not
 * run. Pure: reads ProjectFiles only.
 */
import type { DockerfileInfo } from '../../build/dockerfile.js';
import { parseDockerfile } from '../../build/dockerfile.js';
import { DEFAULTS } from '../../config/defaults.js';
import type { ProjectFiles } from '../project-files.js';
import type { ComposeBuild, ComposeProject } from './compose-file.js';
import { joinRelative } from './compose-file.js';
import { classifyImage, parseImageName } from './images.js';
import { regexpLiteral } from '../../text/regexp-literal.js';

export type Role =
  | { role: 'app'; build: ComposeBuild; viaImage?: string }
  | { role: 'database' | 'cache'; image: string; notes: string[]; version?: string; localImage?: string; built: boolean }
  | { role: 'proxy'; targets: string[] }
  | { role: 'not-converted'; what: string; instead: string; blocking: boolean }
  | { role: 'profile' };

const REVERSE_PROXIES = /^(nginx|caddy|traefik|haproxy|envoy|openresty|httpd|nginx-unprivileged)$/;

/** Identifies a build: the same context, Dockerfile, target and args build the same image. */
export function buildKey(build: ComposeBuild): string {
  return JSON.stringify([build.context, build.dockerfile ?? DEFAULTS.service.build.dockerfile, build.target ?? '', Object.entries(build.args).sort()]);
}

export interface BuildDockerfile {
  /** Relative to the app folder. */
  path: string;
  text?: string;
  /** Parsed for the stage the build targets. */
  info?: DockerfileInfo;
}

/** The Dockerfile each build reads, parsed for the stage it builds; read once per build. */
export function dockerfileReader(project: ProjectFiles): (build: ComposeBuild) => BuildDockerfile {
  const dockerfiles = new Map<string, BuildDockerfile>();
  return (build) => {
    const key = buildKey(build);
    if (!dockerfiles.has(key)) {
      const path = joinRelative(build.context, build.dockerfile ?? DEFAULTS.service.build.dockerfile);
      const text = build.remote ? undefined : project.read(path);
      dockerfiles.set(key, { path, ...(text !== undefined ? { text, info: parseDockerfile(text, build.target ? { target: build.target } : {}) } : {}) });
    }
    return dockerfiles.get(key)!;
  };
}

export function serviceRoles(compose: ComposeProject, project: ProjectFiles, dockerfileOf: (build: ComposeBuild) => BuildDockerfile): Map<string, Role> {
  const builtImages = new Map<string, ComposeBuild>();
  for (const service of compose.services) if (service.build && service.image) builtImages.set(service.image, service.build);
  const roles = new Map<string, Role>();
  for (const service of compose.services) {
    if (service.profiles.length > 0) { roles.set(service.name, { role: 'profile' }); continue; }
    if (service.build) {
      const root = dockerfileOf(service.build).info?.finalStage?.rootImage;
      const rootRole = root ? classifyImage(root) : undefined;
      if (rootRole?.role === 'postgres' || rootRole?.role === 'redis') {
        roles.set(service.name, { role: rootRole.role === 'postgres' ? 'database' : 'cache', image: root!, notes: rootRole.notes, ...(rootRole.version ? { version: rootRole.version } : {}), built: true });
        continue;
      }
      if (root && REVERSE_PROXIES.test(parseImageName(root).name)) {
        const targets = proxyTargets(project, service.build, compose.services.filter((other) => other !== service).map((other) => other.name));
        if (targets.length > 0) { roles.set(service.name, { role: 'proxy', targets }); continue; }
      }
      roles.set(service.name, { role: 'app', build: service.build });
      continue;
    }
    if (service.image && builtImages.has(service.image)) {
      roles.set(service.name, { role: 'app', build: builtImages.get(service.image)!, viaImage: service.image });
      continue;
    }
    if (!service.image) {
      roles.set(service.name, { role: 'not-converted', what: 'a service with neither build nor image', instead: 'give it a build: or remove it', blocking: true });
      continue;
    }
    const role = classifyImage(service.image);
    if (role.role === 'postgres') roles.set(service.name, { role: 'database', image: service.image, notes: role.notes, ...(role.version ? { version: role.version } : {}), ...(role.localImage ? { localImage: role.localImage } : {}), built: false });
    else if (role.role === 'redis') roles.set(service.name, { role: 'cache', image: service.image, notes: role.notes, ...(role.version ? { version: role.version } : {}), built: false });
    else if (role.role === 'unsupported') roles.set(service.name, { role: 'not-converted', what: role.what, instead: role.instead, blocking: role.blocking });
    else roles.set(service.name, { role: 'not-converted', what: 'an image berth does not build', instead: `berth deploys the services it builds; if ${service.image} is part of your app, add it to berth.yml as a service with \`image: ${service.image}\``, blocking: true });
  }
  return roles;
}

/** The services a reverse proxy's configuration forwards to (nginx proxy_pass / upstream, Caddy reverse_proxy, HAProxy server). */
function proxyTargets(project: ProjectFiles, build: ComposeBuild, others: readonly string[]): string[] {
  if (build.remote) return [];
  const prefix = build.context === '.' ? '' : `${build.context}/`;
  const texts = project.paths.filter((path) => path.startsWith(prefix) && path.split('/').length - prefix.split('/').length < 3).map((path) => project.read(path) ?? '');
  return others.filter((name) => {
    const n = regexpLiteral(name);
    const pattern = new RegExp(`(proxy_pass\\s+https?://${n}[:/;\\s]|reverse_proxy\\s+(https?://)?${n}[:\\s]|\\bserver\\s+${n}:\\d+|uwsgi_pass\\s+${n}:\\d+|fastcgi_pass\\s+${n}:\\d+)`);
    return texts.some((text) => pattern.test(text));
  });
}
