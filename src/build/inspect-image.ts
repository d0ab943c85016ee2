/** What berth needs to know about an image: architecture, user, exposed ports, id and digest; and tagging. */
import { OperationError } from '../errors.js';
import { runDocker } from './docker-cli.js';

export interface ImageInfo {
  /** sha256:... image id (the local content address). */
  id: string;
  /** `amd64`, `arm64`, ... as Docker reports it. */
  architecture: string;
  os: string;
  /** The USER the image runs as ('' means root). */
  user: string;
  /** Container ports the image EXPOSEs (TCP). */
  exposedPorts: number[];
  /** Registry digest (sha256:...) when the image was pushed or pulled, else undefined. */
  digest?: string;
  /** repository@sha256 references. */
  repoDigests: string[];
  repoTags: string[];
  labels: Record<string, string>;
  created: string;
}

interface RawInspect {
  Id: string;
  Architecture: string;
  Os: string;
  Created: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Config?: { User?: string; ExposedPorts?: Record<string, unknown> | null; Labels?: Record<string, string> | null };
}

/** Turns `docker image inspect` JSON into ImageInfo (pure). */
export function imageInfoFrom(raw: RawInspect): ImageInfo {
  const exposedPorts = Object.keys(raw.Config?.ExposedPorts ?? {})
    .filter((key) => !key.endsWith('/udp'))
    .map((key) => Number.parseInt(key, 10))
    .filter((port) => Number.isInteger(port))
    .sort((a, b) => a - b);
  const repoDigests = raw.RepoDigests ?? [];
  const digest = repoDigests[0]?.split('@')[1];
  return {
    id: raw.Id,
    architecture: raw.Architecture,
    os: raw.Os,
    user: raw.Config?.User ?? '',
    exposedPorts,
    digest,
    repoDigests,
    repoTags: raw.RepoTags ?? [],
    labels: raw.Config?.Labels ?? {},
    created: raw.Created,
  };
}

/** Inspects a local image; undefined when the engine does not have it. */
export async function inspectImage(reference: string): Promise<ImageInfo | undefined> {
  const run = await runDocker(['image', 'inspect', reference]);
  if (run.code !== 0) {
    if (/no such image/i.test(run.stderr)) return undefined;
    throw new OperationError(`docker image inspect ${reference} failed: ${run.stderr.trim()}`, 'check that the Docker engine is running (`docker info`)');
  }
  const parsed = JSON.parse(run.stdout) as RawInspect[];
  return parsed[0] ? imageInfoFrom(parsed[0]) : undefined;
}

/** Gives an existing image another tag. */
export async function tagImage(source: string, target: string): Promise<void> {
  const run = await runDocker(['tag', source, target]);
  if (run.code !== 0) throw new OperationError(`docker tag ${source} ${target} failed: ${run.stderr.trim()}`);
}

/** Removes an image tag (the image stays while other tags or containers use it). */
export async function removeImageTag(reference: string): Promise<void> {
  await runDocker(['image', 'rm', reference]);
}
