/**
 * Rules that relate fields to each other or to the world (files, regions), checked on one
 * environment's merged configuration after the shapes have passed the schema.
 */
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { isAwsRegion } from './aws-regions.js';
import { DEFAULTS } from './defaults.js';
import { parseDuration } from './durations.js';
import { describeAllowedMemory, FARGATE_CPU_VALUES, isValidFargateSize } from './fargate.js';
import type { Sections } from './merge-environment.js';
import { reservedEnvNames } from './model.js';
import { APP_NAME_MAX, APP_NAME_PATTERN, ENV_VAR_PATTERN, LOG_RETENTION_DAYS, POSTGRES_VERSIONS, REDIS_VERSIONS } from './schema.js';
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

  const service = sections.service ?? ({} as NonNullable<Sections['service']>);
  const cpu = service.cpu ?? DEFAULTS.service.cpu;
  const memory = service.memory ?? DEFAULTS.service.memory;
  if (!FARGATE_CPU_VALUES.includes(cpu)) {
    add(['service', 'cpu'], `${cpu} is not a Fargate CPU value (allowed: ${FARGATE_CPU_VALUES.join(', ')})`);
  } else if (!isValidFargateSize(cpu, memory)) {
    add(['service', 'memory'], `${memory} MiB is not valid with cpu ${cpu} (allowed: ${describeAllowedMemory(cpu)})`, { involves: [['service', 'cpu']] });
  }

  const health = service.health ?? {};
  const path = health.path ?? DEFAULTS.service.health.path;
  if (!path.startsWith('/')) add(['service', 'health', 'path'], `"${path}" must start with "/"`, { hint: `did you mean "/${path}"?` });
  const interval = health.interval ?? DEFAULTS.service.health.interval;
  const timeout = health.timeout ?? DEFAULTS.service.health.timeout;
  if (timeout >= interval) {
    add(['service', 'health', 'timeout'], `${timeout}s must be less than the interval (${interval}s)`, { involves: [['service', 'health', 'interval']] });
  }

  checkCount(service, add);

  const secrets = service.secrets ?? [];
  const reserved = reservedEnvNames({ database: isEnabled(sections.database) ? ({} as never) : null, cache: isEnabled(sections.cache) ? ({} as never) : null });
  const seen = new Set<string>();
  secrets.forEach((name, index) => {
    if (!ENV_VAR_PATTERN.test(name)) add(['service', 'secrets', index], `"${name}" is not a valid secret name: use letters, digits and _ (it becomes an environment variable)`);
    else if (seen.has(name)) add(['service', 'secrets', index], `"${name}" is listed twice`);
    else if (reserved.includes(name)) add(['service', 'secrets', index], `"${name}" is set by berth from the database or cache; remove it from secrets`);
    seen.add(name);
  });
  for (const name of Object.keys(service.env ?? {})) {
    if (!ENV_VAR_PATTERN.test(name)) add(['service', 'env', name], 'is not a valid environment variable name: use letters, digits and _, not starting with a digit');
    else if (reserved.includes(name)) add(['service', 'env', name], `is set by berth from the ${name.startsWith('REDIS') ? 'cache' : 'database'}; remove it from service.env`);
    else if (seen.has(name)) add(['service', 'env', name], 'is also declared as a secret; keep it in one place (secrets for sensitive values)', { involves: [['service', 'secrets']] });
  }
  for (const name of Object.keys(service.build?.args ?? {})) {
    if (!ENV_VAR_PATTERN.test(name)) add(['service', 'build', 'args', name], 'is not a valid build argument name: use letters, digits and _');
  }

  if (service.image === undefined || service.build !== undefined) checkBuild(service, context.dir, add);

  const sticky = service.stickySessions ?? false;
  if (sticky !== false) {
    const seconds = parseDuration(sticky);
    if (seconds === undefined || seconds < 1 || seconds > MAX_STICKY_SECONDS) add(['service', 'stickySessions'], `"${sticky}" is out of range (expected a duration from 1s to 7d, such as 1h)`);
  }
  const loadBalancer = service.loadBalancer ?? DEFAULTS.service.loadBalancer;
  if (!loadBalancer) {
    const lbPath = ['service', 'loadBalancer'];
    if (sticky !== false) add(['service', 'stickySessions'], 'needs the load balancer (service.loadBalancer: true)', { involves: [lbPath] });
    if (sections.domain) add(['domain'], 'HTTPS on a domain needs the load balancer (service.loadBalancer: true)', { involves: [lbPath] });
    if (service.public === false) add(['service', 'public'], 'false needs the load balancer: an internal service is reached through an internal load balancer', { involves: [lbPath] });
    if (typeof service.count === 'object' ? (service.count.max ?? 1) > 1 : (service.count ?? 1) > 1) {
      add(['service', 'count'], 'without a load balancer berth runs exactly one task; set service.loadBalancer: true for more', { involves: [lbPath] });
    }
    if (typeof sections.network === 'object' && sections.network?.tasks === 'private') {
      add(['network', 'tasks'], 'private tasks without a load balancer cannot be reached; set service.loadBalancer: true', { involves: [lbPath] });
    }
  }
  if (service.spot && context.production) {
    add(['service', 'spot'], `Fargate Spot can stop tasks at two minutes' notice; it is not allowed in the production environment "${context.env}"`, { hint: 'set spot in a non-production environment only' });
  }

  checkDatabase(sections, add);
  checkCache(sections, add);
  checkDomain(sections, add);
  checkNetwork(sections, add);

  if (sections.alarms && sections.alarms.email !== undefined && !EMAIL_PATTERN.test(sections.alarms.email)) {
    add(['alarms', 'email'], `"${sections.alarms.email}" is not an email address`);
  }
  const retention = sections.logs?.retentionDays;
  if (retention !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
    add(['logs', 'retentionDays'], `${retention} is not a CloudWatch Logs retention (allowed: ${LOG_RETENTION_DAYS.join(', ')})`);
  }
  return problems;
}

type Add = (path: PropertyKey[], message: string, extra?: Partial<SemanticProblem>) => void;
type Service = NonNullable<Sections['service']>;

function isEnabled(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

function suggestAppName(name: string): string | undefined {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, APP_NAME_MAX).replace(/-+$/, '');
  return cleaned.length >= 2 && cleaned !== name ? `try "${cleaned}"` : undefined;
}

function checkCount(service: Service, add: Add): void {
  const count = service.count;
  if (count === undefined || typeof count === 'number') return;
  const min = count.min ?? 1;
  const max = count.max ?? Math.max(min, 1);
  if (min > max) add(['service', 'count', 'min'], `${min} is greater than max (${max})`, { involves: [['service', 'count', 'max']] });
  if (count.requests !== undefined && service.loadBalancer === false) {
    add(['service', 'count', 'requests'], 'scaling on requests needs the load balancer (service.loadBalancer: true)', { involves: [['service', 'loadBalancer']] });
  }
  (count.schedule ?? []).forEach((entry, index) => {
    const fields = entry.cron.trim().split(/\s+/);
    if (fields.length !== 5 || !fields.every((field) => CRON_FIELD.test(field))) {
      add(['service', 'count', 'schedule', index, 'cron'], `"${entry.cron}" is not a five-field cron expression (minute hour day-of-month month day-of-week, UTC), e.g. "0 20 * * 1-5"`);
    } else if (fields[2] !== '*' && fields[2] !== '?' && fields[4] !== '*' && fields[4] !== '?') {
      add(['service', 'count', 'schedule', index, 'cron'], `"${entry.cron}" sets both day-of-month and day-of-week; AWS schedules allow only one of them`);
    }
    if (entry.min === undefined && entry.max === undefined) add(['service', 'count', 'schedule', index], 'needs min, max or both');
    if (entry.min !== undefined && entry.max !== undefined && entry.min > entry.max) add(['service', 'count', 'schedule', index, 'min'], `${entry.min} is greater than max (${entry.max})`);
  });
}

function checkBuild(service: Service, dir: string, add: Add): void {
  const context = resolve(dir, service.build?.context ?? DEFAULTS.service.build.context);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    add(['service', 'build', 'context'], `folder ${shown(context)} does not exist (the build context is relative to berth.yml)`);
    return;
  }
  const dockerfile = resolve(context, service.build?.dockerfile ?? DEFAULTS.service.build.dockerfile);
  if (!existsSync(dockerfile)) {
    add(['service', 'build', 'dockerfile'], `${shown(dockerfile)} does not exist`, {
      hint: 'add a Dockerfile, set service.build.dockerfile, or set service.image to run a pushed image',
    });
  }
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
