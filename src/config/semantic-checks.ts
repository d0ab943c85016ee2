/**
 * Rules that relate fields to each other or to the world (files, regions), checked on one
 * environment's merged configuration after the shapes have passed the schema.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isAwsRegion } from './aws-regions.js';
import { DEFAULTS } from './defaults.js';
import { checkDeploy } from './deploy-checks.js';
import { dockerfileFacts } from './dockerfile-facts.js';
import { parseDuration } from './durations.js';
import { describeAllowedMemory, FARGATE_CPU_VALUES, isValidFargateSize } from './fargate.js';
import type { Sections } from './merge-environment.js';
import { DATABASE_URL, PG_VARIABLES, REDIS_URL, serviceUrlVariable } from '../model/connection-variables.js';
import { checkHardening } from './hardening-checks.js';
import { parseJobSchedule } from './job-schedule.js';
import { appImageSource, hasOwnImage, inherited, serviceEntries, serviceKind, type RawService, type ServiceEntry } from './service-entries.js';
import { closestMatch } from './suggest.js';
import { APP_NAME_MAX, APP_NAME_PATTERN, ENV_VAR_PATTERN, LOG_RETENTION_DAYS, POSTGRES_VERSIONS, REDIS_VERSIONS, SERVICE_NAME_MAX, SERVICE_NAME_PATTERN } from './schema.js';
import { quoteForProblem, URL_PATH_HELP, URL_PATH_PATTERN } from './text-formats.js';
import type { FieldProblem } from './zod-problems.js';

export interface SemanticProblem extends FieldProblem {
  /** Other fields the rule reads, for deciding whether an environment override caused it. */
  involves?: PropertyKey[][];
}

export const HOSTNAME_PATTERN = /^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/i;
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CRON_FIELD = /^[0-9A-Za-z*/,\-?]+$/;
const MAX_STICKY_SECONDS = 7 * 86400;

export interface CheckContext {
  /** Folder holding berth.yml; relative paths start here. */
  dir: string;
  env: string;
  production: boolean;
}

export function checkSections(sections: Sections, context: CheckContext): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const add = (path: PropertyKey[], message: string, extra: Partial<SemanticProblem> = {}) => problems.push({ path, message, ...extra });

  if (!APP_NAME_PATTERN.test(sections.app ?? '') || (sections.app ?? '').length > APP_NAME_MAX) {
    add(['app'], `"${sections.app}" is not a valid app name: use 2-${APP_NAME_MAX} lowercase letters, digits and hyphens, starting with a letter (AWS load balancer and target group names derived from it are limited to 32 characters)`, {
      hint: suggestAppName(sections.app ?? ''),
    });
  }
  if (sections.region !== undefined && !isAwsRegion(sections.region)) {
    add(['region'], `"${sections.region}" is not an AWS region`, { hint: 'for example us-east-1, eu-west-1 or ap-southeast-2' });
  }

  checkServices(sections, context, add);

  checkDatabase(sections, add);
  checkCache(sections, add);
  checkDomain(sections, add);
  checkNetwork(sections, add);
  checkDeploy(sections, context, add);
  checkHardening(sections, add);

  if (sections.alarms && sections.alarms.email !== undefined && !EMAIL_PATTERN.test(sections.alarms.email)) {
    add(['alarms', 'email'], `"${sections.alarms.email}" is not an email address`);
  }
  const retention = sections.logs?.retentionDays;
  if (retention !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
    add(['logs', 'retentionDays'], `${retention} is not a CloudWatch Logs retention (allowed: ${LOG_RETENTION_DAYS.join(', ')})`);
  }
  return problems;
}

/** Keys that belong to one kind of service only, with what to do instead. */
const KIND_ONLY_KEYS: Array<{ key: keyof RawService; kinds: ReadonlyArray<'web' | 'worker' | 'job'>; fix: string }> = [
  { key: 'port', kinds: ['web'], fix: 'remove it, or make it kind web' },
  { key: 'path', kinds: ['web'], fix: 'remove it, or make it kind web' },
  { key: 'host', kinds: ['web'], fix: 'remove it, or make it kind web' },
  { key: 'loadBalancer', kinds: ['web'], fix: 'remove it: only web services sit behind the load balancer' },
  { key: 'public', kinds: ['web'], fix: 'remove it: only web services sit behind the load balancer' },
  { key: 'stickySessions', kinds: ['web'], fix: 'remove it: only web services sit behind the load balancer' },
  { key: 'count', kinds: ['web', 'worker'], fix: 'remove it: a job runs one task per scheduled run' },
  { key: 'health', kinds: ['web', 'worker'], fix: 'remove it: a job is healthy when it exits 0' },
  { key: 'schedule', kinds: ['job'], fix: 'remove it, or make it kind job' },
  { key: 'timeout', kinds: ['job'], fix: 'remove it, or make it kind job' },
];

const KIND_WORDS = { web: 'a web service', worker: 'a worker', job: 'a job' } as const;

function checkServices(sections: Sections, context: CheckContext, add: Add): void {
  if (sections.service !== undefined && sections.services !== undefined) {
    add(['services'], 'berth.yml has both `service:` and `services:`; use `service:` for one service or `services:` for several, not both', { atKey: true, involves: [['service']] });
    return;
  }
  const entries = serviceEntries(sections);
  if (entries.length === 0) {
    if (sections.services !== undefined) add(['services'], 'declares no service; add at least one, e.g. `web: { port: 8000 }`');
    else add(['service'], 'is missing: describe the app with `service: { port: 8000 }`, or several services under `services:`', { hint: 'run `berth init` to write a commented berth.yml' });
    return;
  }
  checkSharedKeys(sections, add);
  const reserved = reservedNames(sections, entries);
  const web = entries.filter((entry) => serviceKind(entry) === 'web');
  for (const entry of entries) checkService(sections, context, entry, reserved, web.length, add);
  checkRoutes(sections, web, add);
  checkReleaseTasks(sections, entries, add);
  checkAppImage(sections, entries, context.dir, add);
}

/** Names berth injects, so `env` and `secrets` may not set them. */
function reservedNames(sections: Sections, entries: ServiceEntry[]): string[] {
  const names: string[] = [];
  if (isEnabled(sections.database)) names.push(DATABASE_URL, ...Object.values(PG_VARIABLES));
  if (isEnabled(sections.cache)) names.push(REDIS_URL);
  for (const entry of entries) if (serviceKind(entry) === 'web' && entries.length > 1) names.push(serviceUrlVariable(entry.name));
  return names;
}

function checkSharedKeys(sections: Sections, add: Add): void {
  checkSize(sections.cpu, sections.memory, [], add);
  checkEnvAndSecrets(sections.env, sections.secrets, [], isEnabled(sections.database) || isEnabled(sections.cache) ? reservedNames(sections, []) : [], add);
  for (const name of Object.keys(sections.build?.args ?? {})) {
    if (!ENV_VAR_PATTERN.test(name)) add(['build', 'args', name], 'is not a valid build argument name: use letters, digits and _');
  }
}

function checkSize(cpuValue: number | undefined, memoryValue: number | undefined, base: PropertyKey[], add: Add, inheritedCpu?: number, inheritedMemory?: number): void {
  if (cpuValue === undefined && memoryValue === undefined) return;
  const cpu = cpuValue ?? inheritedCpu ?? DEFAULTS.service.cpu;
  const memory = memoryValue ?? inheritedMemory ?? DEFAULTS.service.memory;
  if (!FARGATE_CPU_VALUES.includes(cpu)) {
    if (cpuValue !== undefined) add([...base, 'cpu'], `${cpu} is not a Fargate CPU value (allowed: ${FARGATE_CPU_VALUES.join(', ')})`);
  } else if (!isValidFargateSize(cpu, memory)) {
    add([...base, 'memory'], `${memory} MiB is not valid with cpu ${cpu} (allowed: ${describeAllowedMemory(cpu)})`, { involves: [[...base, 'cpu']] });
  }
}

function checkEnvAndSecrets(env: RawService['env'], secrets: RawService['secrets'], base: PropertyKey[], reserved: string[], add: Add, otherSecrets: readonly string[] = []): void {
  const seen = new Set<string>();
  const where = base.length ? `${base.join('.')}.env` : 'env';
  (secrets ?? []).forEach((name, index) => {
    if (!ENV_VAR_PATTERN.test(name)) add([...base, 'secrets', index], `"${name}" is not a valid secret name: use letters, digits and _ (it becomes an environment variable)`);
    else if (seen.has(name)) add([...base, 'secrets', index], `"${name}" is listed twice`);
    else if (reserved.includes(name)) add([...base, 'secrets', index], `"${name}" is set by berth (${reservedSource(name)}); remove it from secrets`);
    seen.add(name);
  });
  for (const name of Object.keys(env ?? {})) {
    if (!ENV_VAR_PATTERN.test(name)) add([...base, 'env', name], 'is not a valid environment variable name: use letters, digits and _, not starting with a digit');
    else if (reserved.includes(name)) add([...base, 'env', name], `is set by berth (${reservedSource(name)}); remove it from ${where}`);
    else if (seen.has(name) || otherSecrets.includes(name)) add([...base, 'env', name], 'is also declared as a secret; keep it in one place (secrets for sensitive values)', { involves: [[...base, 'secrets']] });
  }
}

function reservedSource(name: string): string {
  if (name === REDIS_URL) return 'from the cache';
  if (name === DATABASE_URL || (Object.values(PG_VARIABLES) as string[]).includes(name)) return 'from the database';
  return 'the address of another service';
}

function checkService(sections: Sections, context: CheckContext, entry: ServiceEntry, reserved: string[], webCount: number, add: Add): void {
  const { raw, path: base } = entry;
  const kind = serviceKind(entry);
  if (!entry.shorthand && (!SERVICE_NAME_PATTERN.test(entry.name) || entry.name.length > SERVICE_NAME_MAX)) {
    add(base, `"${entry.name}" is not a valid service name: use 1-${SERVICE_NAME_MAX} lowercase letters, digits and hyphens, starting with a letter (it becomes part of AWS and Docker names and of the ${serviceUrlVariable(entry.name.toLowerCase())} variable)`, { atKey: true });
  }
  for (const rule of KIND_ONLY_KEYS) {
    if (raw[rule.key] !== undefined && !rule.kinds.includes(kind)) {
      add([...base, rule.key], `${KIND_WORDS[kind]} has no ${rule.key} (${rule.fix})`, { atKey: true, involves: [[...base, 'kind']] });
    }
  }
  checkSize(raw.cpu, raw.memory, base, add, sections.cpu, sections.memory);
  if (raw.cpu === undefined && raw.memory === undefined) checkSize(sections.cpu, sections.memory, [], add);
  const sharedSecrets = sections.secrets ?? [];
  checkEnvAndSecrets(raw.env, raw.secrets, base, reserved.filter((name) => name !== serviceUrlVariable(entry.name)), add, entry.shorthand ? [] : sharedSecrets);
  if (!entry.shorthand) {
    for (const name of Object.keys(sections.env ?? {})) {
      if (reserved.includes(name) && name !== serviceUrlVariable(entry.name)) add(['env', name], `is set by berth (${reservedSource(name)}); remove it from env`);
    }
  }
  for (const name of Object.keys(raw.build?.args ?? {})) {
    if (!ENV_VAR_PATTERN.test(name)) add([...base, 'build', 'args', name], 'is not a valid build argument name: use letters, digits and _');
  }
  if (hasOwnImage(entry) && (raw.image === undefined || raw.build !== undefined)) checkBuild(raw.build, [...base, 'build'], context.dir, add);

  if (kind === 'web') checkWebService(sections, context, entry, webCount, add);
  else if (kind === 'worker') checkWorker(entry, add);
  else checkJob(entry, add);
  // Production may put tasks on Spot only above an on-demand base that keeps the service answering when Spot is reclaimed.
  const onDemandBase = typeof raw.spot === 'object' ? (raw.spot.base ?? 0) : 0;
  if (raw.spot && context.production && (kind === 'job' || onDemandBase < 1)) {
    add([...base, 'spot'], `Fargate Spot can stop tasks at two minutes' notice; ${kind === 'job' ? 'a job' : 'a service with every task on Spot'} is not allowed in the production environment "${context.env}"`, {
      hint: kind === 'job' ? 'set spot in a non-production environment only' : 'keep an on-demand base, e.g. spot: { base: 1, share: 100 } (1 task always on regular Fargate, the rest on Spot), or set spot in a non-production environment only',
    });
  }
}

function checkWebService(sections: Sections, _context: CheckContext, entry: ServiceEntry, webCount: number, add: Add): void {
  const { raw, path: base } = entry;
  if (raw.port === undefined) add([...base, 'port'], "is missing: a web service needs the port it listens on (e.g. port: 8000), or make it kind worker", { atKey: false });
  const health = raw.health ?? {};
  if (health.command !== undefined) add([...base, 'health', 'command'], 'a web service is checked over HTTP: use health.path (a command check is for workers)', { atKey: true });
  const path = health.path ?? DEFAULTS.service.health.path;
  if (!path.startsWith('/')) add([...base, 'health', 'path'], `${quoteForProblem(path)} must start with "/"`, URL_PATH_PATTERN.test(`/${path}`) ? { hint: `did you mean "/${path}"?` } : {});
  else if (!URL_PATH_PATTERN.test(path)) add([...base, 'health', 'path'], `${quoteForProblem(path)} is not a URL path: ${URL_PATH_HELP}`);
  const interval = health.interval ?? DEFAULTS.service.health.interval;
  const timeout = health.timeout ?? DEFAULTS.service.health.timeout;
  if (timeout >= interval) {
    add([...base, 'health', 'timeout'], `${timeout}s must be less than the interval (${interval}s)`, { involves: [[...base, 'health', 'interval']] });
  }
  checkCount(raw, base, add);

  const sticky = raw.stickySessions ?? false;
  if (sticky !== false) {
    const seconds = parseDuration(sticky);
    if (seconds === undefined || seconds < 1 || seconds > MAX_STICKY_SECONDS) add([...base, 'stickySessions'], `"${sticky}" is out of range (expected a duration from 1s to 7d, such as 1h)`);
  }
  const loadBalancer = raw.loadBalancer ?? DEFAULTS.service.loadBalancer;
  if (!loadBalancer) {
    const lbPath = [...base, 'loadBalancer'];
    const where = base.join('.');
    if (webCount > 1) add(lbPath, `false is only possible for an app's single web service: ${webCount} web services share one load balancer`, { involves: [['services']] });
    if (sticky !== false) add([...base, 'stickySessions'], `needs the load balancer (${where}.loadBalancer: true)`, { involves: [lbPath] });
    if (sections.domain) add(['domain'], `HTTPS on a domain needs the load balancer (${where}.loadBalancer: true)`, { involves: [lbPath] });
    if (raw.public === false) add([...base, 'public'], 'false needs the load balancer: an internal service is reached through an internal load balancer', { involves: [lbPath] });
    if (typeof raw.count === 'object' ? (raw.count.max ?? 1) > 1 : (raw.count ?? 1) > 1) {
      add([...base, 'count'], `without a load balancer berth runs exactly one task; set ${where}.loadBalancer: true for more`, { involves: [lbPath] });
    }
    if (typeof sections.network === 'object' && sections.network?.tasks === 'private') {
      add(['network', 'tasks'], `private tasks without a load balancer cannot be reached; set ${where}.loadBalancer: true`, { involves: [lbPath] });
    }
  }
}

function checkWorker(entry: ServiceEntry, add: Add): void {
  const { raw, path: base } = entry;
  const health = raw.health;
  if (health) {
    if (health.path !== undefined) add([...base, 'health', 'path'], 'a worker has no HTTP endpoint: check it with health.command (a command that exits 0 when healthy), or leave health out', { atKey: true });
    if (health.healthyThreshold !== undefined) add([...base, 'health', 'healthyThreshold'], 'applies to load balancer checks only; a worker has none', { atKey: true });
    if (health.container !== undefined) add([...base, 'health', 'container'], 'applies to a web service\'s HTTP check only; a worker\'s health.command runs as written, without a shell', { atKey: true });
    if (health.command === undefined && health.path === undefined) add([...base, 'health'], 'a worker\'s health check needs a command, e.g. health: { command: [celery, -A, app, inspect, ping] }');
    const interval = health.interval ?? DEFAULTS.worker.health.interval;
    const timeout = health.timeout ?? DEFAULTS.worker.health.timeout;
    if (timeout >= interval) add([...base, 'health', 'timeout'], `${timeout}s must be less than the interval (${interval}s)`, { involves: [[...base, 'health', 'interval']] });
  }
  checkCount(raw, base, add);
  if (typeof raw.count === 'object' && raw.count.requests !== undefined) {
    add([...base, 'count', 'requests'], 'a worker takes no requests from the load balancer; scale it on cpu or memory', { atKey: true });
  }
}

function checkJob(entry: ServiceEntry, add: Add): void {
  const { raw, path: base } = entry;
  if (raw.schedule === undefined) {
    add([...base, 'schedule'], 'is missing: a job needs a schedule such as "*/15 * * * *" (UTC cron) or rate(15 minutes)');
  } else {
    const parsed = parseJobSchedule(raw.schedule);
    if (!parsed.ok) add([...base, 'schedule'], parsed.message);
    else if (parsed.schedule.kind === 'rate' && parsed.schedule.unit === 'minute' && parsed.schedule.value < 1) add([...base, 'schedule'], 'runs more often than once a minute');
  }
  if (raw.timeout !== undefined) {
    const seconds = parseDuration(raw.timeout);
    if (seconds === undefined || seconds < 60 || seconds > 86400 * 14) add([...base, 'timeout'], `"${raw.timeout}" is out of range (expected a duration from 1m to 14d, such as 10m)`);
  }
}

const PATH_PATTERN = /^\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*$/;

/** Path and host routes: one default web service at most, no two services on the same route, valid patterns. */
function checkRoutes(sections: Sections, web: ServiceEntry[], add: Add): void {
  const defaults = web.filter((entry) => entry.raw.path === undefined && entry.raw.host === undefined);
  if (web.length > 1 && defaults.length > 1) {
    const names = defaults.map((entry) => entry.name);
    add([...defaults[1]!.path], `web services ${names.join(' and ')} both take every request: give all but one a path (e.g. path: /api/*) or a host`, { atKey: true });
  }
  const seen = new Map<string, string>();
  for (const entry of web) {
    const { path, host } = entry.raw;
    if (path !== undefined && (!PATH_PATTERN.test(path) || path.length > 128)) {
      add([...entry.path, 'path'], `"${path}" is not a path pattern: start with "/", use URL path characters and the wildcards * and ?, at most 128 characters (e.g. /api/*)`);
    }
    if (host !== undefined && !HOSTNAME_PATTERN.test(host.replace(/^\*\./, 'wildcard.'))) {
      add([...entry.path, 'host'], `"${host}" is not a host name (expected something like api.example.com, without https:// or a path)`);
    }
    const key = `${host ?? '*'} ${path ?? '*'}`;
    const other = seen.get(key);
    if (other && (path !== undefined || host !== undefined)) add([...entry.path, path !== undefined ? 'path' : 'host'], `is the same route as service ${other}; each route goes to one service`);
    seen.set(key, entry.name);
    if (web.length === 1 && (path !== undefined || host !== undefined) && sections.services === undefined) {
      // A single service with a route would leave every other request unanswered.
      add([...entry.path, path !== undefined ? 'path' : 'host'], 'the only web service takes every request; a route is for a second web service', { atKey: true });
    }
  }
}

function checkReleaseTasks(sections: Sections, entries: ServiceEntry[], add: Add): void {
  const before = sections.release?.before;
  if (before === undefined || Array.isArray(before)) return;
  if (before.service !== undefined) {
    const entry = entries.find((candidate) => candidate.name === before.service);
    if (!entry) {
      const names = entries.map((candidate) => candidate.name);
      const suggestion = closestMatch(before.service, names);
      add(['release', 'before', 'service'], `"${before.service}" is not a service of this app (services: ${names.join(', ')})`, suggestion ? { hint: `did you mean "${suggestion}"?` } : {});
    }
  }
}

/** The app image's build, when a service uses it. */
function checkAppImage(sections: Sections, entries: ServiceEntry[], dir: string, add: Add): void {
  const sharing = entries.filter((entry) => !hasOwnImage(entry));
  if (sharing.length === 0) return;
  const arches = new Set(sharing.map((entry) => inherited(sections, entry, 'arch').value ?? DEFAULTS.service.arch));
  if (arches.size > 1) {
    const odd = sharing.find((entry) => entry.raw.arch !== undefined && entry.raw.arch !== (sections.arch ?? DEFAULTS.service.arch)) ?? sharing[1]!;
    add([...odd.path, 'arch'], 'differs from the other services that share the app image (one image is built for one architecture): set arch at the top level, or give this service its own build', { atKey: true });
  }
  const source = appImageSource(sections);
  if (source.image !== undefined && source.build === undefined) return;
  checkBuild(source.build, [...source.path, 'build'], dir, add);
}

type Add = (path: PropertyKey[], message: string, extra?: Partial<SemanticProblem>) => void;

function isEnabled(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

function suggestAppName(name: string): string | undefined {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, APP_NAME_MAX).replace(/-+$/, '');
  return cleaned.length >= 2 && cleaned !== name ? `try "${cleaned}"` : undefined;
}

function checkCount(service: RawService, base: PropertyKey[], add: Add): void {
  const count = service.count;
  if (count === undefined || typeof count === 'number') return;
  const min = count.min ?? 1;
  const max = count.max ?? Math.max(min, 1);
  if (min > max) add([...base, 'count', 'min'], `${min} is greater than max (${max})`, { involves: [[...base, 'count', 'max']] });
  if (count.requests !== undefined && service.loadBalancer === false) {
    add([...base, 'count', 'requests'], `scaling on requests needs the load balancer (${base.join('.')}.loadBalancer: true)`, { involves: [[...base, 'loadBalancer']] });
  }
  (count.schedule ?? []).forEach((entry, index) => {
    const fields = entry.cron.trim().split(/\s+/);
    if (fields.length !== 5 || !fields.every((field) => CRON_FIELD.test(field))) {
      add([...base, 'count', 'schedule', index, 'cron'], `"${entry.cron}" is not a five-field cron expression (minute hour day-of-month month day-of-week, UTC), e.g. "0 20 * * 1-5"`);
    } else if (fields[2] !== '*' && fields[2] !== '?' && fields[4] !== '*' && fields[4] !== '?') {
      add([...base, 'count', 'schedule', index, 'cron'], `"${entry.cron}" sets both day-of-month and day-of-week; AWS schedules allow only one of them`);
    }
    if (entry.min === undefined && entry.max === undefined) add([...base, 'count', 'schedule', index], 'needs min, max or both');
    if (entry.min !== undefined && entry.max !== undefined && entry.min > entry.max) add([...base, 'count', 'schedule', index, 'min'], `${entry.min} is greater than max (${entry.max})`);
  });
}

function checkBuild(build: RawService['build'], buildPath: PropertyKey[], dir: string, add: Add): void {
  const context = resolve(dir, build?.context ?? DEFAULTS.service.build.context);
  const at = buildPath.slice(0, -1);
  const prefix = at.length ? `${at.join('.')}.` : '';
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    add([...buildPath, 'context'], `folder ${shown(context)} does not exist (the build context is relative to berth.yml)`);
    return;
  }
  const project = realpathSync(dir);
  const realContext = realpathSync(context);
  if (!isInside(project, realContext)) {
    add([...buildPath, 'context'], outsideProject(context, realContext, project), {
      hint: 'move berth.yml to the top folder of what it builds, or point the context at a folder inside it',
    });
    return;
  }
  const dockerfile = resolve(context, build?.dockerfile ?? DEFAULTS.service.build.dockerfile);
  if (!existsSync(dockerfile)) {
    add([...buildPath, 'dockerfile'], `${shown(dockerfile)} does not exist`, {
      hint: `add a Dockerfile, set ${prefix}build.dockerfile, or set ${prefix}image to run a pushed image`,
    });
    return;
  }
  const realDockerfile = realpathSync(dockerfile);
  if (!isInside(project, realDockerfile)) {
    add([...buildPath, 'dockerfile'], outsideProject(dockerfile, realDockerfile, project), {
      hint: 'keep the Dockerfile inside the folder of berth.yml; the path is relative to the build context',
    });
    return;
  }
  const facts = dockerfileFacts(realDockerfile, build?.target);
  if (!facts.dockerfile) {
    add([...buildPath, 'dockerfile'], `${shown(dockerfile)} is not a Dockerfile: ${facts.reason}`, { hint: `name the Dockerfile in ${prefix}build.dockerfile` });
  }
}

function outsideProject(path: string, real: string, project: string): string {
  const where = real === path ? shown(path) : `${shown(path)} leads to ${real}, which`;
  return `${where} is outside the folder of berth.yml (${project}); berth builds only from files inside it`;
}

/** Whether `path` is `folder` or inside it (both already resolved through symbolic links). */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Paths as the user would type them from where berth runs. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function checkDatabase(sections: Sections, add: Add): void {
  const db = sections.database;
  if (!db || typeof db !== 'object') return;
  if (db.storage !== undefined && (db.storage < 20 || db.storage > 65536)) add(['database', 'storage'], `${db.storage} GiB is out of range (RDS gp3 storage: 20-65536 GiB)`);
  if (db.backupDays !== undefined && (db.backupDays < 0 || db.backupDays > 35)) add(['database', 'backupDays'], `${db.backupDays} is out of range (RDS keeps automated backups for 0-35 days)`);
  if (db.version !== undefined && !(POSTGRES_VERSIONS as readonly string[]).includes(String(db.version))) {
    add(['database', 'version'], `${JSON.stringify(db.version)} is not a supported PostgreSQL major version (allowed: ${POSTGRES_VERSIONS.join(', ')})`);
  }
}

function checkCache(sections: Sections, add: Add): void {
  const cache = sections.cache;
  if (!cache || typeof cache !== 'object') return;
  if (cache.version !== undefined && !(REDIS_VERSIONS as readonly string[]).includes(String(cache.version))) {
    add(['cache', 'version'], `${JSON.stringify(cache.version)} is not a supported Redis version (allowed: ${REDIS_VERSIONS.join(', ')}; quote it, e.g. "7.0")`);
  }
}

function checkDomain(sections: Sections, add: Add): void {
  const domain = sections.domain;
  if (!domain || typeof domain !== 'object') return;
  const path = ['domain', 'name'];
  if (!HOSTNAME_PATTERN.test(domain.name)) {
    add(path, `"${domain.name}" is not a hostname (expected something like api.example.com, without https:// or a path)`);
    return;
  }
  if (domain.zone !== undefined && domain.name !== domain.zone && !domain.name.endsWith(`.${domain.zone}`)) {
    add(['domain', 'zone'], `"${domain.zone}" is not a parent of ${domain.name}`);
  }
}

function checkNetwork(sections: Sections, add: Add): void {
  const network = sections.network;
  if (!network || typeof network !== 'object') return;
  const zones = network.zones;
  if (zones === undefined) return;
  if (zones.length < 2) add(['network', 'zones'], 'needs at least 2 availability zones (the load balancer and the database subnet group require two)');
  zones.forEach((zone, index) => {
    if (sections.region && !zone.startsWith(sections.region)) add(['network', 'zones', index], `"${zone}" is not in region ${sections.region}`, { involves: [['region']] });
    else if (!/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/.test(zone)) add(['network', 'zones', index], `"${zone}" is not an availability zone name such as us-east-1a`);
  });
}
