/**
 * Checks decided from the configuration and the built image's metadata alone: pure, so every rule is
 * tested without an engine. The engine-facing code gathers the facts and passes them in.
 */
import { appImageArch, declaredSecrets, serviceKey } from '../model/index.js';
import type { Arch, ResolvedConfig, ServiceSpec, WebServiceSpec } from '../config/model.js';
import { declaredHaveValues, fail, pass, warn, type CheckResult } from './check-result.js';
import { serviceCheckId } from './service-keys.js';
import { BROWSER_PUBLIC_NAMES, looksSecretName, secretLooking } from '../config/secret-names.js';

type ServiceConfig = Pick<ResolvedConfig, 'env' | 'services' | 'image'>;

/** What `docker image inspect` tells the doctor. */
export interface ImageFacts {
  /** Docker's architecture name: amd64, arm64, ... */
  architecture: string;
  os: string;
  /** Config.User; empty means root. */
  user: string;
  /** Config.ExposedPorts as numbers (tcp). */
  exposedPorts: number[];
}

const DOCKER_ARCH: Record<Arch, string> = { x86_64: 'amd64', arm64: 'arm64' };

/**
 * The doctor reads service.env and build arguments, where framework-public names (NEXT_PUBLIC_*, VITE_*) are
 * meant to reach the browser: only those are exempt. Unlike init it does flag AWS_SECRET_ACCESS_KEY and the like,
 * which do not belong in plain env on a platform that gives tasks a role.
 */
const DOCTOR_SECRET_RULE = { exclude: [BROWSER_PUBLIC_NAMES] };
const secretLookingName = (name: string) => looksSecretName(name, DOCTOR_SECRET_RULE);

/** Secret-looking values in any service's plain env (one check for the app: the fix names each service's key). */
export function checkEnvSecrets(config: ServiceConfig): CheckResult {
  const found = config.services.flatMap((service) => Object.entries(service.env).flatMap(([name, value]) => {
    const why = secretLooking(name, value, DOCTOR_SECRET_RULE);
    return why ? [{ key: serviceKey(config, service), name, why }] : [];
  }));
  // The top level's env reaches every service: name each variable once.
  const suspects = [...new Map(found.map((item) => [item.name, item])).values()];
  const keys = [...new Set(found.map((item) => `${item.key}.env`))];
  if (suspects.length === 0) {
    const single = config.services.length === 1 ? config.services[0] : undefined;
    return pass('env-secret-values', single ? `${serviceKey(config, single)}.env holds no secret-looking values` : 'no service\'s env holds a secret-looking value');
  }
  const names = suspects.map((item) => item.name).join(', ');
  const where = keys.join(' and ');
  const secretsKey = keys.length === 1 ? keys[0]!.replace(/\.env$/, '.secrets') : 'secrets';
  return warn(
    'env-secret-values',
    `${where} set${keys.length === 1 ? 's' : ''} ${names}, which look${suspects.length === 1 ? 's' : ''} secret (value not shown): plain env ends up in the task definition`,
    `move ${names} from ${where} to ${secretsKey}, then ${suspects.map((item) => `\`berth secrets set ${item.name} --env ${config.env}\``).join(', ')}`,
    suspects.map((item) => `${item.name}: ${item.why}`),
  );
}

/** What the Dockerfile says that the image metadata does not (from src/build/dockerfile.ts). */
export interface DockerfileFacts {
  /** Path shown in messages, relative to berth.yml's folder. */
  file: string;
  /** ARG names. */
  args: string[];
  /** FROM lines that pin a platform. */
  platformPins: Array<{ platform: string; line: number }>;
}

/** Secret-looking build arguments of one build (the app's by default): in berth.yml's args or the Dockerfile's ARGs. */
export function checkBuildArgSecrets(config: ServiceConfig, dockerfile?: DockerfileFacts, subject: ImageSubject = imageSubjects(config)[0]!): CheckResult {
  const id = imageCheckId('build-args', config, subject);
  const argsKey = subject.own ? `${serviceKey(config, subject.own)}.build.args` : 'service.build.args';
  const secretsKey = subject.own ? `${serviceKey(config, subject.own)}.secrets` : 'service.secrets';
  const configured = Object.keys(subjectImage(config, subject).build?.args ?? {}).filter(secretLookingName);
  const declared = (dockerfile?.args ?? []).filter((name) => secretLookingName(name) && !configured.includes(name));
  const names = [...configured, ...declared];
  if (names.length === 0) return pass(id, `no build argument${subject.own ? ` of the ${subject.own.name} service's image` : ''} looks secret`);
  const where = [configured.length > 0 ? argsKey : '', declared.length > 0 ? `ARG in ${dockerfile!.file}` : ''].filter(Boolean).join(' and ');
  return warn(
    id,
    `build argument${names.length === 1 ? '' : 's'} ${names.join(', ')} (${where}) look${names.length === 1 ? 's' : ''} secret: build arguments are stored in the image history`,
    `pass ${names.join(', ')} at run time through ${secretsKey} instead, or use a BuildKit secret mount (RUN --mount=type=secret)`,
  );
}

/** `missing` is undefined when the store could not be read. */
export function checkSecretsSet(config: ServiceConfig, missing: string[] | undefined, storeName: string): CheckResult {
  const declared = declaredSecrets(config);
  if (declared.length === 0) return pass('secrets-set', 'no secrets declared');
  if (missing === undefined) {
    return warn('secrets-set', `could not read the ${storeName}; ${declared.length} declared secret${declared.length === 1 ? '' : 's'} not checked`, `check with \`berth secrets list --env ${config.env}\``);
  }
  if (missing.length === 0) return pass('secrets-set', `${declaredHaveValues(declared)} in the ${storeName}`);
  return fail(
    'secrets-set',
    `declared secret${missing.length === 1 ? '' : 's'} without a value in the ${storeName}: ${missing.join(', ')}`,
    missing.map((name) => `berth secrets set ${name} --env ${config.env}`).join('; '),
  );
}

/** Which image a check judges: the app's shared image, or one service's own. */
export interface ImageSubject {
  /** The services that run it (one for a service's own image). */
  services: ServiceSpec[];
  /** Set when the image is one service's own (`services.<name>.build` or `.image`). */
  own?: ServiceSpec;
}

/**
 * Every image a release runs: the app image (when any service shares it), then each service's own, in berth.yml's
 * order — the images `imagesToBuild` builds, plus those named by `image:`.
 */
export function imageSubjects(config: Pick<ResolvedConfig, 'services'>): ImageSubject[] {
  const shared = config.services.filter((service) => !service.ownImage);
  const own = config.services.filter((service) => service.ownImage).map((service) => ({ services: [service], own: service }));
  return [...(shared.length > 0 ? [{ services: shared }] : []), ...own];
}

/** The subject's build and pushed-image reference. */
export function subjectImage(config: Pick<ResolvedConfig, 'image'>, subject: ImageSubject): Pick<ServiceSpec, 'build' | 'image'> {
  return subject.own ? { build: subject.own.build, image: subject.own.image } : { build: config.image.build, image: config.image.image };
}

/** The CPU architecture the subject's image must be built for. */
export function subjectArch(config: Pick<ResolvedConfig, 'services'>, subject: ImageSubject): Arch {
  return subject.own ? subject.own.arch : appImageArch(config);
}

/** A check id for one image: `image-builds` for the app image, `image-builds.<service>` for a service's own. */
export function imageCheckId(base: string, config: Pick<ResolvedConfig, 'services'>, subject: ImageSubject): string {
  return subject.own ? serviceCheckId(base, config, subject.own) : base;
}

/** How messages name the image: "the image", or "the worker service's image". */
export function imageLabel(subject: ImageSubject): string {
  return subject.own ? `the ${subject.own.name} service's image` : 'the image';
}

export function checkImageArch(config: ServiceConfig, image: ImageFacts, dockerfile?: DockerfileFacts, subject: ImageSubject = imageSubjects(config)[0]!): CheckResult {
  const service = subject.own ?? subject.services[0];
  const arch = subjectArch(config, subject);
  const key = service ? `${serviceKey(config, service)}.arch` : 'service.arch';
  const id = imageCheckId('image-arch', config, subject);
  const wanted = DOCKER_ARCH[arch];
  const platform = `linux/${wanted}`;
  if (image.os === 'linux' && image.architecture === wanted) return pass(id, `${imageLabel(subject)} is built for ${platform}, matching ${key} ${arch}`);
  const other = `${image.os}/${image.architecture}`;
  const otherArch = image.architecture === 'arm64' ? 'arm64' : image.architecture === 'amd64' ? 'x86_64' : undefined;
  const { build, image: reference } = subjectImage(config, subject);
  return fail(
    id,
    `${imageLabel(subject)} is built for ${other}, but ${key} is ${arch} (${platform}): tasks would stop with "exec format error" or "image Manifest does not contain descriptor matching platform '${platform}'"`,
    (build
      ? `${pinFix(dockerfile, platform) ?? `remove --platform=${other} from the Dockerfile's FROM lines`} so berth builds for ${platform}`
      : `rebuild ${reference ?? 'the image'} with \`docker build --platform ${platform}\` (or let berth build it: ${service ? serviceKey(config, service) : 'service'}.build)`) + (otherArch ? `, or set ${key}: ${otherArch}` : ''),
  );
}

function pinFix(dockerfile: DockerfileFacts | undefined, platform: string): string | undefined {
  const pins = (dockerfile?.platformPins ?? []).filter((pin) => pin.platform !== platform && !pin.platform.includes('$'));
  if (pins.length === 0) return undefined;
  return `remove ${pins.map((pin) => `--platform=${pin.platform} from ${dockerfile!.file}:${pin.line}`).join(' and ')}`;
}

/** EXPOSE against the port of a web service that runs the image. */
export function checkExpose(config: ServiceConfig, image: ImageFacts, service: WebServiceSpec): CheckResult {
  const { port } = service;
  const id = serviceCheckId('expose-port', config, service);
  const key = `${serviceKey(config, service)}.port`;
  if (image.exposedPorts.length === 0) return pass(id, `the image exposes no port; berth publishes ${key} ${port}`);
  if (image.exposedPorts.includes(port)) return pass(id, `EXPOSE ${port} agrees with ${key}`);
  const exposed = image.exposedPorts.join(', ');
  return warn(
    id,
    `the image exposes ${exposed} but ${key} is ${port}`,
    `if the app listens on ${image.exposedPorts[0]}, set ${key}: ${image.exposedPorts[0]}; otherwise change EXPOSE to ${port}`,
  );
}

export function runsAsRoot(user: string): boolean {
  const name = user.split(':')[0]!.trim();
  return name === '' || name === 'root' || name === '0';
}

export function checkImageUser(image: ImageFacts, id = 'image-user', label = 'the image'): CheckResult {
  if (!runsAsRoot(image.user)) return pass(id, `${label} runs as user ${image.user}`);
  return warn(
    id,
    `${label} runs as root: a flaw in the app would give an attacker root in the container`,
    'add a user in the Dockerfile and switch to it: `RUN useradd --create-home app` (or `adduser -D app` on Alpine), then `USER app`',
  );
}

/** Reads the facts the checks need from `docker image inspect` output. */
export function imageFacts(inspect: { Architecture?: string; Os?: string; Config?: { User?: string; ExposedPorts?: Record<string, unknown> } }): ImageFacts {
  const exposedPorts = Object.keys(inspect.Config?.ExposedPorts ?? {})
    .filter((key) => !key.endsWith('/udp'))
    .map((key) => Number(key.split('/')[0]))
    .filter((port) => Number.isInteger(port) && port > 0);
  return { architecture: inspect.Architecture ?? 'unknown', os: inspect.Os ?? 'linux', user: inspect.Config?.User ?? '', exposedPorts };
}
