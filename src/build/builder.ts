/**
 * Which builder `docker build` uses here: BuildKit when the docker CLI can drive it, else the classic builder.
 * A docker CLI from 23.0 on builds with BuildKit only through its buildx component; an older CLI (Debian's
 * docker.io 20.10) has BuildKit built in and uses it with DOCKER_BUILDKIT=1. berth sets DOCKER_BUILDKIT on
 * every build, so the choice is explicit, and a user's own DOCKER_BUILDKIT wins.
 */
import { builderCacheFile, builderFingerprint, readBuilderCache, writeBuilderCache } from './builder-cache.js';
import { runDocker } from './docker-cli.js';

export interface BuilderSupport {
  buildkit: boolean;
  /** buildx: the CLI's buildx component; built-in: a CLI before 23.0; env: the user's DOCKER_BUILDKIT. */
  via?: 'buildx' | 'built-in' | 'env';
  /** One line for progress and the docs: why this builder. */
  reason: string;
}

/** The first CLI major version that needs buildx for BuildKit. */
const BUILDX_ONLY_FROM = 23;

/** Decides the builder from what the CLI reports (pure). `clientVersion` is e.g. "28.2.2" or "20.10.24+dfsg1". */
export function chooseBuilder(facts: { clientVersion?: string; buildx: boolean; serverOs?: string; userSetting?: string }): BuilderSupport {
  if (facts.userSetting === '0' || facts.userSetting === 'false') return { buildkit: false, via: 'env', reason: 'DOCKER_BUILDKIT=0 is set' };
  if (facts.userSetting === '1' || facts.userSetting === 'true') return { buildkit: true, via: 'env', reason: 'DOCKER_BUILDKIT=1 is set' };
  if (facts.buildx) return { buildkit: true, via: 'buildx', reason: 'the docker CLI has the buildx component' };
  const major = Number.parseInt(facts.clientVersion ?? '', 10);
  if (Number.isInteger(major) && major < BUILDX_ONLY_FROM && facts.serverOs !== 'windows') {
    return { buildkit: true, via: 'built-in', reason: `docker CLI ${facts.clientVersion} has BuildKit built in` };
  }
  return { buildkit: false, reason: `docker CLI ${facts.clientVersion ?? '(unknown version)'} has no buildx component: the classic builder` };
}

let detected: Promise<BuilderSupport> | undefined;

/**
 * What the docker CLI can do: a user's DOCKER_BUILDKIT decides without asking; else the decision remembered for this
 * CLI, plugin and engine (builder-cache.ts); else the CLI is asked (two runs, about a third of a second), once per process.
 */
export function detectBuilder(env: NodeJS.ProcessEnv = process.env): Promise<BuilderSupport> {
  const chosen = chooseBuilder({ buildx: false, userSetting: env.DOCKER_BUILDKIT });
  if (chosen.via === 'env') return Promise.resolve(chosen);
  detected ??= askOrRemember(env);
  return detected;
}

/** detectBuilder without the per-process memory (tests). */
export async function askOrRemember(env: NodeJS.ProcessEnv = process.env): Promise<BuilderSupport> {
  const fingerprint = builderFingerprint(env);
  const file = builderCacheFile(env);
  const remembered = fingerprint ? readBuilderCache(file, fingerprint) : undefined;
  if (remembered) return remembered;
  const [version, buildx] = await Promise.all([
    runDocker(['version', '--format', '{{.Client.Version}}|{{.Server.Os}}'], { env: cliEnv(env) }).catch(() => undefined),
    runDocker(['buildx', 'version'], { env: cliEnv(env) }).catch(() => undefined),
  ]);
  const [clientVersion, serverOs] = (version?.stdout.trim() ?? '').split('|');
  const support = chooseBuilder({ clientVersion: clientVersion || undefined, serverOs: serverOs || undefined, buildx: buildx?.code === 0, userSetting: env.DOCKER_BUILDKIT });
  // Only a full answer is remembered: an engine that did not answer (stopped, starting) is asked again next time.
  if (fingerprint && version?.code === 0 && clientVersion && serverOs) writeBuilderCache(file, fingerprint, support);
  return support;
}

function cliEnv(env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  return env === process.env ? undefined : Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
