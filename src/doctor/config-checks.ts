/**
 * Checks decided from the configuration and the built image's metadata alone: pure, so every rule is
 * tested without an engine. The engine-facing code gathers the facts and passes them in.
 */
import { soleWebService } from '../model/transitional.js';
import { declaredSecrets } from '../model/index.js';
import type { Arch, ResolvedConfig } from '../config/model.js';
import { fail, pass, warn, type CheckResult } from './check-result.js';
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

export function checkEnvSecrets(config: ServiceConfig): CheckResult {
  const suspects = Object.entries(soleWebService(config).env).flatMap(([name, value]) => {
    const why = secretLooking(name, value, DOCTOR_SECRET_RULE);
    return why ? [`${name}: ${why}`] : [];
  });
  if (suspects.length === 0) return pass('env-secret-values', 'service.env holds no secret-looking values');
  const names = suspects.map((line) => line.split(':')[0]).join(', ');
  return warn(
    'env-secret-values',
    `service.env sets ${names}, which look${suspects.length === 1 ? 's' : ''} secret (value not shown): plain env ends up in the task definition`,
    `move ${names} from service.env to service.secrets, then ${suspects.map((line) => `\`berth secrets set ${line.split(':')[0]} --env ${config.env}\``).join(', ')}`,
    suspects,
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

export function checkBuildArgSecrets(config: ServiceConfig, dockerfile?: DockerfileFacts): CheckResult {
  const configured = Object.keys(config.image.build?.args ?? {}).filter(secretLookingName);
  const declared = (dockerfile?.args ?? []).filter((name) => secretLookingName(name) && !configured.includes(name));
  const names = [...configured, ...declared];
  if (names.length === 0) return pass('build-args', 'no build argument looks secret');
  const where = [configured.length > 0 ? 'service.build.args' : '', declared.length > 0 ? `ARG in ${dockerfile!.file}` : ''].filter(Boolean).join(' and ');
  return warn(
    'build-args',
    `build argument${names.length === 1 ? '' : 's'} ${names.join(', ')} (${where}) look${names.length === 1 ? 's' : ''} secret: build arguments are stored in the image history`,
    `pass ${names.join(', ')} at run time through service.secrets instead, or use a BuildKit secret mount (RUN --mount=type=secret)`,
  );
}

/** `missing` is undefined when the store could not be read. */
export function checkSecretsSet(config: ServiceConfig, missing: string[] | undefined, storeName: string): CheckResult {
  const declared = declaredSecrets(config);
  if (declared.length === 0) return pass('secrets-set', 'no secrets declared');
  if (missing === undefined) {
    return warn('secrets-set', `could not read the ${storeName}; ${declared.length} declared secret${declared.length === 1 ? '' : 's'} not checked`, `check with \`berth secrets list --env ${config.env}\``);
  }
  if (missing.length === 0) return pass('secrets-set', `all ${declared.length} declared secret${declared.length === 1 ? ' has a value' : 's have values'} in the ${storeName}`);
  return fail(
    'secrets-set',
    `declared secret${missing.length === 1 ? '' : 's'} without a value in the ${storeName}: ${missing.join(', ')}`,
    missing.map((name) => `berth secrets set ${name} --env ${config.env}`).join('; '),
  );
}

export function checkImageArch(config: ServiceConfig, image: ImageFacts, dockerfile?: DockerfileFacts): CheckResult {
  const wanted = DOCKER_ARCH[soleWebService(config).arch];
  const platform = `linux/${wanted}`;
  if (image.os === 'linux' && image.architecture === wanted) return pass('image-arch', `the image is built for ${platform}, matching service.arch ${soleWebService(config).arch}`);
  const other = `${image.os}/${image.architecture}`;
  const otherArch = image.architecture === 'arm64' ? 'arm64' : image.architecture === 'amd64' ? 'x86_64' : undefined;
  return fail(
    'image-arch',
    `the image is built for ${other}, but service.arch is ${soleWebService(config).arch} (${platform}): tasks would stop with "exec format error" or "image Manifest does not contain descriptor matching platform '${platform}'"`,
    (config.image.build
      ? `${pinFix(dockerfile, platform) ?? `remove --platform=${other} from the Dockerfile's FROM lines`} so berth builds for ${platform}`
      : `rebuild ${config.image.image ?? 'the image'} with \`docker build --platform ${platform}\` (or let berth build it: service.build)`) + (otherArch ? `, or set service.arch: ${otherArch}` : ''),
  );
}

function pinFix(dockerfile: DockerfileFacts | undefined, platform: string): string | undefined {
  const pins = (dockerfile?.platformPins ?? []).filter((pin) => pin.platform !== platform && !pin.platform.includes('$'));
  if (pins.length === 0) return undefined;
  return `remove ${pins.map((pin) => `--platform=${pin.platform} from ${dockerfile!.file}:${pin.line}`).join(' and ')}`;
}

export function checkExpose(config: ServiceConfig, image: ImageFacts): CheckResult {
  const port = soleWebService(config).port;
  if (image.exposedPorts.length === 0) return pass('expose-port', `the image exposes no port; berth publishes service.port ${port}`);
  if (image.exposedPorts.includes(port)) return pass('expose-port', `EXPOSE ${port} agrees with service.port`);
  const exposed = image.exposedPorts.join(', ');
  return warn(
    'expose-port',
    `the image exposes ${exposed} but service.port is ${port}`,
    `if the app listens on ${image.exposedPorts[0]}, set service.port: ${image.exposedPorts[0]}; otherwise change EXPOSE to ${port}`,
  );
}

export function runsAsRoot(user: string): boolean {
  const name = user.split(':')[0]!.trim();
  return name === '' || name === 'root' || name === '0';
}

export function checkImageUser(image: ImageFacts): CheckResult {
  if (!runsAsRoot(image.user)) return pass('image-user', `the image runs as user ${image.user}`);
  return warn(
    'image-user',
    'the image runs as root: a flaw in the app would give an attacker root in the container',
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
