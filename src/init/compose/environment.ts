/**
 * A compose service's environment in berth's terms: plain values to `env`, secret-looking names to `secrets`
 * (never their values), and the variables that pointed at the compose database/cache dropped, because berth
 * injects its own (DATABASE_URL, PG*, REDIS_URL). Pure.
 */
import { secretValueKind } from '../../config/secret-names.js';
import { DATABASE_URL, PG_VARIABLES, REDIS_URL } from '../../model/index.js';
import { looksSecret } from '../env-reads.js';
import type { ComposeEnvVar } from './compose-file.js';

/** A compose service berth replaces with its own database or cache. */
export interface ReplacedDependency {
  /** The compose service name, which is also its hostname on the compose network. */
  service: string;
  kind: 'database' | 'cache';
  /** Values (raw and interpolated) of its POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, which app services repeat. */
  credentials: string[];
}

export type EnvOutcome =
  | { to: 'env'; value: string }
  | { to: 'secret'; valueLeftOutFrom?: string; why: 'name' | 'value' }
  | { to: 'dropped'; dependency: ReplacedDependency }
  | { to: 'left-out'; reason: string };

/** Connection settings of a PostgreSQL the app used to find by itself: POSTGRES_USER, DB_HOST, DATABASE_PASSWORD ... */
const DATABASE_SETTING = /^(POSTGRES(QL)?_\w+|(DB|DATABASE|PG|SQL|POSTGRES)_?(HOST|HOSTNAME|SERVER|PORT|USER|USERNAME|PASSWORD|PASS|PWD|NAME|DB|DATABASE|URL|URI|DSN))$/;
/** The same for Redis: REDIS_HOST, REDIS_PASSWORD, CACHE_URL ... */
const CACHE_SETTING = /^(REDIS|CACHE)_(HOST|HOSTNAME|SERVER|PORT|PASSWORD|PASS|USER|USERNAME|URL|URI|ADDR|ADDRESS)$/;
/** The variables berth injects for the database. */
export const DATABASE_VARIABLES: readonly string[] = [DATABASE_URL, ...Object.values(PG_VARIABLES)];
const AWS_CREDENTIALS = /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$/;
const DEFAULT_PORTS = { database: '5432', cache: '6379' } as const;

/** Names of variables that hold a host: a bare value such as `db` counts as a hostname only in these. */
const HOST_VARIABLE = /(HOST|SERVER|ADDR|ADDRESS|ENDPOINT|URL|URI|DSN)(_|$)/;

/** The host a value names: a URL's host, "host:port", or (in a host variable) a bare hostname. */
export function hostOf(value: string, name = 'HOST'): string | undefined {
  const text = value.trim();
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/@\s]*@)?(\[[^\]]+\]|[^/:?#\s,]+)/i.exec(text);
  if (url) return url[1]!.toLowerCase();
  const hostPort = /^([A-Za-z0-9][A-Za-z0-9_.-]*):\d{1,5}$/.exec(text);
  if (hostPort) return hostPort[1]!.toLowerCase();
  return HOST_VARIABLE.test(name.toUpperCase()) && /^[A-Za-z][A-Za-z0-9_.-]*$/.test(text) ? text.toLowerCase() : undefined;
}

/** The replaced dependency a variable points at, if any. */
export function pointsAt(variable: ComposeEnvVar, dependencies: readonly ReplacedDependency[]): ReplacedDependency | undefined {
  const database = dependencies.find((dependency) => dependency.kind === 'database');
  const cache = dependencies.find((dependency) => dependency.kind === 'cache');
  const name = variable.name.toUpperCase();
  if (database && (DATABASE_VARIABLES.includes(name) || DATABASE_SETTING.test(name))) return database;
  if (cache && (name === REDIS_URL || CACHE_SETTING.test(name))) return cache;
  const value = variable.value ?? '';
  const host = value ? hostOf(value, name) : undefined;
  if (host) {
    const named = dependencies.find((dependency) => dependency.service.toLowerCase() === host);
    if (named) return named;
  }
  for (const dependency of dependencies) {
    if (/_PORT$/.test(name) && value === DEFAULT_PORTS[dependency.kind] && (dependency.kind === 'database' ? /(DB|DATABASE|POSTGRES|PG|SQL)/ : /(REDIS|CACHE)/).test(name)) return dependency;
    // DB_USER=postgres beside POSTGRES_USER=postgres: the same credentials, which berth now owns.
    if (dependency.kind === 'database' && /(DB|DATABASE|POSTGRES|PG|SQL)/.test(name) && value.length > 0
      && (dependency.credentials.includes(value) || (variable.raw !== undefined && dependency.credentials.includes(variable.raw)))) return dependency;
  }
  return undefined;
}

/** Where one variable of an app service goes. */
export function classifyVariable(variable: ComposeEnvVar, dependencies: readonly ReplacedDependency[], composeFile: string): EnvOutcome {
  const dependency = pointsAt(variable, dependencies);
  if (dependency) return { to: 'dropped', dependency };
  if (AWS_CREDENTIALS.test(variable.name)) {
    return { to: 'left-out', reason: "AWS credentials: on AWS each service gets credentials from its task role; grant that role what the app needs instead of passing keys" };
  }
  const value = variable.value;
  if (value !== undefined && value.startsWith('/run/secrets/')) {
    return { to: 'left-out', reason: `points at a compose secret file (${value}); berth passes secrets as environment variables: read the value from a variable declared in secrets` };
  }
  const where = variable.source === 'environment' ? (variable.fromDotEnv.length > 0 ? '.env' : composeFile) : variable.source;
  const hasValue = value !== undefined && value !== '';
  if (looksSecret(variable.name)) return { to: 'secret', why: 'name', ...(hasValue ? { valueLeftOutFrom: where } : {}) };
  if (hasValue && secretValueKind(value)) return { to: 'secret', why: 'value', valueLeftOutFrom: where };
  if (value === undefined) {
    return { to: 'left-out', reason: 'its value comes from the shell that runs docker compose; give it a value in env (or secrets, if it is sensitive)' };
  }
  if (variable.missing.length > 0 && value === '') {
    return { to: 'left-out', reason: `its value comes from \${${variable.missing[0]}}, which .env does not set; give it a value in env (or secrets, if it is sensitive)` };
  }
  return { to: 'env', value };
}
