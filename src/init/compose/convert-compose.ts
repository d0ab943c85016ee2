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
import { DEFAULTS } from '../../config/defaults.js';
import { DATABASE_URL, PG_VARIABLES, REDIS_URL, serviceUrlVariable } from '../../model/index.js';
import { appNameFromFolder, GENERIC_FOLDER_NAMES } from '../app-name.js';
import { COMMON_COMPOSE_HOSTNAMES, connectionAdvice, findComposeHostnames, hostnameKind } from '../compose-hostnames.js';
import { inspectApp, type AppInspection } from '../inspect-app.js';
import type { ProjectFiles } from '../project-files.js';
import { subProject } from '../project-files.js';
import { appServices, type AppService } from './app-services.js';
import type { ComposeBuild, ComposeProject } from './compose-file.js';
import { ConversionLog } from './conversion-log.js';
import { convertService } from './convert-service.js';
import type { BerthDraft, ComposeConversion, DraftBuild, DraftService } from './draft.js';
import { DATABASE_VARIABLES, type ReplacedDependency } from './environment.js';
import { TOP_LEVEL_ADVICE } from './key-advice.js';
import { dockerfileReader, serviceRoles, type BuildDockerfile, type Role } from './service-roles.js';

export { serviceNameFrom } from './app-services.js';
export { envNameFromSecret } from './convert-service.js';

export interface ConvertOptions {
  /** The app folder's name and its parent's, for the app name when the compose file has no `name:`. */
  folderName: string;
  parentName?: string;
}

const SERVICE_KEY_ORDER: ReadonlyArray<keyof DraftService> = ['kind', 'port', 'path', 'command', 'health', 'count', 'arch', 'build', 'env', 'secrets'];

export function convertCompose(compose: ComposeProject, project: ProjectFiles, options: ConvertOptions): ComposeConversion {
  const log = new ConversionLog();
  const dockerfileOf = dockerfileReader(project);
  const roles = serviceRoles(compose, project, dockerfileOf);
  const draft: BerthDraft = { app: '' };

  const dependencies = replaceDependencies(compose, roles, dockerfileOf, draft, log);
  const apps = appServices(compose, project, roles, log);
  const running = apps.filter((app) => app.kind === 'web' || app.kind === 'worker');

  const inspectionOf = inspector(project, dockerfileOf, options);
  const dropped = new Map<ReplacedDependency, Map<string, Set<string>>>();
  // With several services, berth injects <NAME>_URL of each web service into the others.
  const serviceUrls = new Map(running.length > 1 ? running.filter((app) => app.kind === 'web').map((app) => [serviceUrlVariable(app.name), app.name] as const) : []);
  const drafts = new Map<AppService, DraftService>();
  for (const app of apps) {
    const inspection = app.kind === 'web' || app.kind === 'worker' ? inspectionOf(app) : undefined;
    drafts.set(app, convertService(app, { compose, log, dependencies, dockerfile: dockerfileOf(app.build), ...(inspection ? { inspection } : {}), dropped, serviceUrls }));
  }

  noteDependsOn(compose, running, log);
  noteDroppedVariables(dropped, log);
  warnHostnames(compose, project, roles, dependencies, log);
  releaseTask(apps, running, drafts, dockerfileOf, draft, log);
  routeWebServices(running.filter((app) => app.kind === 'web'), drafts, log);
  for (const app of running) log.outcome(app.compose.name, `services.${app.name}: ${describe(app, drafts.get(app)!)}`, true);
  const position = (name: string) => { const index = compose.services.findIndex((service) => service.name === name); return index === -1 ? compose.services.length : index; };
  log.outcomes.sort((a, b) => position(a.compose) - position(b.compose));

  const named = compose.name ? appNameFromFolder(compose.name) : undefined;
  const appName = named && !GENERIC_FOLDER_NAMES.has(named.value)
    ? { value: named.value, reason: `from the compose project name (name: ${compose.name} in ${compose.file})` }
    : appNameFromFolder(options.folderName, options.parentName);
  draft.app = appName.value;
  log.reasons.app = appName.reason;

  shapeDraft(running, drafts, draft, log, compose.file);
  leaveTopLevelKeys(compose, log);
  if (draft.service) {
    for (const outcome of log.outcomes) outcome.became = outcome.became.replace(/^services\.[a-z0-9-]+:/, 'service:');
  }

  // Only the secrets berth.yml declares need a value.
  const declared = new Set([...(draft.secrets ?? []), ...(draft.service?.secrets ?? []), ...Object.values(draft.services ?? {}).flatMap((service) => service.secrets ?? [])]);
  return {
    file: compose.file,
    draft,
    reasons: log.reasons,
    outcomes: log.outcomes,
    warnings: log.warnings,
    notes: log.notes,
    leftOut: log.leftOut,
    secrets: [...log.secrets.values()].filter((secret) => declared.has(secret.name)),
  };
}

/** The conversion with another app name (changed on the terminal during `berth init`). */
export function withAppName(conversion: ComposeConversion, app: string): ComposeConversion {
  if (app === conversion.draft.app) return conversion;
  return { ...conversion, draft: { ...conversion.draft, app }, reasons: { ...conversion.reasons, app: 'set during `berth init`' } };
}

/** The PostgreSQL and Redis berth runs instead of compose's: `database` / `cache` in the draft. */
function replaceDependencies(compose: ComposeProject, roles: ReadonlyMap<string, Role>, dockerfileOf: (build: ComposeBuild) => BuildDockerfile, draft: BerthDraft, log: ConversionLog): ReplacedDependency[] {
  const dependencies: ReplacedDependency[] = [];
  for (const service of compose.services) {
    const role = roles.get(service.name)!;
    if (role.role !== 'database' && role.role !== 'cache') continue;
    const label = role.role === 'database' ? 'PostgreSQL' : 'Redis';
    if (dependencies.some((dependency) => dependency.kind === role.role)) {
      log.outcome(service.name, `not converted: a second ${label}`, false);
      log.leave(`services.${service.name}`, `berth runs one ${label} per app; point the code that uses ${service.name} at the same ${role.role === 'database' ? 'database (DATABASE_URL)' : 'cache (REDIS_URL)'}, or run it outside berth`, role.image);
      continue;
    }
    const credentials = role.role === 'database'
      ? service.environment.filter((variable) => /^POSTGRES(QL)?_(USER|PASSWORD|DB|DATABASE|USERNAME)$/.test(variable.name)).flatMap((variable) => [variable.value, variable.raw]).filter((value): value is string => Boolean(value))
      : [];
    dependencies.push({ service: service.name, kind: role.role, credentials });
    const { version } = role;
    if (role.role === 'database') {
      draft.database = { engine: 'postgres', ...(version ? { version } : {}), ...(role.localImage ? { localImage: role.localImage } : {}) };
      log.reasons.database = `the compose service ${service.name} runs ${role.image}${version ? ` (PostgreSQL ${version})` : ''}`;
    } else {
      draft.cache = { engine: 'redis', ...(version ? { version } : {}) };
      log.reasons.cache = `the compose service ${service.name} runs ${role.image}`;
    }
    for (const note of role.notes) log.note(note);
    log.outcome(service.name, `${role.role}: ${role.role === 'database' ? 'postgres' : 'redis'}${version ? ` ${version}` : ''} (${role.image})`, true);
    const keys = service.keys.filter((key) => key !== 'image' && key !== 'build');
    const where = role.role === 'database' ? 'RDS on AWS, a postgres container locally' : 'ElastiCache on AWS, a redis container locally';
    if (keys.length > 0) {
      log.leave(`services.${service.name}`, `berth runs ${label} itself (${where}) with its own credentials, storage, port and health check, so these are not needed${keys.includes('command') ? '; server flags in command belong in an RDS parameter group or ElastiCache parameter group' : ''}`, keys.join(', '));
    }
    if (role.built) log.warn(`the compose service ${service.name} builds its own ${label} image from ${dockerfileOf(service.build!).path}: berth runs the stock ${label} instead, so files it adds (init scripts, extensions, configuration) are not there; run setup SQL as a migration (release.before)`);
  }
  return dependencies;
}

/** What `berth init` finds in a service's build context (framework, health route, secrets the code reads), once per build and port. */
function inspector(project: ProjectFiles, dockerfileOf: (build: ComposeBuild) => BuildDockerfile, options: ConvertOptions): (app: AppService) => AppInspection | undefined {
  const inspections = new Map<string, AppInspection>();
  return (app) => {
    if (app.build.remote || dockerfileOf(app.build).text === undefined) return undefined;
    const key = `${app.key}|${app.port ?? ''}`;
    if (!inspections.has(key)) {
      inspections.set(key, inspectApp(subProject(project, app.build.context), {
        folderName: options.folderName,
        dockerfile: app.build.dockerfile ?? DEFAULTS.service.build.dockerfile,
        ...(app.build.target ? { target: app.build.target } : {}),
        ...(app.port !== undefined ? { port: { value: app.port, reason: app.portReason ?? '' } } : {}),
        // The whole project is scanned once for compose hostnames, with the compose service names (warnHostnames).
        hostnames: false,
      }));
    }
    return inspections.get(key);
  };
}

function noteDependsOn(compose: ComposeProject, running: readonly AppService[], log: ConversionLog): void {
  for (const app of running) {
    const onApps = app.compose.dependsOn.filter((dependency) => running.some((other) => other.compose.name === dependency.service));
    if (onApps.length === 0) continue;
    log.note(`${app.name} depends on ${onApps.map((dependency) => dependency.service).join(', ')} in ${compose.file}: berth starts services independently, so ${app.name} must retry until ${onApps.length === 1 ? 'it answers' : 'they answer'} (databases and caches are ready before any service starts)`);
  }
}

function noteDroppedVariables(dropped: ReadonlyMap<ReplacedDependency, ReadonlyMap<string, ReadonlySet<string>>>, log: ConversionLog): void {
  for (const [dependency, byName] of dropped) {
    const names = [...byName.keys()];
    const database = dependency.kind === 'database';
    const own = database ? DATABASE_VARIABLES : [REDIS_URL];
    const foreign = names.filter((name) => !own.includes(name));
    const injected = database ? `${DATABASE_URL} and ${Object.values(PG_VARIABLES).join(', ')}` : REDIS_URL;
    log.note(`left out ${names.join(', ')}: ${names.length === 1 ? 'it pointed' : 'they pointed'} at the compose service ${dependency.service}; berth injects ${injected} for the ${database ? 'database' : 'cache'} it runs${foreign.length > 0 ? `; make the code read ${database ? `${DATABASE_URL} (or the PG* variables)` : REDIS_URL} instead of ${foreign.join(', ')}` : ''}`);
  }
}

/** Code that connects to compose hostnames instead of reading berth's variables. */
function warnHostnames(compose: ComposeProject, project: ProjectFiles, roles: ReadonlyMap<string, Role>, dependencies: readonly ReplacedDependency[], log: ConversionLog): void {
  const kinds = new Map<string, 'database' | 'cache' | 'other'>();
  for (const dependency of dependencies) kinds.set(dependency.service, dependency.kind);
  for (const service of compose.services) {
    const role = roles.get(service.name)!;
    if (role.role === 'not-converted' || ((role.role === 'database' || role.role === 'cache') && !kinds.has(service.name))) kinds.set(service.name, 'other');
  }
  for (const use of findComposeHostnames(project, [...COMMON_COMPOSE_HOSTNAMES, ...kinds.keys()])) {
    const kind = kinds.get(use.hostname) ?? hostnameKind(use.hostname);
    const where = `${use.file}:${use.line} connects to the host "${use.hostname}" (\`${use.evidence}\`)`;
    log.warn(kind === 'other'
      ? `${where}: the compose service ${use.hostname}, which berth does not run; point it at where that service runs instead`
      : `${where}: that name exists only on a docker compose network; ${connectionAdvice(kind)}`);
  }
}

/** The migration one-off -> release.before, run with a service built from the same image; other one-offs are left out. */
function releaseTask(apps: readonly AppService[], running: readonly AppService[], drafts: ReadonlyMap<AppService, DraftService>, dockerfileOf: (build: ComposeBuild) => BuildDockerfile, draft: BerthDraft, log: ConversionLog): void {
  const releases = apps.filter((app) => app.kind === 'release');
  const migration = releases[0];
  for (const app of apps.filter((candidate) => candidate.kind === 'one-off')) {
    log.outcome(app.compose.name, 'not converted: a one-off task', false);
    log.leave(`services.${app.compose.name}`, 'a one-off task (it runs once and exits): if it must run before every release, put its command in release.before', app.compose.command?.words.join(' '));
  }
  for (const app of releases.slice(1)) {
    log.outcome(app.compose.name, 'not converted: a second release task', false);
    log.leave(`services.${app.compose.name}`, `berth runs one release.before command (from ${migration!.compose.name}); chain the commands in one script`, app.compose.command?.words.join(' '));
  }
  if (!migration) return;
  const command = drafts.get(migration)?.command;
  if (!command) {
    log.outcome(migration.compose.name, 'not converted: a release task without a command', false);
    log.leave(`services.${migration.compose.name}`, "it runs its image's default command: set release.before to the command that runs the migrations", migration.compose.image);
    return;
  }
  const webs = running.filter((app) => app.kind === 'web');
  const runner = webs.find((app) => app.key === migration.key) ?? running.find((app) => app.key === migration.key);
  const defaultRunner = webs[0] ?? running[0];
  draft.release = { before: runner && defaultRunner && runner !== defaultRunner ? { command, service: runner.name } : command };
  log.reasons['release.before'] = `the compose service ${migration.compose.name} (${commandText(command)}) runs once before the app starts`;
  log.outcome(migration.compose.name, `release.before: ${commandText(command)}`, true);
  if (!runner) log.warn(`release.before runs with ${defaultRunner ? `the image of ${defaultRunner.name}` : "the app's image"}, but compose builds ${migration.compose.name} from ${dockerfileOf(migration.build).path}: make sure that image can run \`${commandText(command)}\``);
  const runnerDraft = runner ? drafts.get(runner) : undefined;
  const own = drafts.get(migration)!;
  const missing = [...Object.keys(own.env ?? {}), ...(own.secrets ?? [])].filter((name) => !(name in (runnerDraft?.env ?? {})) && !(runnerDraft?.secrets ?? []).includes(name));
  if (missing.length > 0) {
    const them = missing.length === 1 ? 'it' : 'them';
    log.note(`release.before runs with the environment of ${runner?.name ?? defaultRunner?.name ?? 'the web service'}; compose also gave ${migration.compose.name} ${missing.join(', ')}: add ${them} to env or secrets there if the migration needs ${them}`);
  }
}

/** One web service takes every request; the others get a path. The default is the one that depends on the others (a frontend), else the one published on 80/443, else the first. */
function routeWebServices(webs: readonly AppService[], drafts: ReadonlyMap<AppService, DraftService>, log: ConversionLog): void {
  const primary = webs.find((app) => app.compose.dependsOn.some((dependency) => webs.some((other) => other !== app && other.compose.name === dependency.service)))
    ?? webs.find((app) => app.compose.ports.some((port) => ['80', '443'].includes(port.published ?? '')))
    ?? webs[0];
  for (const app of webs.filter((candidate) => candidate !== primary)) {
    drafts.get(app)!.path = `/${app.name}/*`;
    log.reasons[`services.${app.name}.path`] = `${primary!.name} takes every other request`;
    log.warn(`${app.name} gets path /${app.name}/* so the load balancer can tell it from ${primary!.name}; the path reaches ${app.name} unchanged, so it must answer under /${app.name}/ (or give it host: ${app.name}.example.com instead)`);
  }
}

function describe(app: AppService, service: DraftService): string {
  if (app.kind !== 'web') return `worker${service.command ? ` (${commandText(service.command)})` : ''}`;
  return `web service on port ${service.port}, health ${service.health?.path ?? DEFAULTS.service.health.path}${service.path ? `, path ${service.path}` : ''}`;
}

/**
 * The file's shape: `service:` for one web service, else `services:` with the build, env and secrets every
 * service shares lifted to the top level.
 */
function shapeDraft(running: readonly AppService[], drafts: ReadonlyMap<AppService, DraftService>, draft: BerthDraft, log: ConversionLog, file: string): void {
  if (running.length === 0) {
    log.warn(`${file} has no service berth can run as the app (no service with build: that runs a server or a worker): write berth.yml's services by hand`);
    return;
  }
  if (running.length === 1 && running[0]!.kind === 'web') {
    const only = running[0]!;
    const build = draftBuild(only.build);
    draft.service = ordered({ ...drafts.get(only)!, ...(Object.keys(build).length > 0 ? { build } : {}) });
    log.moveReasons(`services.${only.name}`, 'service');
    return;
  }
  // The shared build is the one most services use (the first service's on a tie).
  const usage = new Map<string, number>();
  for (const app of running) usage.set(app.key, (usage.get(app.key) ?? 0) + 1);
  const sharedKey = [...usage.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const shared = running.find((app) => app.key === sharedKey)!;
  const sharedBuild = draftBuild(shared.build);
  if (Object.keys(sharedBuild).length > 0) {
    draft.build = sharedBuild;
    log.moveReasons(`services.${shared.name}.build`, 'build');
  }
  const services = running.map((app) => drafts.get(app)!);
  for (const app of running.filter((candidate) => candidate.key !== sharedKey)) {
    const build = draftBuild(app.build);
    drafts.get(app)!.build = Object.keys(build).length > 0 ? build : { context: DEFAULTS.service.build.context };
  }
  if (running.length > 1) {
    const first = running[0]!.name;
    const sharedEnv = Object.entries(services[0]!.env ?? {}).filter(([name, value]) => services.every((service) => service.env?.[name] === value));
    if (sharedEnv.length > 0) {
      draft.env = Object.fromEntries(sharedEnv);
      for (const [name] of sharedEnv) {
        log.reasons[`env.${name}`] = log.reasons[`services.${first}.env.${name}`] ?? '';
        for (const service of services) delete service.env![name];
      }
    }
    const sharedSecrets = (services[0]!.secrets ?? []).filter((name) => services.every((service) => service.secrets?.includes(name)));
    if (sharedSecrets.length > 0) {
      draft.secrets = sharedSecrets;
      for (const name of sharedSecrets) {
        log.reasons[`secrets.${name}`] = log.reasons[`services.${first}.secrets.${name}`] ?? '';
        for (const service of services) service.secrets = service.secrets!.filter((other) => other !== name);
      }
    }
    for (const service of services) {
      if (service.env && Object.keys(service.env).length === 0) delete service.env;
      if (service.secrets && service.secrets.length === 0) delete service.secrets;
    }
  }
  draft.services = Object.fromEntries(running.map((app) => [app.name, ordered(drafts.get(app)!)]));
}

function leaveTopLevelKeys(compose: ComposeProject, log: ConversionLog): void {
  for (const key of compose.topLevelKeys) {
    if (key === 'secrets') continue;
    if (key === 'volumes') {
      log.leave('volumes', "named volumes: the database and cache keep their data in berth's own storage; app services keep no disk (see services.*.volumes)");
      continue;
    }
    log.leave(key, key.startsWith('x-') ? 'an extension field: what services took from it through YAML anchors was read' : TOP_LEVEL_ADVICE[key] ?? 'berth.yml has no equivalent');
  }
  const usedSecrets = new Set(compose.services.flatMap((service) => service.secrets));
  for (const name of Object.keys(compose.secrets).filter((secret) => !usedSecrets.has(secret))) log.leave(`secrets.${name}`, 'no converted service uses it');
}

function draftBuild(build: ComposeBuild): DraftBuild {
  const out: DraftBuild = {};
  if (build.context !== DEFAULTS.service.build.context && !build.remote) out.context = build.context;
  if (build.dockerfile && build.dockerfile !== DEFAULTS.service.build.dockerfile) out.dockerfile = build.dockerfile;
  if (build.target) out.target = build.target;
  if (Object.keys(build.args).length > 0) out.args = { ...build.args };
  return out;
}

/** The service's keys in the order a reader expects them: what it is, how it runs, then its environment. */
function ordered(service: DraftService): DraftService {
  const out: Record<string, unknown> = {};
  for (const key of SERVICE_KEY_ORDER) if (service[key] !== undefined) out[key] = service[key];
  return out as DraftService;
}

function commandText(words: readonly string[]): string {
  return words.map((word) => (/[\s"'$]/.test(word) || word === '' ? JSON.stringify(word) : word)).join(' ');
}
