/**
 * One app service of a compose file in berth's terms: port and health check (web), command, count, arch,
 * build notes, env and secrets, and every key it has that berth.yml does not carry over. Pure.
 */
import type { DockerfileInfo } from '../../build/dockerfile.js';
import { healthTargetFromCommand } from '../../build/dockerfile.js';
import { DEFAULTS } from '../../config/defaults.js';
import { BROWSER_PUBLIC_NAMES, looksSecretName, secretValueKind } from '../../config/secret-names.js';
import type { AppInspection } from '../inspect-app.js';
import { healthTimingFromCheck } from '../inspect-app.js';
import type { AppService } from './app-services.js';
import type { ComposeProject, ComposeService, ComposeVolume } from './compose-file.js';
import type { ConversionLog } from './conversion-log.js';
import type { DraftHealth, DraftService } from './draft.js';
import { classifyVariable, pointsAt, type ReplacedDependency } from './environment.js';
import { KEY_ADVICE } from './key-advice.js';
import type { BuildDockerfile } from './service-roles.js';

export interface ServiceContext {
  compose: ComposeProject;
  log: ConversionLog;
  dependencies: readonly ReplacedDependency[];
  /** The Dockerfile the service's build reads. */
  dockerfile: BuildDockerfile;
  /** What `berth init` found in the service's build context (web and worker services); undefined without a Dockerfile. */
  inspection?: AppInspection;
  /** Variables dropped because they pointed at a dependency: dependency -> variable -> berth services. */
  dropped: Map<ReplacedDependency, Map<string, Set<string>>>;
  /** The <NAME>_URL variables berth injects for the app's web services (with several services): variable -> service. */
  serviceUrls: ReadonlyMap<string, string>;
}

/** Keys convertService maps or accounts for itself; any other key of the service is left out with KEY_ADVICE. */
const MAPPED_KEYS = new Set(['build', 'image', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'healthcheck', 'depends_on', 'restart', 'deploy', 'scale', 'platform', 'secrets', 'profiles', 'volumes', 'extends']);
const TIMING_KEYS = ['interval', 'timeout', 'unhealthyThreshold', 'gracePeriod'] as const;

export const inContext = (app: AppService, message: string): string => {
  if (app.build.context === '.') return message;
  // Messages of an inspection of the build context start with paths relative to it: make them relative to the app folder.
  const path = /^([\w.-]+(?:\/[\w.-]+)*)(?=(:\d+)? )/.exec(message)?.[1];
  return path && (path.includes('.') || /ockerfile/.test(path)) ? `${app.build.context}/${message}` : `in ${app.build.context}/: ${message}`;
};

export function convertService(app: AppService, context: ServiceContext): DraftService {
  const { log, compose, dockerfile, inspection } = context;
  const service = app.compose;
  const file = compose.file;
  const base = `services.${app.name}`;
  const at = `services.${service.name}`;
  const draft: DraftService = {};
  const running = app.kind === 'web' || app.kind === 'worker';

  buildNotes(app, context, base);

  if (running && inspection) {
    if (app.kind === 'web') for (const message of inspection.warnings) log.warn(inContext(app, message));
    for (const message of inspection.notes) log.note(inContext(app, message));
    for (const secret of inspection.secrets.filter((found) => !pointsAt({ name: found.value, source: 'code', missing: [], fromDotEnv: [] }, context.dependencies))) {
      draft.secrets = [...new Set([...(draft.secrets ?? []), secret.value])];
      log.reasons[`${base}.secrets.${secret.value}`] = secret.reason;
      log.secret(secret.value);
    }
  }
  if (app.kind === 'web') {
    draft.port = app.port ?? inspection?.port.value ?? 8080;
    log.reasons[`${base}.port`] = app.portReason ?? (inspection ? inspection.port.reason : 'a guess: nothing names the port');
    const health = webHealth(service, draft.port, file, inspection);
    draft.health = health.health;
    log.reasons[`${base}.health`] = health.reason;
    for (const item of health.leftOut) log.leave(`${at}.healthcheck`, item.reason, item.what);
    if (service.ports.length > 1) log.leave(`${at}.ports`, 'berth routes one port per web service (the first); a second port needs its own service', service.ports.slice(1).map((port) => port.text).join(', '));
    if (app.port === undefined) log.warn(`${service.name} is behind the reverse proxy but names no port (no ports or expose): set its port in berth.yml`);
  } else if (app.kind === 'worker') {
    draft.kind = 'worker';
    log.reasons[base] = `the compose service ${service.name} publishes no port, so it runs as a worker (no load balancer)`;
    const check = service.healthcheck;
    if (check && !check.disabled && check.words.length > 0) {
      const health: DraftHealth = { command: check.shell ? ['sh', '-c', check.text] : check.words };
      const timing = healthTimingFromCheck(check, '');
      if (timing) for (const key of TIMING_KEYS) if (timing[key] !== undefined) health[key] = timing[key];
      draft.health = health;
      log.reasons[`${base}.health`] = `the healthcheck of ${service.name} in ${file}`;
    }
  }

  const command = commandFor(service, dockerfile.info);
  const secretWord = command.command?.find((word) => secretValueKind(word));
  if (command.command && secretWord !== undefined) {
    log.leave(`${at}.command`, `it holds what looks like ${secretValueKind(secretWord)}, which berth.yml would keep in plain text: read it from a variable declared in secrets, then add the command to berth.yml`);
  } else if (command.command) {
    draft.command = command.command;
    log.reasons[`${base}.command`] = command.reason!;
  }
  if (command.leftOut) log.leave(`${at}.entrypoint`, command.leftOut, service.entrypoint?.words.join(' '));

  runtimeSettings(app, draft, log, file, base);
  environment(app, draft, context, base);
  for (const volume of service.volumes) log.leave(`${at}.volumes`, volumeReason(volume), volume.text);
  for (const key of service.keys.filter((candidate) => !MAPPED_KEYS.has(candidate))) {
    log.leave(`${at}.${key}`, key.startsWith('x-') ? 'an extension field: compose ignores it too' : KEY_ADVICE[key] ?? 'berth.yml has no equivalent');
  }
  if (service.raw.extends !== null && typeof service.raw.extends === 'object' && 'file' in service.raw.extends) {
    log.leave(`${at}.extends`, 'extends from another file was not read: copy what it adds into the compose file or berth.yml');
  }
  return draft;
}

/** What the build says: remote contexts, missing Dockerfiles, keys berth does not build with, secret build args, the stage. */
function buildNotes(app: AppService, { log, dockerfile }: ServiceContext, base: string): void {
  const { build } = app;
  const at = `services.${app.compose.name}`;
  if (build.remote) log.warn(`${app.compose.name} builds from ${build.context}, which is not a folder: berth builds from a folder beside berth.yml; clone it there and set build.context`);
  else if (dockerfile.text === undefined) log.warn(`${app.compose.name} builds ${dockerfile.path}, which does not exist or cannot be read: berth validate will report it until it does`);
  for (const key of build.otherKeys) {
    log.leave(`${at}.build.${key}`, key === 'dockerfile_inline' ? 'berth builds from a Dockerfile file: write the inline Dockerfile to a file and set build.dockerfile'
      : key === 'secrets' ? 'BuildKit build secrets are not passed by berth; fetch private dependencies another way, or use a pushed image'
        : 'berth builds with the context, Dockerfile, target and args only');
  }
  for (const [name, value] of Object.entries(build.args)) {
    if (!looksSecretName(name, { exclude: [BROWSER_PUBLIC_NAMES] }) && !secretValueKind(value)) continue;
    // Shared builds are converted once per service: the first service removes the arg, the others see it gone.
    delete build.args[name];
    log.leave(`${at}.build.args.${name}`, 'it looks secret, and build arguments stay in the image for anyone who pulls it: pass it at run time through secrets instead (its value is not copied)');
  }
  for (const name of build.argsFromShell) {
    log.leave(`${at}.build.args.${name}`, looksSecretName(name) ? 'its value comes from the shell; it looks secret, and build arguments stay in the image: pass it at run time through secrets instead' : 'its value comes from the shell: give it a value in build.args (build arguments are public: they stay in the image)');
  }
  const info = dockerfile.info;
  if (build.target && info?.finalStage) {
    const last = info.stages.at(-1)!;
    const chosen = info.finalStage;
    log.reasons[`${base}.build.target`] = chosen.index !== last.index
      ? `compose builds the stage ${build.target} (${dockerfile.path} line ${chosen.line}); the last stage is ${last.name ?? `#${last.index + 1}`}, which a build without a target would produce`
      : `compose builds the stage ${build.target}`;
  }
}

/** count and arch, and what deploy: and restart: say (count and restart only for a service that keeps running). */
function runtimeSettings(app: AppService, draft: DraftService, log: ConversionLog, file: string, base: string): void {
  const service = app.compose;
  const at = `services.${service.name}`;
  const running = app.kind === 'web' || app.kind === 'worker';
  if (running && service.replicas !== undefined) {
    if (service.replicas >= 1) {
      draft.count = service.replicas;
      log.reasons[`${base}.count`] = `${service.keys.includes('scale') ? 'scale' : 'deploy.replicas'}: ${service.replicas} in ${file}`;
    } else {
      log.leave(`${at}.deploy.replicas`, '0 replicas: berth runs at least one task of each service; remove the service from berth.yml if it should not run');
    }
  }
  if (service.platform) {
    if (/^linux\/arm64/.test(service.platform)) {
      draft.arch = 'arm64';
      log.reasons[`${base}.arch`] = `platform: ${service.platform} in ${file}`;
    } else if (!/^linux\/(amd64|x86_64)$/.test(service.platform)) {
      log.leave(`${at}.platform`, 'berth runs linux/amd64 (arch: x86_64) or linux/arm64 (arch: arm64)', service.platform);
    }
  }
  if (service.limits) {
    const what = [service.limits.cpus ? `cpus ${service.limits.cpus}` : '', service.limits.memory ? `memory ${service.limits.memory}` : ''].filter(Boolean).join(', ');
    log.leave(`${at}.deploy.resources`, `size each service with cpu and memory (Fargate sizes, e.g. ${fargateSuggestion(service.limits)})`, what);
  }
  for (const key of service.deployKeys.filter((candidate) => candidate !== 'resources')) {
    log.leave(`${at}.deploy.${key}`, key === 'restart_policy' ? 'berth restarts services that stop (ECS keeps the count; the local target replaces exited replicas)'
      : key === 'update_config' || key === 'rollback_config' ? "berth's rolling replace and `berth rollback` apply" : 'berth.yml has no equivalent');
  }
  if (running && service.restart !== undefined) {
    log.leave(`${at}.restart`, 'berth restarts every service that stops (ECS keeps the count; the local target replaces exited replicas)', service.restart);
  }
}

/** environment, env_file and compose secrets -> env and secrets; connection variables of the dependencies dropped. */
function environment(app: AppService, draft: DraftService, context: ServiceContext, base: string): void {
  const { log, compose } = context;
  const service = app.compose;
  const file = compose.file;
  const env: Record<string, string> = {};
  const secretNames: string[] = [...(draft.secrets ?? [])];
  for (const variable of service.environment) {
    const target = context.serviceUrls.get(variable.name);
    if (target !== undefined && target !== app.name) {
      log.note(`left out ${variable.name} of ${service.name}: berth sets it to the address of the ${target} service inside the environment`);
      continue;
    }
    const outcome = classifyVariable(variable, context.dependencies, file);
    const origin = variable.source === 'environment' ? `environment in ${file}` : variable.source;
    if (outcome.to === 'env') {
      env[variable.name] = outcome.value;
      log.reasons[`${base}.env.${variable.name}`] = `from ${origin}`;
    } else if (outcome.to === 'secret') {
      if (!secretNames.includes(variable.name)) secretNames.push(variable.name);
      const fromDotEnv = variable.source === 'environment' && variable.fromDotEnv.length > 0 ? ' (its value from .env)' : '';
      const value = outcome.valueLeftOutFrom
        ? `${outcome.why === 'value' ? ' (its value looks like a credential)' : ''}; the value is not copied`
        : variable.value === undefined ? ' (its value comes from the shell)' : variable.missing.length > 0 ? ` (\${${variable.missing[0]}} is not in .env)` : '';
      log.reasons[`${base}.secrets.${variable.name}`] = `${origin}${fromDotEnv}${value}`;
      log.secret(variable.name, outcome.valueLeftOutFrom);
    } else if (outcome.to === 'dropped') {
      const byName = context.dropped.get(outcome.dependency) ?? new Map<string, Set<string>>();
      byName.set(variable.name, (byName.get(variable.name) ?? new Set()).add(app.name));
      context.dropped.set(outcome.dependency, byName);
    } else {
      log.leave(`services.${service.name}.environment.${variable.name}`, outcome.reason);
    }
  }
  for (const secret of service.secrets) {
    const envName = envNameFromSecret(secret);
    if (!secretNames.includes(envName)) secretNames.push(envName);
    log.reasons[`${base}.secrets.${envName}`] = `the compose secret ${secret}`;
    log.secret(envName, compose.secrets[secret]?.file);
    log.warn(`${service.name} reads the compose secret ${secret} from the file /run/secrets/${secret}; berth gives secrets to the app as environment variables: read ${envName} from the environment instead (declared in secrets)`);
  }
  for (const envFile of service.envFiles.filter((item) => !item.found)) {
    log.leave(`services.${service.name}.env_file`, envFile.required ? 'the file does not exist here; its variables were not read: add the plain ones to env and the secret ones to secrets' : 'optional and absent: nothing to read', envFile.path);
  }
  if (Object.keys(env).length > 0) draft.env = env;
  if (secretNames.length > 0) draft.secrets = secretNames;
  else delete draft.secrets;
}

/** A secret's environment name from a compose secret name: db-password -> DB_PASSWORD. */
export function envNameFromSecret(name: string): string {
  const cleaned = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Z_]/.test(cleaned) ? cleaned : `S_${cleaned}`;
}

function volumeReason(volume: ComposeVolume): string {
  if (volume.kind === 'bind') {
    const sourceCode = /^\.\/?$|^\.\/?(app|src|code)?$/.test(volume.source ?? '') || ['/app', '/code', '/usr/src/app', '/src', '/srv/app'].includes(volume.target);
    return sourceCode
      ? 'a bind mount of the source code (for live reload): berth runs the image as built, so COPY the code in the Dockerfile'
      : 'a bind mount of a host folder: containers on Fargate have no host folders; copy read-only files into the image, keep data in S3 or the database';
  }
  if (volume.kind === 'tmpfs') return "the container's own filesystem is writable scratch space already";
  return 'containers on Fargate keep no disk between deploys: keep files in S3 (or EFS) and data in the database';
}

/** A web service's health check: compose's healthcheck when it requests a path on the service's port, else what the app inspection found. */
function webHealth(service: ComposeService, port: number, file: string, inspection: AppInspection | undefined): { health: DraftHealth; reason: string; leftOut: Array<{ reason: string; what?: string }> } {
  const leftOut: Array<{ reason: string; what?: string }> = [];
  const check = service.healthcheck;
  const fallback = (): { health: DraftHealth; reason: string } => {
    const health: DraftHealth = { path: inspection?.healthPath.value ?? DEFAULTS.service.health.path };
    const timing = inspection?.healthTiming;
    if (timing) for (const key of TIMING_KEYS) if (timing[key] !== undefined) health[key] = timing[key];
    return { health, reason: inspection ? inspection.healthPath.reason : `the default path ${DEFAULTS.service.health.path}` };
  };
  if (!check || check.disabled || check.words.length === 0) {
    if (check?.disabled) leftOut.push({ reason: 'disabled in compose; berth checks every web service over HTTP (health.path)' });
    return { ...fallback(), leftOut };
  }
  const target = healthTargetFromCommand(check.words);
  if (!target.path) {
    leftOut.push({ reason: 'a command check; berth checks a web service over HTTP at health.path (a command check is for workers)', what: check.text });
    return { ...fallback(), leftOut };
  }
  if (target.port !== undefined && target.port !== port) {
    leftOut.push({ reason: `it requests port ${target.port}, not the service's port ${port}; berth checks health.path on the service's port`, what: check.text });
    return { ...fallback(), leftOut };
  }
  const health: DraftHealth = { path: target.path };
  const timing = healthTimingFromCheck(check, '');
  if (timing) for (const key of TIMING_KEYS) if (timing[key] !== undefined) health[key] = timing[key];
  return { health, reason: `the healthcheck of ${service.name} in ${file} (${check.text.length > 80 ? `${check.text.slice(0, 77)}...` : check.text})`, leftOut };
}

/** The command berth.yml runs: compose's command, and its entrypoint when the image has no ENTRYPOINT of its own. */
function commandFor(service: ComposeService, info: DockerfileInfo | undefined): { command?: string[]; reason?: string; leftOut?: string } {
  const command = service.command?.words ?? [];
  const entrypoint = service.entrypoint?.words;
  const written = service.command?.text !== undefined ? `command "${service.command.text}"` : 'command';
  if (entrypoint !== undefined && entrypoint.length > 0) {
    if (info?.entrypoint) {
      return {
        ...(command.length > 0 ? { command, reason: `${written} of ${service.name}` } : {}),
        leftOut: `berth.yml sets the command, not the entrypoint, and the image has ENTRYPOINT (line ${info.entrypoint.line}); change it in the Dockerfile`,
      };
    }
    // Docker runs ENTRYPOINT + CMD; with no ENTRYPOINT in the image, the command can carry both.
    return { command: [...entrypoint, ...command], reason: `entrypoint${command.length > 0 ? ' and command' : ''} of ${service.name} (the image has no ENTRYPOINT, so berth.yml's command holds both)` };
  }
  if (command.length > 0) return { command, reason: `${written} of ${service.name}${service.command?.text !== undefined ? ', split like a shell would (no shell runs it)' : ''}` };
  return {};
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));

/** A Fargate size near compose's limits, for the advice. */
function fargateSuggestion(limits: { cpus?: string; memory?: string }): string {
  const cpus = Number(limits.cpus ?? '0.25');
  const cpu = [256, 512, 1024, 2048, 4096].find((units) => units >= cpus * 1024) ?? 4096;
  const match = /^(\d+(?:\.\d+)?)\s*([kmg])?i?b?$/i.exec(limits.memory ?? '');
  const mib = match ? Number(match[1]) * ({ k: 1 / 1024, m: 1, g: 1024 } as Record<string, number>)[(match[2] ?? 'm').toLowerCase()]! : 512;
  const memory = cpu === 256 ? [512, 1024, 2048].find((size) => size >= mib) ?? 2048 : Math.max(cpu * 2, Math.ceil(mib / 1024) * 1024);
  return `cpu: ${cpu}, memory: ${clamp(memory, 512, 30720)}`;
}
