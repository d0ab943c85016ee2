/**
 * What configuration needs from a service's Dockerfile before anything is built: that it is one (a file named as
 * build.dockerfile that has no FROM is refused without showing a line of it), and whether the image it builds can
 * run berth's container health check, which needs /bin/sh (FROM scratch, distroless and chiseled images have none).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parseDockerfile } from '../build/dockerfile.js';
import { DOCKERFILE_MAX_BYTES } from './limits.js';

export type DockerfileFacts =
  | { dockerfile: true; /** The external image the built stage starts from, e.g. "scratch". */ rootImage: string }
  | { dockerfile: false; /** Why it is not a Dockerfile berth can build, without its contents. */ reason: string };

const cache = new Map<string, DockerfileFacts>();

/** Reads at most DOCKERFILE_MAX_BYTES of the file (which the caller has checked is a regular file inside the project). */
export function dockerfileFacts(path: string, target?: string): DockerfileFacts {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return { dockerfile: false, reason: `it cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const stats = fstatSync(fd);
    const key = `${path}\0${target ?? ''}\0${stats.size}\0${stats.mtimeMs}`;
    const known = cache.get(key);
    if (known) return known;
    if (!stats.isFile()) return { dockerfile: false, reason: 'it is not a file' };
    if (stats.size > DOCKERFILE_MAX_BYTES) return { dockerfile: false, reason: `it is larger than ${DOCKERFILE_MAX_BYTES / 1024 / 1024} MiB` };
    const buffer = Buffer.alloc(stats.size);
    const length = stats.size === 0 ? 0 : readSync(fd, buffer, 0, stats.size, 0);
    const facts = factsOf(buffer.subarray(0, length), target);
    cache.set(key, facts);
    return facts;
  } finally {
    closeSync(fd);
  }
}

function factsOf(bytes: Buffer, target: string | undefined): DockerfileFacts {
  if (bytes.includes(0)) return { dockerfile: false, reason: 'it is a binary file' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { dockerfile: false, reason: 'it is not UTF-8 text' };
  }
  const info = parseDockerfile(text, target === undefined ? {} : { target });
  if (!info.finalStage) return { dockerfile: false, reason: 'it has no FROM instruction' };
  return { dockerfile: true, rootImage: info.finalStage.rootImage };
}

/**
 * Base images without /bin/sh: `scratch`, Google's distroless (except its :debug tags), Chainguard's images
 * (except -dev tags) and Ubuntu chiseled images. berth's container health check cannot run in them.
 */
export function imageHasNoShell(image: string): boolean {
  const reference = image.trim().toLowerCase();
  if (reference === 'scratch') return true;
  const tag = /:([^/@]+)(?:@|$)/.exec(reference)?.[1] ?? '';
  if (reference.startsWith('gcr.io/distroless/')) return !tag.includes('debug');
  if (reference.startsWith('cgr.dev/chainguard/')) return !tag.includes('dev');
  return /chiseled/.test(tag);
}
