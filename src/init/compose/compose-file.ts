/**
 * A docker compose file read into a typed model: the services with their build, image, command, environment,
 * ports, health check, dependencies and volumes, every string interpolated from the project's `.env`, and the
 * keys each service has, so the conversion to berth.yml can account for every one of them.
 *
 * Pure: the caller passes the text and a reader for the files it refers to (`.env`, `env_file`).
 */
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { parseDockerDuration, shellWords } from '../../build/dockerfile.js';
import type { ProjectFiles } from '../project-files.js';
import { interpolate, parseDotEnv } from './variables.js';

/** The names docker compose looks for, in its order of preference. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;

/** The compose file at the root of the folder, if any. */
export function findComposeFile(paths: readonly string[]): string | undefined {
  return COMPOSE_FILE_NAMES.find((name) => paths.includes(name));
}

export class ComposeFileError extends Error {
  constructor(readonly file: string, readonly line: number | undefined, message: string) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`);
  }
}

export interface ComposeBuild {
  /** Relative to the compose file's folder, with forward slashes; "." for the folder itself. */
  context: string;
  dockerfile?: string;
  target?: string;
  args: Record<string, string>;
  /** Build arguments without a value (taken from the shell by compose). */
  argsFromShell: string[];
  /** Keys of the long form berth does not use (cache_from, secrets, ssh, platforms, dockerfile_inline ...). */
  otherKeys: string[];
  /** The context is a URL (git or tarball), not a folder. */
  remote: boolean;
}

export interface ComposeCommand {
  words: string[];
  /** The string form as written, when the command was a string. */
  text?: string;
}

export interface ComposeEnvVar {
  name: string;
  /** undefined: passed through from the shell (`- NAME` or `NAME:` with no value). */
  value?: string;
  /** "environment" or the env_file path it came from. */
  source: string;
  /** Variables of `${...}` in the value that neither `.env` nor a default supplied. */
  missing: string[];
  /** Variables of `${...}` in the value that `.env` supplied. */
  fromDotEnv: string[];
  /** The value as written before interpolation, e.g. "${SECRET_KEY?Variable not set}". */
  raw?: string;
}

export interface ComposePort {
  /** The port inside the container. */
  container: number;
  /** The published host port, when there is one. */
  published?: string;
  hostIp?: string;
  protocol: 'tcp' | 'udp';
  /** As written, e.g. "127.0.0.1:8080:8000". */
  text: string;
}

export interface ComposeHealthcheck {
  disabled: boolean;
  /** CMD-SHELL or the string form: Docker runs the text with /bin/sh -c. */
  shell: boolean;
  /** The test as words: ["curl", "-f", "http://localhost:8000/health"]; CMD-SHELL text is split into words. */
  words: string[];
  /** The test as written, for messages. */
  text: string;
  /** Seconds. */
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  retries?: number;
}

export interface ComposeDependency {
  service: string;
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
}

export interface ComposeVolume {
  kind: 'bind' | 'volume' | 'anonymous' | 'tmpfs' | 'other';
  source?: string;
  target: string;
  text: string;
}

export interface ComposeService {
  name: string;
  /** 1-based line of the service's key in the compose file. */
  line: number;
  /** Every key the service has, in file order (`x-` extension keys included). */
  keys: string[];
  image?: string;
  build?: ComposeBuild;
  command?: ComposeCommand;
  entrypoint?: ComposeCommand;
  /** environment over env_file, in the order compose applies them (later wins). */
  environment: ComposeEnvVar[];
  envFiles: Array<{ path: string; required: boolean; found: boolean }>;
  ports: ComposePort[];
  expose: number[];
  healthcheck?: ComposeHealthcheck;
  dependsOn: ComposeDependency[];
  restart?: string;
  volumes: ComposeVolume[];
  /** Names of top-level secrets the service mounts under /run/secrets. */
  secrets: string[];
  profiles: string[];
  platform?: string;
  /** deploy.replicas, or scale. */
  replicas?: number;
  /** deploy.resources.limits, as written: { cpus: "0.5", memory: "512M" }. */
  limits?: { cpus?: string; memory?: string };
  /** Keys under deploy: other than replicas. */
  deployKeys: string[];
  /** Interpolated values of the other keys, for messages. */
  raw: Record<string, unknown>;
}

export interface ComposeProject {
  /** The compose file, relative to the app folder. */
  file: string;
  /** The top-level `name:` (the compose project name). */
  name?: string;
  services: ComposeService[];
  /** Top-level keys other than services and name, e.g. version, volumes, networks, secrets, x-common. */
  topLevelKeys: string[];
  /** Top-level secrets: name -> where compose reads the value from. */
  secrets: Record<string, { file?: string; environment?: string }>;
  /** Variables read from `.env`. */
  dotEnv: ReadonlyMap<string, string>;
}

type Raw = Record<string, unknown>;
const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A relative path as berth.yml writes it: forward slashes, no leading "./", "." for the folder itself. */
export function normalizeRelativePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts.at(-1) !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.length === 0 ? '.' : parts.join('/');
}

/** Join a folder and a relative path inside the project ("backend" + "../.env" -> ".env"). */
export function joinRelative(dir: string, path: string): string {
  return normalizeRelativePath(dir === '.' ? path : `${dir}/${path}`);
}

class Reader {
  constructor(private readonly variables: ReadonlyMap<string, string>) {}
  /** An interpolated string of a scalar (numbers and booleans as YAML wrote them). */
  str(value: unknown): string | undefined {
    if (value === null || value === undefined) return undefined;
    if (typeof value === 'string') return interpolate(value, this.variables).value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return undefined;
  }
  full(value: string) {
    return interpolate(value, this.variables);
  }
  /** A list of strings from a list or a single string. */
  list(value: unknown): string[] {
    if (Array.isArray(value)) return value.map((item) => this.str(item)).filter((item): item is string => item !== undefined);
    const single = this.str(value);
    return single === undefined ? [] : [single];
  }
}

function readCommand(value: unknown, reader: Reader): ComposeCommand | undefined {
  if (Array.isArray(value)) return { words: reader.list(value) };
  const text = reader.str(value);
  if (text === undefined) return undefined;
  // Compose splits the string form like a shell would, without running one.
  return { words: shellWords(text), text };
}

function readBuild(value: unknown, reader: Reader): ComposeBuild | undefined {
  if (value === undefined || value === null) return undefined;
  const build: ComposeBuild = { context: '.', args: {}, argsFromShell: [], otherKeys: [], remote: false };
  const setContext = (context: string) => {
    build.remote = /^(https?|git|ssh):\/\/|^git@|\.git(#.*)?$/.test(context);
    build.context = build.remote ? context : normalizeRelativePath(context);
  };
  if (!isRecord(value)) {
    const context = reader.str(value);
    if (context !== undefined) setContext(context);
    return build;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key === 'context') setContext(reader.str(item) ?? '.');
    else if (key === 'dockerfile') { const dockerfile = reader.str(item); if (dockerfile) build.dockerfile = normalizeRelativePath(dockerfile); }
    else if (key === 'target') { const target = reader.str(item); if (target) build.target = target; }
    else if (key === 'args') {
      const entries: Array<[string, unknown]> = Array.isArray(item)
        ? item.map((entry) => { const text = String(entry); const eq = text.indexOf('='); return eq === -1 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)]; })
        : isRecord(item) ? Object.entries(item) : [];
      for (const [name, arg] of entries) {
        const resolved = reader.str(arg);
        if (resolved === undefined) build.argsFromShell.push(name);
        else build.args[name] = resolved;
      }
    } else build.otherKeys.push(key);
  }
  return build;
}

function readEnvironment(value: unknown, reader: Reader, source: string): ComposeEnvVar[] {
  const pairs: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((entry) => { const text = String(entry); const eq = text.indexOf('='); return eq === -1 ? [text.trim(), undefined] : [text.slice(0, eq).trim(), text.slice(eq + 1)]; })
    : isRecord(value) ? Object.entries(value) : [];
  return pairs.filter(([name]) => name !== '').map(([name, raw]) => {
    if (raw === undefined || raw === null) return { name, source, missing: [], fromDotEnv: [] };
    if (typeof raw !== 'string') return { name, value: String(raw), source, missing: [], fromDotEnv: [] };
    const result = reader.full(raw);
    return { name, value: result.value, source, missing: result.missing, fromDotEnv: result.used, raw };
  });
}

function readEnvFiles(value: unknown, reader: Reader): Array<{ path: string; required: boolean }> {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.flatMap((item) => {
    if (isRecord(item)) {
      const path = reader.str(item.path);
      return path ? [{ path: normalizeRelativePath(path), required: item.required !== false }] : [];
    }
    const path = reader.str(item);
    return path ? [{ path: normalizeRelativePath(path), required: true }] : [];
  });
}

function readPorts(value: unknown, reader: Reader): ComposePort[] {
  const ports: ComposePort[] = [];
  for (const item of Array.isArray(value) ? value : []) {
    if (isRecord(item)) {
      const container = Number(reader.str(item.target));
      if (!Number.isInteger(container) || container < 1) continue;
      const published = reader.str(item.published);
      const hostIp = reader.str(item.host_ip);
      ports.push({ container, ...(published ? { published } : {}), ...(hostIp ? { hostIp } : {}), protocol: reader.str(item.protocol) === 'udp' ? 'udp' : 'tcp', text: JSON.stringify(item) });
      continue;
    }
    const text = reader.str(item);
    if (!text) continue;
    const [spec, protocol] = text.split('/') as [string, string | undefined];
    const parts = spec.startsWith('[') ? [spec.slice(0, spec.indexOf(']') + 1), ...spec.slice(spec.indexOf(']') + 2).split(':')] : spec.split(':');
    const containerPart = parts.at(-1)!;
    const container = Number(containerPart.split('-')[0]);
    if (!Number.isInteger(container) || container < 1 || container > 65535) continue;
    const published = parts.length >= 2 ? parts.at(-2) : undefined;
    const hostIp = parts.length >= 3 ? parts.slice(0, -2).join(':') : undefined;
    ports.push({ container, ...(published ? { published } : {}), ...(hostIp ? { hostIp } : {}), protocol: protocol === 'udp' ? 'udp' : 'tcp', text });
  }
  return ports;
}

function readHealthcheck(value: unknown, reader: Reader): ComposeHealthcheck | undefined {
  if (!isRecord(value)) return undefined;
  const seconds = (item: unknown) => { const text = reader.str(item); return text === undefined ? undefined : parseDockerDuration(text); };
  const test = value.test;
  let words: string[] = [];
  let text = '';
  let disabled = value.disable === true;
  let shell = false;
  if (Array.isArray(test)) {
    const [kind, ...rest] = reader.list(test);
    text = [kind, ...rest].join(' ');
    if (kind === 'NONE') disabled = true;
    else if (kind === 'CMD-SHELL') { words = shellWords(rest.join(' ')); shell = true; text = rest.join(' '); }
    else words = kind === 'CMD' ? rest : [kind!, ...rest];
  } else if (typeof test === 'string') {
    text = reader.str(test) ?? '';
    words = shellWords(text);
    shell = true;
  }
  const check: ComposeHealthcheck = { disabled, shell, words, text };
  const interval = seconds(value.interval);
  const timeout = seconds(value.timeout);
  const startPeriod = seconds(value.start_period);
  const retries = Number(reader.str(value.retries));
  if (interval !== undefined) check.interval = interval;
  if (timeout !== undefined) check.timeout = timeout;
  if (startPeriod !== undefined) check.startPeriod = startPeriod;
  if (Number.isInteger(retries) && retries > 0) check.retries = retries;
  return check;
}

function readDependsOn(value: unknown): ComposeDependency[] {
  if (Array.isArray(value)) return value.map((service) => ({ service: String(service), condition: 'service_started' as const }));
  if (!isRecord(value)) return [];
  return Object.entries(value).map(([service, spec]) => {
    const condition = isRecord(spec) ? spec.condition : undefined;
    return {
      service,
      condition: condition === 'service_healthy' || condition === 'service_completed_successfully' ? condition : 'service_started' as const,
    };
  });
}

function readVolumes(value: unknown, reader: Reader): ComposeVolume[] {
  const volumes: ComposeVolume[] = [];
  for (const item of Array.isArray(value) ? value : []) {
    if (isRecord(item)) {
      const type = reader.str(item.type) ?? 'volume';
      const source = reader.str(item.source);
      const target = reader.str(item.target) ?? '';
      const kind = type === 'bind' ? 'bind' : type === 'tmpfs' ? 'tmpfs' : type === 'volume' ? (source ? 'volume' : 'anonymous') : 'other';
      volumes.push({ kind, ...(source ? { source } : {}), target, text: `${source ? `${source}:` : ''}${target}` });
      continue;
    }
    const text = reader.str(item);
    if (!text) continue;
    const parts = text.split(':');
    if (parts.length === 1) {
      volumes.push({ kind: 'anonymous', target: parts[0]!, text });
      continue;
    }
    const source = parts[0]!;
    const bind = /^[./~]/.test(source) || /^[A-Za-z]:[\\/]/.test(text);
    volumes.push({ kind: bind ? 'bind' : 'volume', source, target: parts[1]!, text });
  }
  return volumes;
}

function readService(name: string, line: number, value: Raw, reader: Reader, project: ProjectFiles): ComposeService {
  const envFiles = readEnvFiles(value.env_file, reader).map((file) => ({ ...file, found: project.read(file.path) !== undefined }));
  const environment: ComposeEnvVar[] = [];
  for (const envFile of envFiles.filter((file) => file.found)) {
    for (const entry of parseDotEnv(project.read(envFile.path) ?? '')) {
      environment.push({ name: entry.name, value: entry.value, source: envFile.path, missing: [], fromDotEnv: [] });
    }
  }
  environment.push(...readEnvironment(value.environment, reader, 'environment'));
  // Later entries win, as in compose; keep each name once, at its last position.
  const byName = new Map<string, ComposeEnvVar>();
  for (const variable of environment) {
    byName.delete(variable.name);
    byName.set(variable.name, variable);
  }
  const deploy = isRecord(value.deploy) ? value.deploy : {};
  const replicas = Number(reader.str(deploy.replicas) ?? reader.str(value.scale));
  const limits = isRecord(deploy.resources) && isRecord(deploy.resources.limits) ? deploy.resources.limits : undefined;
  const service: ComposeService = {
    name,
    line,
    keys: Object.keys(value),
    environment: [...byName.values()],
    envFiles,
    ports: readPorts(value.ports, reader),
    expose: reader.list(value.expose).map((port) => Number(port.split('/')[0])).filter((port) => Number.isInteger(port) && port > 0),
    dependsOn: readDependsOn(value.depends_on),
    volumes: readVolumes(value.volumes, reader),
    secrets: (Array.isArray(value.secrets) ? value.secrets : []).map((item) => (isRecord(item) ? reader.str(item.source) : reader.str(item))).filter((item): item is string => Boolean(item)),
    profiles: reader.list(value.profiles),
    deployKeys: Object.keys(deploy).filter((key) => key !== 'replicas'),
    raw: value,
  };
  const image = reader.str(value.image);
  if (image) service.image = image;
  const build = readBuild(value.build, reader);
  if (build) service.build = build;
  const command = readCommand(value.command, reader);
  if (command) service.command = command;
  const entrypoint = readCommand(value.entrypoint, reader);
  if (entrypoint) service.entrypoint = entrypoint;
  const healthcheck = readHealthcheck(value.healthcheck, reader);
  if (healthcheck) service.healthcheck = healthcheck;
  const restart = reader.str(value.restart);
  if (restart !== undefined) service.restart = restart === 'false' ? 'no' : restart;
  const platform = reader.str(value.platform);
  if (platform) service.platform = platform;
  if (Number.isInteger(replicas) && replicas >= 0) service.replicas = replicas;
  if (limits) {
    const cpus = reader.str(limits.cpus);
    const memory = reader.str(limits.memory);
    service.limits = { ...(cpus ? { cpus } : {}), ...(memory ? { memory } : {}) };
  }
  return service;
}

/** Merge `extends: { service: base }` within the same file: the service's own keys win, mappings merge. */
function resolveExtends(services: Raw, name: string, seen: string[] = []): Raw {
  const own = services[name];
  if (!isRecord(own)) return {};
  const ext = own.extends;
  const baseName = typeof ext === 'string' ? ext : isRecord(ext) && !ext.file && typeof ext.service === 'string' ? ext.service : undefined;
  if (!baseName || seen.includes(baseName) || !isRecord(services[baseName])) return own;
  const base = resolveExtends(services, baseName, [...seen, name]);
  const merged: Raw = { ...base };
  for (const [key, value] of Object.entries(own)) {
    if (key === 'extends') continue;
    merged[key] = isRecord(value) && isRecord(base[key]) ? { ...(base[key] as Raw), ...value } : value;
  }
  return merged;
}

/** Parse a compose file. Throws ComposeFileError (with the line) when it is not YAML or has no services mapping. */
export function parseComposeFile(text: string, file: string, project: ProjectFiles): ComposeProject {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw new ComposeFileError(file, error.linePos?.[0].line, `not valid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '')}`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (!isRecord(data) || !isRecord(data.services)) {
    throw new ComposeFileError(file, undefined, 'has no `services:` mapping, so there is nothing to convert');
  }
  const dotEnv = new Map<string, string>();
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
  const dotEnvText = project.read(joinRelative(dir, '.env'));
  if (dotEnvText !== undefined) for (const entry of parseDotEnv(dotEnvText)) dotEnv.set(entry.name, entry.value);
  const reader = new Reader(dotEnv);

  const servicesNode = isMap(doc.contents) ? doc.contents.items.find((item) => isScalar(item.key) && item.key.value === 'services')?.value : undefined;
  const lineOf = (name: string): number => {
    if (!isMap(servicesNode)) return 0;
    const pair = servicesNode.items.find((item) => isScalar(item.key) && String(item.key.value) === name);
    const offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
    return offset === undefined ? 0 : lines.linePos(offset).line;
  };
  const services = Object.keys(data.services).map((name) => readService(name, lineOf(name), resolveExtends(data.services as Raw, name), reader, project));
  const secrets: ComposeProject['secrets'] = {};
  if (isRecord(data.secrets)) {
    for (const [name, spec] of Object.entries(data.secrets)) {
      const entry = isRecord(spec) ? spec : {};
      const secretFile = reader.str(entry.file);
      const environment = reader.str(entry.environment);
      secrets[name] = { ...(secretFile ? { file: secretFile } : {}), ...(environment ? { environment } : {}) };
    }
  }
  const name = reader.str(data.name);
  return {
    file,
    ...(name ? { name } : {}),
    services,
    topLevelKeys: Object.keys(data).filter((key) => key !== 'services' && key !== 'name'),
    secrets,
    dotEnv,
  };
}
