/**
 * The builder decision, remembered across runs. Asking the docker CLI (`docker version`, `docker buildx version`)
 * costs about a third of a second on every build; the answer changes only when the CLI, its buildx plugin or the
 * engine it talks to changes. So the decision is kept in <state>/builder.json beside a fingerprint of exactly those
 * (the docker binary on PATH, the buildx plugin in each directory the CLI searches, the CLI's config file and the
 * DOCKER_HOST / DOCKER_CONTEXT / DOCKER_CONFIG variables), and asked again when the fingerprint differs.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, stateRoot } from '../model/index.js';
import type { BuilderSupport } from './builder.js';

/** Where the docker CLI looks for plugins (docs.docker.com, "CLI plugins"), after $DOCKER_CONFIG/cli-plugins. */
const SYSTEM_PLUGIN_DIRS = ['/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];

function stamp(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.size}:${Math.trunc(stat.mtimeMs)}`;
  } catch {
    return '-';
  }
}

/** The first `docker` on PATH, as the CLI runs it. */
function dockerOnPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'docker');
    if (stamp(candidate) !== '-') return candidate;
  }
  return undefined;
}

/** What the builder decision depends on, as one string; undefined when there is no docker CLI (nothing to remember). */
export function builderFingerprint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const docker = dockerOnPath(env);
  if (!docker) return undefined;
  const config = env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  const plugins = [join(config, 'cli-plugins'), ...SYSTEM_PLUGIN_DIRS].map((dir) => `${dir}=${stamp(join(dir, 'docker-buildx'))}`);
  return JSON.stringify([docker, stamp(docker), ...plugins, stamp(join(config, 'config.json')), env.DOCKER_HOST ?? '', env.DOCKER_CONTEXT ?? '', env.DOCKER_CONFIG ?? '']);
}

export function builderCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateRoot(env), 'builder.json');
}

/** The remembered decision for this fingerprint, or undefined. */
export function readBuilderCache(file: string, fingerprint: string): BuilderSupport | undefined {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { fingerprint?: unknown; support?: BuilderSupport };
    if (saved.fingerprint !== fingerprint || typeof saved.support?.buildkit !== 'boolean' || typeof saved.support.reason !== 'string') return undefined;
    return saved.support;
  } catch {
    return undefined;
  }
}

/** Remembers a decision; best effort (a read-only state folder only costs the next run the question). */
export function writeBuilderCache(file: string, fingerprint: string, support: BuilderSupport): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ fingerprint, support })}\n`, { mode: PRIVATE_FILE_MODE });
    renameSync(temporary, file);
  } catch {
    // not remembered
  }
}
