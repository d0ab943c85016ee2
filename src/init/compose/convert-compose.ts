/**
 * A compose project -> the berth.yml `berth init` proposes, with the reason for every value and every compose key
 * it did not carry over (nothing is dropped silently). Pure: reads ProjectFiles only.
 *
 * - each service with `build:` becomes a berth service: web when it publishes (or exposes) a port, worker
 *   otherwise; services built from the same build share it (top-level `build`);
 * - a migration-looking one-off (`migrate`, a command running migrations) becomes `release.before`;
 * - postgres / redis images (any tag, bitnami, postgis ...) become `database` / `cache`, and the variables
 *   that pointed app services at them are dropped (berth injects DATABASE_URL, PG*, REDIS_URL);
 * - environment and env_file become `env`; secret-looking names become `secrets` (names only, never values).
 */
import type { DockerfileInfo } from '../../build/dockerfile.js';
import { healthTargetFromCommand, parseDockerfile } from '../../build/dockerfile.js';
import { DEFAULTS } from '../../config/defaults.js';
import { BROWSER_PUBLIC_NAMES, looksSecretName, secretValueKind } from '../../config/secret-names.js';
import { appNameFromFolder, GENERIC_FOLDER_NAMES } from '../app-name.js';
import { COMMON_COMPOSE_HOSTNAMES, connectionAdvice, findComposeHostnames, hostnameKind } from '../compose-hostnames.js';
import { buildKitNote, chooseDockerfile, healthTimingFromCheck, inspectApp, type AppInspection } from '../inspect-app.js';
import type { ProjectFiles } from '../project-files.js';
import { subProject } from '../project-files.js';
import type { ComposeBuild, ComposeProject, ComposeService } from './compose-file.js';
import { joinRelative } from './compose-file.js';
import type { BerthDraft, ComposeConversion, DraftBuild, DraftHealth, DraftSecret, DraftService, LeftOut, ServiceOutcome } from './draft.js';
import { classifyVariable, pointsAt, type ReplacedDependency } from './environment.js';
import { classifyImage, parseImageName } from './images.js';

/** berth service names: lowercase letters, digits and hyphens, starting with a letter. */
const SERVICE_NAME_MAX = 16;

export interface ConvertOptions {
  /** The app folder's name and its parent's, for the app name when the compose file has no `name:`. */
  folderName: string;
  parentName?: string;
}

/** A command that runs database migrations. */
const MIGRATION_COMMAND = /\bmigrat|\balembic\b.*\bupgrade\b|\bdb:(migrate|prepare|setup)\b|\bflask\b.*\bdb\b.*\bupgrade\b|\bprisma\b.*\b(migrate|db\s+push)\b|\bknex\b.*\bmigrate|\bsequelize\b.*\bdb:migrate|\bprestart\b/i;
/** A service name that says it runs migrations or start-up steps once. */
const MIGRATION_NAME = /migrat|prestart|pre-start|db-init|db-setup|release/i;
const REVERSE_PROXIES = /^(nginx|caddy|traefik|haproxy|envoy|openresty|httpd|nginx-unprivileged)$/;

/** Why each service key that berth.yml has no place for is left out, and what to do instead. */
const KEY_ADVICE: Record<string, string> = {
  container_name: 'berth names containers itself from the app, environment and service',
  hostname: 'services reach each other by their service name',
  domainname: 'services reach each other by their service name',
  networks: 'berth puts every service on one network (a VPC on AWS)',
  links: 'services reach each other by their service name',
  external_links: 'services reach each other by their service name',
  labels: "berth sets its own labels; routing labels (traefik ...) become path: or host: on web services",
  logging: 'berth sends container output to CloudWatch Logs on AWS (read it with `berth logs`)',
  stdin_open: 'interactive terminals are for development',
  tty: 'interactive terminals are for development',
  stop_signal: 'berth and ECS stop containers with SIGTERM: make the app exit on it',
  stop_grace_period: 'ECS waits 30 seconds after SIGTERM before it kills a container',
  init: "add an init process (tini) to the Dockerfile's ENTRYPOINT if the app needs one",
  user: 'set USER in the Dockerfile',
  working_dir: 'set WORKDIR in the Dockerfile',
  privileged: 'Fargate does not run privileged containers',
  cap_add: 'Fargate allows no added Linux capabilities except SYS_PTRACE',
  cap_drop: 'not configurable in berth.yml',
  security_opt: 'Fargate does not allow security options',
  devices: 'Fargate has no host devices',
  device_cgroup_rules: 'Fargate has no host devices',
  network_mode: 'Fargate tasks have their own network interface (awsvpc); services reach each other by name',
  extra_hosts: 'Fargate has no /etc/hosts entries: use DNS names, or pass addresses in env',
  dns: "tasks use the VPC's DNS",
  dns_search: "tasks use the VPC's DNS",
  dns_opt: "tasks use the VPC's DNS",
  sysctls: 'Fargate allows few kernel parameters; not configurable in berth.yml',
  ulimits: 'not configurable in berth.yml (Fargate sets nofile to 65535)',
  pid: 'Fargate tasks have their own process namespace',
  ipc: 'Fargate tasks have their own IPC namespace',
  shm_size: 'not configurable on Fargate',
  tmpfs: "the container's own filesystem is writable scratch space already",
  read_only: 'not configurable in berth.yml',
  cpus: 'size each service with cpu and memory (Fargate sizes)',
  cpu_shares: 'size each service with cpu and memory (Fargate sizes)',
  cpu_count: 'size each service with cpu and memory (Fargate sizes)',
  cpu_percent: 'size each service with cpu and memory (Fargate sizes)',
  cpu_quota: 'size each service with cpu and memory (Fargate sizes)',
  cpu_period: 'size each service with cpu and memory (Fargate sizes)',
  cpuset: 'size each service with cpu and memory (Fargate sizes)',
  mem_limit: 'size each service with cpu and memory (Fargate sizes)',
  mem_reservation: 'size each service with cpu and memory (Fargate sizes)',
  memswap_limit: 'Fargate has no swap',
  mem_swappiness: 'Fargate has no swap',
  oom_kill_disable: 'not configurable on Fargate',
  oom_score_adj: 'not configurable on Fargate',
  gpus: 'Fargate has no GPUs',
  runtime: 'Fargate chooses the runtime',
  isolation: 'Fargate isolates each task in its own micro-VM',
  userns_mode: 'not configurable on Fargate',
  cgroup: 'not configurable on Fargate',
  cgroup_parent: 'not configurable on Fargate',
  configs: 'copy the files into the image in the Dockerfile, or pass the values in env',
  develop: 'compose watch is for development; berth deploys what the image holds',
  post_start: "put start-up steps in the image's entrypoint",
  pre_stop: 'handle SIGTERM in the app instead',
  pull_policy: 'berth builds the image, or pulls the one berth.yml names',
  volumes_from: 'services share no disks on Fargate',
  storage_opt: 'not configurable on Fargate',
  annotations: 'not used by berth',
  attach: 'berth keeps every service\'s output (`berth logs`)',
  mac_address: 'Fargate assigns network interfaces',
  uts: 'not configurable on Fargate',
  credential_spec: 'not configurable on Fargate',
  group_add: 'set the groups in the Dockerfile',
  blkio_config: 'not configurable on Fargate',
  provider: 'berth runs the services it builds, PostgreSQL and Redis',
  label_file: "berth sets its own labels",
  use_api_socket: 'services get no access to a Docker engine',
};

/** Top-level compose keys other than services and name. */
const TOP_LEVEL_ADVICE: Record<string, string> = {
  version: 'obsolete: docker compose ignores it too',
  networks: 'berth puts every service on one network (a VPC on AWS)',
  configs: 'copy the files into the image in the Dockerfile, or pass the values in env',
  include: 'berth read only this file: merge what the included files declare into it, or into berth.yml by hand',
  models: 'berth does not run AI models; call a hosted model API with its key in secrets',
};

const isTcp = (port: { protocol: string }) => port.protocol === 'tcp';

/** A berth service name from a compose service name: lowercase, hyphens, at most SERVICE_NAME_MAX characters. */
export function serviceNameFrom(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+/g, '-').slice(0, SERVICE_NAME_MAX).replace(/-+$/, '');
  return cleaned || 'service';
}

/** A secret's environment name from a compose secret name: db-password -> DB_PASSWORD. */
export function envNameFromSecret(name: string): string {
  const cleaned = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Z_]/.test(cleaned) ? cleaned : `S_${cleaned}`;
}

function buildKey(build: ComposeBuild): string {
  return JSON.stringify([build.context, build.dockerfile ?? DEFAULTS.service.build.dockerfile, build.target ?? '', Object.entries(build.args).sort()]);
}

function draftBuild(build: ComposeBuild): DraftBuild {
  const out: DraftBuild = {};
  if (build.context !== DEFAULTS.service.build.context && !build.remote) out.context = build.context;
  if (build.dockerfile && build.dockerfile !== DEFAULTS.service.build.dockerfile) out.dockerfile = build.dockerfile;
  if (build.target) out.target = build.target;
  if (Object.keys(build.args).length > 0) out.args = { ...build.args };
  return out;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));

function cmdText(words: readonly string[]): string {
  return words.map((word) => (/[\s"'$]/.test(word) || word === '' ? JSON.stringify(word) : word)).join(' ');
}

type Role =
  | { role: 'app'; build: ComposeBuild; viaImage?: string }
  | { role: 'database' | 'cache'; image: string; notes: string[]; version?: string; localImage?: string; built: boolean }
  | { role: 'proxy'; targets: string[] }
  | { role: 'not-converted'; what: string; instead: string; blocking: boolean }
  | { role: 'profile' };

interface AppService {
  compose: ComposeService;
  name: string;
  build: ComposeBuild;
  key: string;
  kind: 'web' | 'worker' | 'release' | 'one-off';
  port?: number;
  portReason?: string;
}

export function convertCompose(compose: ComposeProject, project: ProjectFiles, options: ConvertOptions): ComposeConversion {
  const file = compose.file;
  const reasons: Record<string, string> = {};
  const outcomes: ServiceOutcome[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const leftOut: LeftOut[] = [];
  const secrets = new Map<string, DraftSecret>();
  const say = (list: string[], message: string) => { if (!list.includes(message)) list.push(message); };
  // `what` shows what the compose file had; never when it looks like a credential.
  const leave = (path: string, reason: string, what?: string) => leftOut.push({ path, ...(what !== undefined && what !== '' && !secretValueKind(what) ? { what } : {}), reason });

  // The Dockerfile each build reads, parsed for the stage compose builds.
  const dockerfiles = new Map<string, { path: string; text?: string; info?: DockerfileInfo }>();
  const dockerfileOf = (build: ComposeBuild) => {
    const key = buildKey(build);
    if (!dockerfiles.has(key)) {
      const path = joinRelative(build.context, build.dockerfile ?? DEFAULTS.service.build.dockerfile);
      const text = build.remote ? undefined : project.read(path);
      dockerfiles.set(key, { path, ...(text !== undefined ? { text, info: parseDockerfile(text, build.target ? { target: build.target } : {}) } : {}) });
    }
    return dockerfiles.get(key)!;
  };

  // 1. What each compose service is.
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

  // 2. The database and the cache berth runs instead of compose's.
  const draft: BerthDraft = { app: '' };
  const dependencies: ReplacedDependency[] = [];
  for (const service of compose.services) {
    const role = roles.get(service.name)!;
    if (role.role !== 'database' && role.role !== 'cache') continue;
    const label = role.role === 'database' ? 'PostgreSQL' : 'Redis';
    const taken = dependencies.some((dependency) => dependency.kind === role.role);
    if (taken) {
      outcomes.push({ compose: service.name, became: `not converted: a second ${label}`, converted: false });
      leave(`services.${service.name}`, `berth runs one ${label} per app; point the code that uses ${service.name} at the same ${role.role === 'database' ? 'database (DATABASE_URL)' : 'cache (REDIS_URL)'}, or run it outside berth`, role.image);
      continue;
    }
    const credentials = role.role === 'database'
      ? service.environment.filter((variable) => /^POSTGRES(QL)?_(USER|PASSWORD|DB|DATABASE|USERNAME)$/.test(variable.name)).flatMap((variable) => [variable.value, variable.raw]).filter((value): value is string => Boolean(value))
      : [];
    dependencies.push({ service: service.name, kind: role.role, credentials });
    const version = role.version;
    if (role.role === 'database') {
      draft.database = { engine: 'postgres', ...(version ? { version } : {}), ...(role.localImage ? { localImage: role.localImage } : {}) };
      reasons.database = `the compose service ${service.name} runs ${role.image}${version ? ` (PostgreSQL ${version})` : ''}`;
    } else {
      draft.cache = { engine: 'redis', ...(version ? { version } : {}) };
      reasons.cache = `the compose service ${service.name} runs ${role.image}`;
    }
    for (const note of role.notes) say(notes, note);
    outcomes.push({ compose: service.name, became: `${role.role}: ${role.role === 'database' ? `postgres${version ? ` ${version}` : ''}` : `redis${version ? ` ${version}` : ''}`} (${role.image})`, converted: true });
    const keys = service.keys.filter((key) => key !== 'image' && key !== 'build');
    const where = role.role === 'database' ? 'RDS on AWS, a postgres container locally' : 'ElastiCache on AWS, a redis container locally';
    if (keys.length > 0) leave(`services.${service.name}`, `berth runs ${label} itself (${where}) with its own credentials, storage, port and health check, so these are not needed${keys.includes('command') ? '; server flags in command belong in an RDS parameter group or ElastiCache parameter group' : ''}`, keys.join(', '));
    if (role.built) warnings.push(`the compose service ${service.name} builds its own ${label} image from ${dockerfileOf(service.build!).path}: berth runs the stock ${label} instead, so files it adds (init scripts, extensions, configuration) are not there; run setup SQL as a migration (release.before)`);
  }

  // 3. The app's services: web, worker, the migration, other one-offs.
  const proxied = new Set<string>();
  for (const role of roles.values()) if (role.role === 'proxy') role.targets.forEach((target) => proxied.add(target));
  const completedBy = new Set(compose.services.flatMap((service) => service.dependsOn.filter((dependency) => dependency.condition === 'service_completed_successfully').map((dependency) => dependency.service)));
  const usedNames = new Set<string>();
  const apps: AppService[] = [];
  for (const service of compose.services) {
    const role = roles.get(service.name)!;
    if (role.role === 'profile') {
      outcomes.push({ compose: service.name, became: `not converted: only in profile ${service.profiles.join(', ')}`, converted: false });
      leave(`services.${service.name}`, `docker compose starts it only with --profile ${service.profiles[0]}; add it to berth.yml by hand if you deploy it`, `profiles: [${service.profiles.join(', ')}]`);
      continue;
    }
    if (role.role === 'proxy') {
      outcomes.push({ compose: service.name, became: `not converted: a reverse proxy in front of ${role.targets.join(', ')}`, converted: false });
      leave(`services.${service.name}`, "a reverse proxy: berth's load balancer routes requests to the web services instead (give a second web service path: or host:); static files: serve them from the app or a CDN", service.image ?? 'built from nginx');
      continue;
    }
    if (role.role === 'not-converted') {
      outcomes.push({ compose: service.name, became: `not converted: ${role.what}`, converted: false });
      say(role.blocking ? warnings : notes, `${file}: ${service.name} (${service.image ?? 'no image'}) is ${role.what}, which berth does not run: ${role.instead}`);
      leave(`services.${service.name}`, role.instead, service.image);
      continue;
    }
    if (role.role !== 'app') continue;
    let name = serviceNameFrom(service.name);
    for (let n = 2; usedNames.has(name); n += 1) name = `${serviceNameFrom(service.name).slice(0, SERVICE_NAME_MAX - 2)}-${n}`;
    usedNames.add(name);
    if (name !== service.name) say(notes, `the compose service ${service.name} is called ${name} in berth.yml (service names are 1-${SERVICE_NAME_MAX} lowercase letters, digits and hyphens)`);
    const ports = service.ports.filter(isTcp);
    const commandText = [...(service.entrypoint?.words ?? []), ...(service.command?.words ?? [])].join(' ');
    const app: AppService = { compose: service, name, build: role.build, key: buildKey(role.build), kind: 'worker' };
    if (ports.length > 0) {
      app.kind = 'web';
      app.port = ports[0]!.container;
      app.portReason = `the container port of ports "${ports[0]!.text}" in ${file}${ports[0]!.published && ports[0]!.published !== String(ports[0]!.container) ? ` (published on ${ports[0]!.published} by compose; berth's load balancer listens on its own port)` : ''}`;
    } else if (service.expose.length > 0 && (proxied.has(service.name) || !MIGRATION_COMMAND.test(commandText))) {
      app.kind = 'web';
      app.port = service.expose[0]!;
      app.portReason = `expose: ${service.expose[0]} in ${file}${proxied.has(service.name) ? ' (the reverse proxy forwards to it)' : ''}`;
    } else if (proxied.has(service.name)) {
      app.kind = 'web';
    } else if (!['always', 'unless-stopped'].includes(service.restart ?? '') && (MIGRATION_COMMAND.test(commandText) || MIGRATION_NAME.test(service.name))) {
      app.kind = 'release';
    } else if (service.restart === 'no' || completedBy.has(service.name)) {
      app.kind = 'one-off';
    }
    apps.push(app);
  }

  // A compose file that runs only the app's dependencies (the app runs outside compose): build the folder's Dockerfile.
  const rootDockerfile = chooseDockerfile(project.paths);
  if (!apps.some((app) => app.kind === 'web' || app.kind === 'worker') && rootDockerfile) {
    const name = 'web';
    const build: ComposeBuild = { context: '.', dockerfile: rootDockerfile, args: {}, argsFromShell: [], otherKeys: [], remote: false };
    const stub: ComposeService = { name: rootDockerfile, line: 0, keys: [], environment: [], envFiles: [], ports: [], expose: [], dependsOn: [], volumes: [], secrets: [], profiles: [], deployKeys: [], raw: {} };
    apps.push({ compose: stub, name, build, key: buildKey(build), kind: 'web' });
    say(notes, `${file} builds no service of the app, so berth builds ${rootDockerfile} as its web service`);
  }
  const long = apps.filter((app) => app.kind === 'web' || app.kind === 'worker');
  const webs = long.filter((app) => app.kind === 'web');

  // 4. The shared build: the one most services use (the first web's on a tie).
  const usage = new Map<string, number>();
  for (const app of long) usage.set(app.key, (usage.get(app.key) ?? 0) + 1);
  const sharedKey = [...usage.entries()].sort((a, b) => b[1] - a[1] || (long.findIndex((app) => app.key === a[0]) - long.findIndex((app) => app.key === b[0])))[0]?.[0]
    ?? apps[0]?.key;
  const sharedBuild = apps.find((app) => app.key === sharedKey)?.build;

  // 5. Each app service in berth's terms.
  const drafts = new Map<AppService, DraftService>();
  const inspections = new Map<string, AppInspection>();
  const inspect = (app: AppService): AppInspection | undefined => {
    const dockerfile = dockerfileOf(app.build);
    if (app.build.remote || dockerfile.text === undefined) return undefined;
    const key = `${app.key}|${app.port ?? ''}`;
    if (!inspections.has(key)) {
      const context = app.build.context;
      const inContext = subProject(project, context);
      const dockerfilePath = app.build.dockerfile ?? DEFAULTS.service.build.dockerfile;
      inspections.set(key, inspectApp(inContext, {
        folderName: options.folderName,
        dockerfile: dockerfilePath,
        ...(app.build.target ? { target: app.build.target } : {}),
        ...(app.port !== undefined ? { port: { value: app.port, reason: app.portReason ?? '' } } : {}),
        hostnames: false,
      }));
    }
    return inspections.get(key);
  };
  /** A message of an inspection of the build context, with its paths made relative to the app folder. */
  const inContext = (app: AppService, message: string) => {
    if (app.build.context === '.') return message;
    const path = /^([\w.-]+(?:\/[\w.-]+)*)(?=(:\d+)? )/.exec(message)?.[1];
    return path && (path.includes('.') || /ockerfile/.test(path)) ? `${app.build.context}/${message}` : `in ${app.build.context}/: ${message}`;
  };
  const droppedVariables = new Map<ReplacedDependency, Map<string, Set<string>>>();
  const checkedBuilds = new Set<ComposeBuild>();

  for (const app of apps) {
    const service = app.compose;
    const base = `services.${app.name}`;
    const draftService: DraftService = {};
    const dockerfile = dockerfileOf(app.build);
    const info = dockerfile.info;
    if (app.build.remote) warnings.push(`${service.name} builds from ${app.build.context}, which is not a folder: berth builds from a folder beside berth.yml; clone it there and set build.context`);
    else if (dockerfile.text === undefined) warnings.push(`${service.name} builds ${dockerfile.path}, which does not exist or cannot be read: berth validate will report it until it does`);
    for (const key of app.build.otherKeys) leave(`services.${service.name}.build.${key}`, key === 'dockerfile_inline' ? 'berth builds from a Dockerfile file: write the inline Dockerfile to a file and set build.dockerfile' : key === 'secrets' ? 'BuildKit build secrets are not passed by berth; fetch private dependencies another way, or use a pushed image' : 'berth builds with the context, Dockerfile, target and args only');
    if (!checkedBuilds.has(app.build)) {
      checkedBuilds.add(app.build);
      for (const [name, value] of Object.entries(app.build.args)) {
        if (!looksSecretName(name, { exclude: [BROWSER_PUBLIC_NAMES] }) && !secretValueKind(value)) continue;
        delete app.build.args[name];
        leave(`services.${service.name}.build.args.${name}`, 'it looks secret, and build arguments stay in the image for anyone who pulls it: pass it at run time through secrets instead (its value is not copied)');
      }
    }
    for (const name of app.build.argsFromShell) {
      leave(`services.${service.name}.build.args.${name}`, looksSecretName(name) ? 'its value comes from the shell; it looks secret, and build arguments stay in the image: pass it at run time through secrets instead' : 'its value comes from the shell: give it a value in build.args (build arguments are public: they stay in the image)');
    }
    if (app.build.target && info) {
      const stages = info.stages;
      const last = stages.at(-1);
      const chosen = info.finalStage;
      if (chosen && last && chosen.index !== last.index) {
        reasons[`${base}.build.target`] = `compose builds the stage ${app.build.target} (${dockerfile.path} line ${chosen.line}); the last stage is ${last.name ?? `#${last.index + 1}`}, which a build without a target would produce`;
      } else if (chosen) {
        reasons[`${base}.build.target`] = `compose builds the stage ${app.build.target}`;
      }
    }
    if (app.kind === 'web' || app.kind === 'worker') {
      const inspection = inspect(app);
      if (inspection) {
        const messages = app.kind === 'web' ? [...inspection.warnings] : [];
        for (const message of messages) say(warnings, inContext(app, message));
        for (const message of inspection.notes) say(notes, inContext(app, message));
        if (app.kind === 'worker' && info) {
          const buildKit = dockerfile.text ? buildKitNote(dockerfile.path, dockerfile.text) : undefined;
          if (buildKit) say(notes, buildKit);
        }
        for (const secret of inspection.secrets.filter((found) => !pointsAt({ name: found.value, source: 'code', missing: [], fromDotEnv: [] }, dependencies))) {
          draftService.secrets = [...new Set([...(draftService.secrets ?? []), secret.value])];
          reasons[`${base}.secrets.${secret.value}`] = secret.reason;
          if (!secrets.has(secret.value)) secrets.set(secret.value, { name: secret.value });
        }
      }
      if (app.kind === 'web') {
        draftService.port = app.port ?? inspection?.port.value ?? 8080;
        reasons[`${base}.port`] = app.portReason ?? (inspection ? inspection.port.reason : 'a guess: nothing names the port');
        const health = webHealth(service, draftService.port, file, inspection);
        draftService.health = health.health;
        reasons[`${base}.health`] = health.reason;
        for (const item of health.leftOut) leave(`services.${service.name}.healthcheck`, item.reason, item.what);
      } else {
        draftService.kind = 'worker';
        reasons[base] = `the compose service ${service.name} publishes no port, so it runs as a worker (no load balancer)`;
        if (service.healthcheck && !service.healthcheck.disabled && service.healthcheck.words.length > 0) {
          const check = service.healthcheck;
          const health: DraftHealth = { command: check.shell ? ['sh', '-c', check.text] : check.words };
          const timing = healthTimingFromCheck(check, '');
          if (timing) for (const key of ['interval', 'timeout', 'unhealthyThreshold', 'gracePeriod'] as const) if (timing[key] !== undefined) health[key] = timing[key];
          draftService.health = health;
          reasons[`${base}.health`] = `the healthcheck of ${service.name} in ${file}`;
        }
      }
    }

    // The command: compose's command, with its entrypoint when the image has none of its own.
    const command = commandFor(service, info);
    const secretWord = command.command?.find((word) => secretValueKind(word));
    if (command.command && secretWord !== undefined) {
      leave(`services.${service.name}.command`, `it holds what looks like ${secretValueKind(secretWord)}, which berth.yml would keep in plain text: read it from a variable declared in secrets, then add the command to berth.yml`);
      delete command.command;
    }
    if (command.command) {
      draftService.command = command.command;
      reasons[`${base}.command`] = command.reason!;
    }
    if (command.leftOut) leave(`services.${service.name}.entrypoint`, command.leftOut, service.entrypoint?.words.join(' '));

    if (service.replicas !== undefined && (app.kind === 'web' || app.kind === 'worker')) {
      if (service.replicas >= 1) {
        draftService.count = service.replicas;
        reasons[`${base}.count`] = `${service.keys.includes('scale') ? 'scale' : 'deploy.replicas'}: ${service.replicas} in ${file}`;
      } else {
        leave(`services.${service.name}.deploy.replicas`, '0 replicas: berth runs at least one task of each service; remove the service from berth.yml if it should not run');
      }
    }
    if (service.platform) {
      if (/^linux\/arm64/.test(service.platform)) { draftService.arch = 'arm64'; reasons[`${base}.arch`] = `platform: ${service.platform} in ${file}`; }
      else if (!/^linux\/(amd64|x86_64)$/.test(service.platform)) leave(`services.${service.name}.platform`, 'berth runs linux/amd64 (arch: x86_64) or linux/arm64 (arch: arm64)', service.platform);
    }
    if (service.limits) {
      leave(`services.${service.name}.deploy.resources`, `size each service with cpu and memory (Fargate sizes, e.g. ${fargateSuggestion(service.limits)})`, [service.limits.cpus ? `cpus ${service.limits.cpus}` : '', service.limits.memory ? `memory ${service.limits.memory}` : ''].filter(Boolean).join(', '));
    }
    for (const key of service.deployKeys.filter((key) => key !== 'resources')) {
      leave(`services.${service.name}.deploy.${key}`, key === 'restart_policy' ? "berth restarts services that stop (ECS keeps the count; the local target replaces exited replicas)" : key === 'update_config' || key === 'rollback_config' ? "berth's rolling replace and `berth rollback` apply" : 'berth.yml has no equivalent');
    }
    if (service.restart !== undefined && (app.kind === 'web' || app.kind === 'worker')) {
      leave(`services.${service.name}.restart`, 'berth restarts every service that stops (ECS keeps the count; the local target replaces exited replicas)', service.restart);
    }

    // Environment.
    const env: Record<string, string> = {};
    const secretNames: string[] = [...(draftService.secrets ?? [])];
    for (const variable of service.environment) {
      const outcome = classifyVariable(variable, dependencies, file);
      const path = `services.${service.name}.environment.${variable.name}`;
      if (outcome.to === 'env') {
        env[variable.name] = outcome.value;
        reasons[`${base}.env.${variable.name}`] = `from ${variable.source === 'environment' ? `environment in ${file}` : variable.source}`;
      } else if (outcome.to === 'secret') {
        if (!secretNames.includes(variable.name)) secretNames.push(variable.name);
        const origin = variable.source === 'environment' ? `environment in ${file}${variable.fromDotEnv.length > 0 ? ` (its value from .env)` : ''}` : variable.source;
        const value = outcome.valueLeftOutFrom
          ? `${outcome.why === 'value' ? ' (its value looks like a credential)' : ''}; the value is not copied`
          : variable.value === undefined ? ' (its value comes from the shell)' : variable.missing.length > 0 ? ` (\${${variable.missing[0]}} is not in .env)` : '';
        reasons[`${base}.secrets.${variable.name}`] = `${origin}${value}`;
        const known = secrets.get(variable.name);
        secrets.set(variable.name, { name: variable.name, ...(known?.valueLeftOutFrom ? { valueLeftOutFrom: known.valueLeftOutFrom } : outcome.valueLeftOutFrom ? { valueLeftOutFrom: outcome.valueLeftOutFrom } : {}) });
      } else if (outcome.to === 'dropped') {
        const byName = droppedVariables.get(outcome.dependency) ?? new Map<string, Set<string>>();
        byName.set(variable.name, (byName.get(variable.name) ?? new Set()).add(app.name));
        droppedVariables.set(outcome.dependency, byName);
      } else {
        leave(path, outcome.reason);
      }
    }
    for (const secret of service.secrets) {
      const envName = envNameFromSecret(secret);
      if (!secretNames.includes(envName)) secretNames.push(envName);
      reasons[`${base}.secrets.${envName}`] = `the compose secret ${secret}`;
      const source = compose.secrets[secret];
      secrets.set(envName, { name: envName, ...(source?.file ? { valueLeftOutFrom: source.file } : {}) });
      say(warnings, `${service.name} reads the compose secret ${secret} from the file /run/secrets/${secret}; berth gives secrets to the app as environment variables: read ${envName} from the environment instead (declared in secrets)`);
    }
    for (const envFile of service.envFiles.filter((item) => !item.found)) {
      leave(`services.${service.name}.env_file`, envFile.required ? 'the file does not exist here; its variables were not read: add the plain ones to env and the secret ones to secrets' : 'optional and absent: nothing to read', envFile.path);
    }
    if (Object.keys(env).length > 0) draftService.env = env;
    if (secretNames.length > 0) draftService.secrets = secretNames;
    else delete draftService.secrets;

    // Volumes.
    for (const volume of service.volumes) {
      const reason = volume.kind === 'bind'
        ? (/^\.\/?$|^\.\/?(app|src|code)?$/.test(volume.source ?? '') || ['/app', '/code', '/usr/src/app', '/src', '/srv/app'].includes(volume.target)
          ? 'a bind mount of the source code (for live reload): berth runs the image as built, so COPY the code in the Dockerfile'
          : 'a bind mount of a host folder: containers on Fargate have no host folders; copy read-only files into the image, keep data in S3 or the database')
        : volume.kind === 'tmpfs' ? "the container's own filesystem is writable scratch space already"
          : 'containers on Fargate keep no disk between deploys: keep files in S3 (or EFS) and data in the database';
      leave(`services.${service.name}.volumes`, reason, volume.text);
    }

    // Every other key of the service.
    const handled = new Set(['build', 'image', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'healthcheck', 'depends_on', 'restart', 'deploy', 'scale', 'platform', 'secrets', 'profiles', 'volumes', 'extends']);
    for (const key of service.keys.filter((candidate) => !handled.has(candidate))) {
      leave(`services.${service.name}.${key}`, key.startsWith('x-') ? 'an extension field: compose ignores it too' : KEY_ADVICE[key] ?? 'berth.yml has no equivalent');
    }
    if (service.keys.includes('extends') && service.raw.extends !== null && typeof service.raw.extends === 'object' && 'file' in (service.raw.extends as object)) {
      leave(`services.${service.name}.extends`, 'extends from another file was not read: copy what it adds into the compose file or berth.yml');
    }
    if (app.kind === 'web' && service.ports.length > 1) {
      leave(`services.${service.name}.ports`, 'berth routes one port per web service (the first); a second port needs its own service', service.ports.slice(1).map((port) => port.text).join(', '));
    }
    if (app.kind === 'web' && app.port === undefined) {
      say(warnings, `${service.name} is behind the reverse proxy but names no port (no ports or expose): set its port in berth.yml`);
    }
    drafts.set(app, draftService);
  }

  // 6. What depends_on said, in berth's terms.
  for (const app of long) {
    const onApps = app.compose.dependsOn.filter((dependency) => long.some((other) => other.compose.name === dependency.service));
    if (onApps.length > 0) say(notes, `${app.name} depends on ${onApps.map((dependency) => dependency.service).join(', ')} in ${file}: berth starts services independently, so ${app.name} must retry until ${onApps.length === 1 ? 'it answers' : 'they answer'} (databases and caches are ready before any service starts)`);
  }

  // 7. Dropped connection variables, once per dependency.
  for (const [dependency, byName] of droppedVariables) {
    const names = [...byName.keys()];
    const own = dependency.kind === 'database' ? ['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD'] : ['REDIS_URL'];
    const foreign = names.filter((name) => !own.includes(name));
    say(notes, `left out ${names.join(', ')}: ${names.length === 1 ? 'it pointed' : 'they pointed'} at the compose service ${dependency.service}; berth injects ${dependency.kind === 'database' ? 'DATABASE_URL and PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD' : 'REDIS_URL'} for the ${dependency.kind === 'database' ? 'database' : 'cache'} it runs${foreign.length > 0 ? `; make the code read ${dependency.kind === 'database' ? 'DATABASE_URL (or the PG* variables)' : 'REDIS_URL'} instead of ${foreign.join(', ')}` : ''}`);
  }

  // 8. Code that connects to compose hostnames instead of reading berth's variables.
  const kinds = new Map<string, 'database' | 'cache' | 'other'>();
  for (const dependency of dependencies) kinds.set(dependency.service, dependency.kind);
  for (const service of compose.services) {
    const role = roles.get(service.name)!;
    if (role.role === 'not-converted' || ((role.role === 'database' || role.role === 'cache') && !kinds.has(service.name))) kinds.set(service.name, 'other');
  }
  for (const use of findComposeHostnames(project, [...COMMON_COMPOSE_HOSTNAMES, ...kinds.keys()])) {
    const kind = kinds.get(use.hostname) ?? hostnameKind(use.hostname);
    const where = `${use.file}:${use.line} connects to the host "${use.hostname}" (\`${use.evidence}\`)`;
    if (kind === 'other') {
      say(warnings, `${where}: the compose service ${use.hostname}, which berth does not run; point it at where that service runs instead`);
    } else {
      say(warnings, `${where}: that name exists only on a docker compose network; ${connectionAdvice(kind)}`);
    }
  }

  // 9. The release task.
  const releases = apps.filter((app) => app.kind === 'release');
  const migration = releases[0];
  for (const app of apps.filter((candidate) => candidate.kind === 'one-off')) {
    outcomes.push({ compose: app.compose.name, became: 'not converted: a one-off task', converted: false });
    leave(`services.${app.compose.name}`, 'a one-off task (it runs once and exits): if it must run before every release, put its command in release.before', app.compose.command?.words.join(' '));
  }
  for (const app of releases.slice(1)) {
    outcomes.push({ compose: app.compose.name, became: 'not converted: a second release task', converted: false });
    leave(`services.${app.compose.name}`, `berth runs one release.before command (from ${migration!.compose.name}); chain the commands in one script`, app.compose.command?.words.join(' '));
  }
  if (migration) {
    const command = drafts.get(migration)?.command;
    if (!command) {
      outcomes.push({ compose: migration.compose.name, became: 'not converted: a release task without a command', converted: false });
      leave(`services.${migration.compose.name}`, "it runs its image's default command: set release.before to the command that runs the migrations", migration.compose.image);
    } else {
      const runner = webs.find((app) => app.key === migration.key) ?? long.find((app) => app.key === migration.key);
      const defaultRunner = webs[0] ?? long[0];
      draft.release = { before: runner && defaultRunner && runner !== defaultRunner ? { command, service: runner.name } : command };
      reasons['release.before'] = `the compose service ${migration.compose.name} (${cmdText(command)}) runs once before the app starts`;
      outcomes.push({ compose: migration.compose.name, became: `release.before: ${cmdText(command)}`, converted: true });
      if (!runner) say(warnings, `release.before runs with ${defaultRunner ? `the image of ${defaultRunner.name}` : "the app's image"}, but compose builds ${migration.compose.name} from ${dockerfileOf(migration.build).path}: make sure that image can run \`${cmdText(command)}\``);
      const runnerDraft = runner ? drafts.get(runner) : undefined;
      const own = drafts.get(migration)!;
      const missing = [...Object.keys(own.env ?? {}), ...(own.secrets ?? [])].filter((name) => !(name in (runnerDraft?.env ?? {})) && !(runnerDraft?.secrets ?? []).includes(name));
      if (missing.length > 0) say(notes, `release.before runs with the environment of ${runner?.name ?? defaultRunner?.name ?? 'the web service'}; compose also gave ${migration.compose.name} ${missing.join(', ')}: add ${missing.length === 1 ? 'it' : 'them'} to env or secrets there if the migration needs ${missing.length === 1 ? 'it' : 'them'}`);
    }
  }

  // 10. Routes: one web service takes every request, the others a path.
  const primary = webs.find((app) => app.compose.dependsOn.some((dependency) => webs.some((other) => other !== app && other.compose.name === dependency.service)))
    ?? webs.find((app) => app.compose.ports.some((port) => ['80', '443'].includes(port.published ?? '')))
    ?? webs[0];
  for (const app of webs.filter((candidate) => candidate !== primary)) {
    const draftService = drafts.get(app)!;
    draftService.path = `/${app.name}/*`;
    reasons[`services.${app.name}.path`] = `${primary!.name} takes every other request`;
    warnings.push(`${app.name} gets path /${app.name}/* so the load balancer can tell it from ${primary!.name}; the path reaches ${app.name} unchanged, so it must answer under /${app.name}/ (or give it host: ${app.name}.example.com instead)`);
  }

  // 11. Outcomes of app services, in compose order.
  for (const app of long) {
    const draftService = drafts.get(app)!;
    const detail = app.kind === 'web'
      ? `web service on port ${draftService.port}, health ${draftService.health?.path ?? DEFAULTS.service.health.path}${draftService.path ? `, path ${draftService.path}` : ''}`
      : `worker${draftService.command ? ` (${cmdText(draftService.command)})` : ''}`;
    outcomes.push({ compose: app.compose.name, became: `services.${app.name}: ${detail}`, converted: true });
  }
  const position = (name: string) => { const index = compose.services.findIndex((service) => service.name === name); return index === -1 ? compose.services.length : index; };
  outcomes.sort((a, b) => position(a.compose) - position(b.compose));

  // 12. The app name.
  const named = compose.name ? appNameFromFolder(compose.name) : undefined;
  const appName = named && !GENERIC_FOLDER_NAMES.has(named.value) && named.value !== 'app'
    ? { value: named.value, reason: `from the compose project name (name: ${compose.name} in ${file})` }
    : appNameFromFolder(options.folderName, options.parentName);
  draft.app = appName.value;
  reasons.app = appName.reason;

  // 13. Shared build, env and secrets, and the file's shape.
  const longDrafts = long.map((app) => drafts.get(app)!);
  const sharedDraftBuild = sharedBuild ? draftBuild(sharedBuild) : {};
  if (long.length === 0) {
    warnings.push(`${file} has no service berth can run as the app (no service with build: that runs a server or a worker): write berth.yml's services by hand`);
  }
  if (long.length === 1 && webs.length === 1) {
    const only = long[0]!;
    const service = drafts.get(only)!;
    const build = draftBuild(only.build);
    draft.service = ordered({ ...service, ...(Object.keys(build).length > 0 ? { build } : {}) });
    renameReasons(reasons, `services.${only.name}`, 'service');
  } else if (long.length > 0) {
    if (Object.keys(sharedDraftBuild).length > 0) {
      draft.build = sharedDraftBuild;
      const first = long.find((app) => app.key === sharedKey)!;
      renameReasons(reasons, `services.${first.name}.build`, 'build');
    }
    for (const app of long) {
      if (app.key !== sharedKey) {
        const build = draftBuild(app.build);
        drafts.get(app)!.build = Object.keys(build).length > 0 ? build : { context: '.' };
      }
    }
    if (long.length > 1) {
      const sharedEnv = Object.entries(longDrafts[0]!.env ?? {}).filter(([name, value]) => longDrafts.every((service) => service.env?.[name] === value));
      if (sharedEnv.length > 0) {
        draft.env = Object.fromEntries(sharedEnv);
        for (const [name] of sharedEnv) {
          reasons[`env.${name}`] = reasons[`services.${long[0]!.name}.env.${name}`] ?? '';
          for (const service of longDrafts) delete service.env![name];
        }
      }
      const sharedSecrets = (longDrafts[0]!.secrets ?? []).filter((name) => longDrafts.every((service) => service.secrets?.includes(name)));
      if (sharedSecrets.length > 0) {
        draft.secrets = sharedSecrets;
        for (const name of sharedSecrets) {
          reasons[`secrets.${name}`] = reasons[`services.${long[0]!.name}.secrets.${name}`] ?? '';
          for (const service of longDrafts) service.secrets = service.secrets!.filter((other) => other !== name);
        }
      }
      for (const service of longDrafts) {
        if (service.env && Object.keys(service.env).length === 0) delete service.env;
        if (service.secrets && service.secrets.length === 0) delete service.secrets;
      }
    }
    draft.services = Object.fromEntries(long.map((app) => [app.name, ordered(drafts.get(app)!)]));
  }

  // 14. Top-level compose keys.
  for (const key of compose.topLevelKeys) {
    if (key === 'secrets') continue;
    if (key === 'volumes') {
      leave('volumes', 'named volumes: the database and cache keep their data in berth\'s own storage; app services keep no disk (see services.*.volumes)');
      continue;
    }
    leave(key, key.startsWith('x-') ? 'an extension field: what services took from it through YAML anchors was read' : TOP_LEVEL_ADVICE[key] ?? 'berth.yml has no equivalent');
  }
  const usedSecrets = new Set(compose.services.flatMap((service) => service.secrets));
  for (const name of Object.keys(compose.secrets).filter((secret) => !usedSecrets.has(secret))) leave(`secrets.${name}`, 'no converted service uses it');

  if (draft.service) {
    for (const outcome of outcomes) outcome.became = outcome.became.replace(/^services\.[a-z0-9-]+:/, 'service:');
  }

  // Only the secrets berth.yml declares need a value.
  const declared = new Set([...(draft.secrets ?? []), ...(draft.service?.secrets ?? []), ...Object.values(draft.services ?? {}).flatMap((service) => service.secrets ?? [])]);
  return { file, draft, reasons, outcomes, warnings, notes, leftOut, secrets: [...secrets.values()].filter((secret) => declared.has(secret.name)) };
}

const SERVICE_KEY_ORDER: ReadonlyArray<keyof DraftService> = ['kind', 'port', 'path', 'command', 'health', 'count', 'arch', 'build', 'env', 'secrets'];

/** The service's keys in the order a reader expects them: what it is, how it runs, then its environment. */
function ordered(service: DraftService): DraftService {
  const out: Record<string, unknown> = {};
  for (const key of SERVICE_KEY_ORDER) if (service[key] !== undefined) out[key] = service[key];
  return out as DraftService;
}

function renameReasons(reasons: Record<string, string>, from: string, to: string): void {
  for (const key of Object.keys(reasons)) {
    if (key === from || key.startsWith(`${from}.`)) {
      reasons[to + key.slice(from.length)] = reasons[key]!;
      delete reasons[key];
    }
  }
}

/** The services a reverse proxy's configuration forwards to (nginx proxy_pass / upstream, Caddy reverse_proxy, HAProxy server). */
function proxyTargets(project: ProjectFiles, build: ComposeBuild, others: readonly string[]): string[] {
  if (build.remote) return [];
  const prefix = build.context === '.' ? '' : `${build.context}/`;
  const texts = project.paths.filter((path) => path.startsWith(prefix) && path.split('/').length - prefix.split('/').length < 3).map((path) => project.read(path) ?? '');
  return others.filter((name) => {
    const n = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(proxy_pass\\s+https?://${n}[:/;\\s]|reverse_proxy\\s+(https?://)?${n}[:\\s]|\\bserver\\s+${n}:\\d+|uwsgi_pass\\s+${n}:\\d+|fastcgi_pass\\s+${n}:\\d+)`);
    return texts.some((text) => pattern.test(text));
  });
}

/** A web service's health check: compose's healthcheck when it requests a path on the service's port, else what the app inspection found. */
function webHealth(service: ComposeService, port: number, file: string, inspection: AppInspection | undefined): { health: DraftHealth; reason: string; leftOut: Array<{ reason: string; what?: string }> } {
  const leftOut: Array<{ reason: string; what?: string }> = [];
  const check = service.healthcheck;
  const fallback = (): { health: DraftHealth; reason: string } => {
    const health: DraftHealth = { path: inspection?.healthPath.value ?? DEFAULTS.service.health.path };
    const timing = inspection?.healthTiming;
    if (timing) for (const key of ['interval', 'timeout', 'unhealthyThreshold', 'gracePeriod'] as const) if (timing[key] !== undefined) health[key] = timing[key];
    return { health, reason: inspection ? inspection.healthPath.reason : `the default path ${DEFAULTS.service.health.path}` };
  };
  if (!check || check.disabled || check.words.length === 0) {
    if (check?.disabled) leftOut.push({ reason: 'disabled in compose; berth checks every web service over HTTP (health.path)' });
    return { ...fallback(), leftOut };
  }
  const target = healthTargetFromCommand(check.words);
  if (!target.path) {
    leftOut.push({ reason: "a command check; berth checks a web service over HTTP at health.path (a command check is for workers)", what: check.text });
    return { ...fallback(), leftOut };
  }
  if (target.port !== undefined && target.port !== port) {
    leftOut.push({ reason: `it requests port ${target.port}, not the service's port ${port}; berth checks health.path on the service's port`, what: check.text });
    return { ...fallback(), leftOut };
  }
  const health: DraftHealth = { path: target.path };
  const timing = healthTimingFromCheck(check, '');
  if (timing) for (const key of ['interval', 'timeout', 'unhealthyThreshold', 'gracePeriod'] as const) if (timing[key] !== undefined) health[key] = timing[key];
  return { health, reason: `the healthcheck of ${service.name} in ${file} (${check.text.length > 80 ? `${check.text.slice(0, 77)}...` : check.text})`, leftOut };
}

/** The command berth.yml runs: compose's command, and its entrypoint when the image has no ENTRYPOINT of its own. */
function commandFor(service: ComposeService, info: DockerfileInfo | undefined): { command?: string[]; reason?: string; leftOut?: string } {
  const command = service.command?.words ?? [];
  const entrypoint = service.entrypoint?.words;
  const written = (what: 'command' | 'entrypoint', text: string | undefined) => (text !== undefined ? `${what} "${text}"` : what);
  if (entrypoint !== undefined && entrypoint.length > 0) {
    if (info?.entrypoint) {
      return {
        ...(command.length > 0 ? { command, reason: `${written('command', service.command?.text)} of ${service.name}` } : {}),
        leftOut: `berth.yml sets the command, not the entrypoint, and the image has ENTRYPOINT (line ${info.entrypoint.line}); change it in the Dockerfile`,
      };
    }
    // Docker runs ENTRYPOINT + CMD; with no ENTRYPOINT in the image, the command can carry both.
    return { command: [...entrypoint, ...command], reason: `entrypoint${command.length > 0 ? ' and command' : ''} of ${service.name} (the image has no ENTRYPOINT, so berth.yml's command holds both)` };
  }
  if (command.length > 0) return { command, reason: `${written('command', service.command?.text)} of ${service.name}${service.command?.text !== undefined ? ', split like a shell would (no shell runs it)' : ''}` };
  return {};
}

/** A Fargate size near compose's limits, for the advice. */
function fargateSuggestion(limits: { cpus?: string; memory?: string }): string {
  const cpus = Number(limits.cpus ?? '0.25');
  const cpu = [256, 512, 1024, 2048, 4096].find((units) => units >= cpus * 1024) ?? 4096;
  const match = /^(\d+(?:\.\d+)?)\s*([kmg])?i?b?$/i.exec(limits.memory ?? '');
  const mib = match ? Number(match[1]) * ({ k: 1 / 1024, m: 1, g: 1024 } as Record<string, number>)[(match[2] ?? 'm').toLowerCase()]! : 512;
  const memory = cpu === 256 ? [512, 1024, 2048].find((size) => size >= mib) ?? 2048 : Math.max(cpu * 2, Math.ceil(mib / 1024) * 1024);
  return `cpu: ${cpu}, memory: ${clamp(memory, 512, 30720)}`;
}

/** The conversion with another app name (changed on the terminal during `berth init`). */
export function withAppName(conversion: ComposeConversion, app: string): ComposeConversion {
  if (app === conversion.draft.app) return conversion;
  return { ...conversion, draft: { ...conversion.draft, app }, reasons: { ...conversion.reasons, app: 'set during `berth init`' } };
}
