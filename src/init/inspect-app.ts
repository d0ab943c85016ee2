/**
 * What `berth init` learns from an app folder, each value with the reason it was chosen
 * ("port 8000: from EXPOSE 8000 in Dockerfile (line 12)"). Pure: it reads only ProjectFiles.
 */
import type { DockerfileInfo } from '../build/dockerfile.js';
import { buildKitFeatures, parseDockerfile } from '../build/dockerfile.js';
import { DEFAULTS } from '../config/defaults.js';
import { appNameFromFolder } from './app-name.js';
import { detectBackingServices } from './backing-services.js';
import { COMMON_COMPOSE_HOSTNAMES, connectionAdvice, findComposeHostnames, hostnameKind } from './compose-hostnames.js';
import { readDependencies } from './dependencies.js';
import { findEnvReads, looksSecret } from './env-reads.js';
import type { DetectedFramework } from './frameworks.js';
import { detectFramework } from './frameworks.js';
import { findHealthRoutes } from './health-routes.js';
import { findCodePort, listenWarnings } from './listen-address.js';
import type { ProjectFiles } from './project-files.js';

export interface Finding<T> {
  value: T;
  /** Why, for a person: "from EXPOSE 8000 in Dockerfile (line 12)". */
  reason: string;
}

/** Health check timing carried over from the Dockerfile's HEALTHCHECK, in berth.yml's terms. */
export interface HealthTiming {
  interval?: number;
  timeout?: number;
  unhealthyThreshold?: number;
  gracePeriod?: number;
  reason: string;
}

export interface AppInspection {
  appName: Finding<string>;
  /** The Dockerfile berth will build, relative to the folder; absent when there is none. */
  dockerfile?: { path: string; info: DockerfileInfo };
  framework?: DetectedFramework;
  /** guessed: nothing in the folder named a port. */
  port: Finding<number> & { guessed: boolean };
  healthPath: Finding<string> & { fromDefault: boolean };
  healthTiming?: HealthTiming;
  stickySessions?: Finding<string>;
  database?: Finding<'postgres'>;
  cache?: Finding<'redis'>;
  /** Names the code reads that look like secrets. */
  secrets: Array<Finding<string>>;
  /** Other variables the code reads, which may belong under service.env. */
  otherEnv: string[];
  /** Things that will stop the app working as found. */
  warnings: string[];
  /** Things worth knowing that do not stop it. */
  notes: string[];
}

/** Variables the platform, the base image or berth sets: not worth proposing. */
const PLATFORM_ENV = /^(PORT|HOST|HOSTNAME|PATH|HOME|PWD|USER|LANG|TZ|NODE_ENV|RAILS_ENV|RACK_ENV|FLASK_APP|FLASK_ENV|FLASK_DEBUG|DJANGO_SETTINGS_MODULE|PYTHON\w*|NEXT_RUNTIME|NEXT_PHASE|VERCEL\w*|CI|DATABASE_URL|REDIS_URL|PG(HOST|PORT|DATABASE|USER|PASSWORD)|AWS_\w+|ECS_\w+|RAILS_MAX_THREADS|WEB_CONCURRENCY|RAILS_LOG_TO_STDOUT|RAILS_SERVE_STATIC_FILES|STREAMLIT_\w+)$/;

/** The Dockerfile to build: ./Dockerfile first, then ./Containerfile, Dockerfile.prod-like names, then one in a subfolder. */
export function chooseDockerfile(paths: readonly string[]): string | undefined {
  const rank = (path: string): number => {
    const depth = path.split('/').length - 1;
    const name = path.split('/').at(-1)!;
    if (depth > 2) return -1;
    let score: number;
    if (name === 'Dockerfile') score = 0;
    else if (name === 'Containerfile') score = 1;
    else if (/^Dockerfile\.(prod|production|release)$/i.test(name)) score = 2;
    else if (/^(Dockerfile\.[\w-]+|[\w-]+\.[Dd]ockerfile)$/.test(name) && !/dev|test|local|\.(md|txt|rst|bak|orig)$/i.test(name)) score = 3;
    else return -1;
    return depth * 10 + score;
  };
  return paths.filter((path) => rank(path) >= 0).sort((a, b) => rank(a) - rank(b))[0];
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));

function healthTimingFrom(info: DockerfileInfo): HealthTiming | undefined {
  const check = info.healthcheck;
  if (!check || check.disabled) return undefined;
  return healthTimingFromCheck(check, `from the Dockerfile's HEALTHCHECK (line ${check.line})`);
}

/** A health check's timing (Dockerfile HEALTHCHECK or compose healthcheck, in seconds) in berth.yml's ranges. */
export function healthTimingFromCheck(check: { interval?: number; timeout?: number; retries?: number; startPeriod?: number }, reason: string): HealthTiming | undefined {
  const timing: HealthTiming = { reason };
  const interval = check.interval !== undefined ? clamp(check.interval, 5, 300) : undefined;
  if (interval !== undefined) timing.interval = interval;
  if (check.timeout !== undefined) {
    const timeout = clamp(check.timeout, 2, 120);
    if (timeout < (interval ?? DEFAULTS.service.health.interval)) timing.timeout = timeout;
  }
  if (check.retries !== undefined) timing.unhealthyThreshold = clamp(check.retries, 2, 10);
  if (check.startPeriod !== undefined) timing.gracePeriod = clamp(check.startPeriod, 0, 3600);
  return Object.keys(timing).length > 1 ? timing : undefined;
}

function choosePort(info: DockerfileInfo | undefined, dockerfilePath: string, detected: DetectedFramework | undefined, project: ProjectFiles, warnings: string[], known?: Finding<number>): AppInspection['port'] {
  const codePort = findCodePort(project);
  const candidates: Array<{ port: number; reason: string }> = known ? [{ port: known.value, reason: known.reason }] : [];
  const commandPort = info?.commandPort;
  if (commandPort && !commandPort.evidence.startsWith('ENV ')) {
    candidates.push({ port: commandPort.port, reason: `from \`${commandPort.evidence}\` in the ${dockerfilePath} command (line ${commandPort.line})` });
  }
  const exposed = info?.expose.find((port) => port.protocol === 'tcp');
  if (exposed) candidates.push({ port: exposed.port, reason: `from EXPOSE ${exposed.text} in ${dockerfilePath} (line ${exposed.line})` });
  if (commandPort && commandPort.evidence.startsWith('ENV ')) candidates.push({ port: commandPort.port, reason: `from ${commandPort.evidence} in ${dockerfilePath} (line ${commandPort.line})` });
  if (codePort) candidates.push({ port: codePort.port, reason: `from \`${codePort.evidence}\` in ${codePort.file}:${codePort.line}` });
  if (info?.healthcheck?.port) candidates.push({ port: info.healthcheck.port, reason: `from the port the HEALTHCHECK requests in ${dockerfilePath} (line ${info.healthcheck.line})` });
  const runsGunicorn = [...(info?.cmd?.words ?? []), ...(info?.entrypoint?.words ?? [])].some((word) => /(^|\/|\s)gunicorn(\s|$)/.test(word));
  if (runsGunicorn) candidates.push({ port: 8000, reason: "gunicorn's default port (the Dockerfile starts gunicorn without a port)" });
  if (detected) candidates.push({ port: detected.framework.defaultPort, reason: `${detected.framework.defaultPortReason}; nothing in the folder names another` });
  const chosen = candidates[0];
  if (!chosen) return { value: 8080, reason: 'nothing in the folder names a port (no EXPOSE, no --port flag, no known framework): 8080 is a guess, check it', guessed: true };
  // Say when the evidence disagrees: EXPOSE is only documentation, the server's own flags win.
  if (commandPort && exposed && info!.expose.every((port) => port.port !== chosen.port)) {
    warnings.push(`${dockerfilePath} says EXPOSE ${exposed.port} (line ${exposed.line}) but the server listens on ${chosen.port}; berth uses ${chosen.port} — update EXPOSE to match`);
  }
  // The code's port matters only when no server flag overrides it and no ENV PORT feeds it.
  const portFromEnv = codePort && /PORT/.test(codePort.evidence) && info?.env.includes('PORT');
  const flagsWin = commandPort && !commandPort.evidence.startsWith('ENV ');
  if (codePort && codePort.port !== chosen.port && !portFromEnv && !flagsWin) {
    warnings.push(`${codePort.file}:${codePort.line} listens on ${codePort.port} (\`${codePort.evidence}\`) but berth uses ${chosen.port} ${chosen.reason}; make them agree (set ENV PORT in the Dockerfile, or change service.port)`);
  }
  if (info?.healthcheck?.port && info.healthcheck.port !== chosen.port) {
    warnings.push(`the HEALTHCHECK in ${dockerfilePath} (line ${info.healthcheck.line}) requests port ${info.healthcheck.port}, but the app listens on ${chosen.port}`);
  }
  return { value: chosen.port, reason: chosen.reason, guessed: false };
}

function chooseHealthPath(info: DockerfileInfo | undefined, dockerfilePath: string, detected: DetectedFramework | undefined, project: ProjectFiles, notes: string[]): AppInspection['healthPath'] {
  const routes = findHealthRoutes(project);
  const route = routes[0];
  const check = info?.healthcheck;
  if (check && !check.disabled && check.path) {
    if (route && route.path !== check.path && check.path === '/') {
      notes.push(`the code has a health route ${route.path} (${route.file}:${route.line}) but the Dockerfile's HEALTHCHECK requests /; berth uses ${check.path} as the HEALTHCHECK does`);
    }
    return { value: check.path, reason: `the path the HEALTHCHECK in ${dockerfilePath} requests (line ${check.line})`, fromDefault: false };
  }
  if (route) return { value: route.path, reason: route.reason, fromDefault: false };
  const builtIn = detected?.framework.builtInHealth;
  if (builtIn) return { value: builtIn.path, reason: builtIn.reason, fromDefault: false };
  const name = detected ? `${detected.framework.name} ` : '';
  return {
    value: DEFAULTS.service.health.path,
    reason: `no health route found in the ${name}code, so berth checks ${DEFAULTS.service.health.path} (the default); a /health route that answers 200 without touching the database is better`,
    fromDefault: true,
  };
}

/** Framework settings that make a load balancer's health check fail although the app works in a browser. */
export function frameworkHealthNotes(detected: DetectedFramework | undefined, healthPath: string, project: ProjectFiles): string[] {
  const notes: string[] = [];
  if (detected?.framework.id === 'django') {
    for (const path of project.paths.filter((candidate) => /(^|\/)settings(\/[^/]+)?\.py$/.test(candidate))) {
      const hosts = /^ALLOWED_HOSTS\s*=\s*(.*)$/m.exec(project.read(path) ?? '');
      if (hosts && !hosts[1]!.includes('*')) {
        notes.push(`${path} limits ALLOWED_HOSTS: Django answers 400 to health checks that use the task's IP as Host; allow it (e.g. add the task IP at start-up, or exempt ${healthPath} in a middleware)`);
      }
    }
  }
  if (detected?.framework.id === 'rails') {
    const production = project.read('config/environments/production.rb') ?? '';
    const active = (pattern: RegExp) => production.split('\n').some((line) => !/^\s*#/.test(line) && pattern.test(line));
    if (active(/config\.hosts\s*(<<|=)/) && !active(/host_authorization/)) {
      notes.push(`config/environments/production.rb sets config.hosts: Rails answers 403 to health checks that use the task's IP as Host; add config.host_authorization = { exclude: ->(request) { request.path == "${healthPath}" } }`);
    }
    if (active(/config\.force_ssl\s*=\s*true/) && !active(/ssl_options/)) {
      notes.push(`config/environments/production.rb sets force_ssl: health checks over HTTP get a redirect, not 200; add config.ssl_options = { redirect: { exclude: ->(request) { request.path == "${healthPath}" } } }`);
    }
  }
  return notes;
}

export interface InspectOptions {
  /** The folder's own name, for the app name. */
  folderName: string;
  /** The name of the folder holding it: the app name starts with it when the folder's name is generic (shop/app -> shop-app). */
  parentName?: string;
  /** The Dockerfile to read (relative to the folder) instead of looking for one, e.g. from a compose file's build. */
  dockerfile?: string;
  /** The stage that is built, e.g. a compose file's build.target; default: the last one. */
  target?: string;
  /** The port the app listens on when something else already says so (a compose file's ports). */
  port?: Finding<number>;
  /** Compose hostnames to look for in the code; false: do not look (the caller does). Default: the common ones. */
  hostnames?: readonly string[] | false;
}

/** Say which BuildKit-only features a Dockerfile uses and what happens without BuildKit. */
export function buildKitNote(dockerfilePath: string, text: string): string | undefined {
  const features = buildKitFeatures(text);
  if (features.length === 0) return undefined;
  const list = features.map((item) => `${item.feature} on line ${item.line}`).join(', ');
  return `${dockerfilePath} needs BuildKit (${list}): Docker 23 and later build with BuildKit by default; with an older engine or DOCKER_BUILDKIT=0 the build fails with errors such as \`unknown instruction\` or \`unknown flag: mount\` (set DOCKER_BUILDKIT=1, or update the engine)`;
}

/** Warnings for code that connects to compose hostnames, with what to read instead. */
export function hostnameWarnings(uses: ReadonlyArray<{ hostname: string; file: string; line: number; evidence: string }>, kindOf: (hostname: string) => 'database' | 'cache' | undefined = hostnameKind): string[] {
  return uses.map((use) => `${use.file}:${use.line} connects to the host "${use.hostname}" (\`${use.evidence}\`): that name exists only on a docker compose network; ${connectionAdvice(kindOf(use.hostname))}`);
}

export function inspectApp(project: ProjectFiles, options: InspectOptions): AppInspection {
  const warnings: string[] = [];
  const notes: string[] = [];
  const dockerfilePath = options.dockerfile ?? chooseDockerfile(project.paths);
  const dockerfileText = dockerfilePath ? project.read(dockerfilePath) : undefined;
  const info = dockerfileText !== undefined ? parseDockerfile(dockerfileText, options.target ? { target: options.target } : {}) : undefined;
  if (!dockerfilePath) {
    warnings.push('no Dockerfile in this folder: berth builds the image from one, so `berth validate` fails until you add it (or set service.image to a pushed image)');
  } else if (info) {
    for (const warning of info.warnings) notes.push(`${dockerfilePath} ${warning}`);
    if (!options.dockerfile && dockerfilePath !== DEFAULTS.service.build.dockerfile) notes.push(`using ${dockerfilePath} (no ./Dockerfile); berth.yml names it in service.build.dockerfile`);
    const buildKit = buildKitNote(dockerfilePath, dockerfileText!);
    if (buildKit) notes.push(buildKit);
  }

  const deps = readDependencies(project);
  const detected = detectFramework(deps, project, info);
  const port = choosePort(info, dockerfilePath ?? 'Dockerfile', detected, project, warnings, options.port);
  if (port.guessed) warnings.push(port.reason);
  const healthPath = chooseHealthPath(info, dockerfilePath ?? 'Dockerfile', detected, project, notes);
  const healthTiming = info ? healthTimingFrom(info) : undefined;
  notes.push(...frameworkHealthNotes(detected, healthPath.value, project));
  warnings.push(...listenWarnings(info, project));

  if (info?.finalStage) {
    if (!info.user) notes.push(`the image runs as root (no USER in the final stage of ${dockerfilePath}); a non-root USER limits what a compromised app can do`);
    else if (info.user.root) notes.push(`the image runs as root (USER ${info.user.value}, ${dockerfilePath} line ${info.user.line}); a non-root USER limits what a compromised app can do`);
  }

  const services = detectBackingServices(deps, project);
  notes.push(...services.notes);
  const envReads = findEnvReads(project);
  const secrets: Array<Finding<string>> = envReads.filter((read) => looksSecret(read.name)).map((read) => ({ value: read.name, reason: `\`${read.evidence}\` in ${read.file}:${read.line}` }));
  if (detected?.framework.id === 'rails' && project.paths.includes('config/credentials.yml.enc') && !secrets.some((secret) => secret.value === 'RAILS_MASTER_KEY')) {
    secrets.push({ value: 'RAILS_MASTER_KEY', reason: 'Rails needs it to read config/credentials.yml.enc in production' });
  }
  for (const secret of secrets) {
    if (info?.env.includes(secret.value)) warnings.push(`${dockerfilePath} sets ENV ${secret.value}: a value in ENV stays in the image for anyone who pulls it; remove it there, berth injects it as a secret`);
  }
  const cache = services.cache ?? (envReads.some((read) => read.name === 'REDIS_URL') ? { reason: 'the code reads REDIS_URL' } : undefined);
  const databaseUrl = envReads.find((read) => read.name === 'DATABASE_URL');
  if (!services.database && databaseUrl) {
    notes.push(`the code reads DATABASE_URL (${databaseUrl.file}:${databaseUrl.line}) but no PostgreSQL driver was found; with \`database: postgres\` berth sets it`);
  }
  const otherEnv = envReads.map((read) => read.name).filter((name) => !looksSecret(name) && !PLATFORM_ENV.test(name));
  if (options.hostnames !== false) warnings.push(...hostnameWarnings(findComposeHostnames(project, options.hostnames ?? COMMON_COMPOSE_HOSTNAMES)));

  const sticky = detected?.framework.stickySessions;
  return {
    appName: appNameFromFolder(options.folderName, options.parentName),
    ...(dockerfilePath && info ? { dockerfile: { path: dockerfilePath, info } } : {}),
    ...(detected ? { framework: detected } : {}),
    port,
    healthPath,
    ...(healthTiming ? { healthTiming } : {}),
    ...(sticky ? { stickySessions: { value: sticky.duration, reason: sticky.reason } } : {}),
    ...(services.database ? { database: { value: 'postgres' as const, reason: services.database.reason } } : {}),
    ...(cache ? { cache: { value: 'redis' as const, reason: cache.reason } } : {}),
    secrets,
    otherEnv,
    warnings,
    notes,
  };
}
