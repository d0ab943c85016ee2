/**
 * Pushing the built image to the app's ECR repository. The registry password comes from
 * ecr:GetAuthorizationToken through the SDK (no aws CLI, no `docker login` left behind in
 * ~/.docker/config.json: the Docker engine gets it per push). Layers the registry already has are
 * skipped by the engine; the digest the registry answers is what the task definition pins.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import type Docker from 'dockerode';
import { OperationError, UsageError } from '../../errors.js';
import { gitShaTag, isReservedTag, releaseTag } from '../../model/index.js';
import { awsCall } from './aws-errors.js';

export interface RegistryAuth {
  username: string;
  password: string;
  /** https://<account>.dkr.ecr.<region>.amazonaws.com (or an emulator's registry). */
  serveraddress: string;
}

/** Decodes ECR's base64 "AWS:<password>" token (pure). */
export function decodeEcrToken(token: string, proxyEndpoint: string): RegistryAuth {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new OperationError('ECR answered with an authorization token berth cannot read', 'check AWS_ENDPOINT_URL: the endpoint does not behave like Amazon ECR');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: proxyEndpoint };
}

/** A registry password for the account's ECR (valid 12 hours; berth asks for a fresh one per deploy). */
export async function ecrAuth(ecr: ECRClient): Promise<RegistryAuth> {
  const answer = await awsCall('logging in to Amazon ECR (ecr:GetAuthorizationToken)', () => ecr.send(new GetAuthorizationTokenCommand({})));
  const data = answer.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) throw new OperationError('ECR answered without an authorization token', 'check that the AWS identity may call ecr:GetAuthorizationToken');
  return decodeEcrToken(data.authorizationToken, data.proxyEndpoint);
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Checks a --tag value against Docker's tag grammar (pure). */
export function checkTag(tag: string): void {
  if (!TAG.test(tag)) throw new UsageError(`--tag ${tag}: not a valid image tag`, 'use letters, digits, _, . and - (at most 128, not starting with . or -), e.g. v1.4.2');
  if (isReservedTag(tag)) throw new UsageError(`--tag ${tag}: berth sets <env>-release-N and sha-<commit> tags itself`, 'pick another name, e.g. v1.4.2');
}

/** The tags of one pushed release: `<env>-release-<n>`, `sha-<git short sha>` in a git repo, and --tag (pure). */
export function releaseTags(options: { env: string; release: number; gitSha?: string; extra?: string }): string[] {
  const tags = [releaseTag(options.env, options.release)];
  if (options.gitSha) tags.push(gitShaTag(options.gitSha));
  if (options.extra) tags.push(options.extra);
  return tags;
}

/** The short commit of the folder holding berth.yml, or undefined outside a git repository. */
export async function gitShortSha(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', '--short=7', 'HEAD'], { cwd: dir });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The registry host of a repository URI: 123.dkr.ecr.eu-west-1.amazonaws.com/berth-shop -> the host. */
export function registryHost(repositoryUri: string): string {
  return repositoryUri.split('/')[0]!;
}

interface PushEvent {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

export interface PushSummary {
  /** sha256:... manifest digest, as the registry stores it. */
  digest: string;
  /** repository@sha256:... */
  image: string;
  tags: string[];
  layersPushed: number;
  layersSkipped: number;
}

/** What a finished push stream says (pure): the digest, the layers pushed or already there, or the error. */
export function summarizePush(events: readonly PushEvent[]): { digest?: string; pushed: number; skipped: number; error?: string } {
  const pushed = new Set<string>();
  const skipped = new Set<string>();
  let digest: string | undefined;
  let error: string | undefined;
  for (const event of events) {
    if (event.error || event.errorDetail?.message) error = event.errorDetail?.message ?? event.error;
    if (event.aux?.Digest) digest = event.aux.Digest;
    if (event.id && event.status === 'Pushed') pushed.add(event.id);
    if (event.id && event.status === 'Layer already exists') skipped.add(event.id);
    const match = /digest: (sha256:[0-9a-f]{64})/.exec(event.status ?? '');
    if (match && !digest) digest = match[1];
  }
  return { digest, pushed: pushed.size, skipped: skipped.size, error };
}

function pushHint(error: string, repositoryUri: string): string {
  if (/unauthorized|authentication required|denied/i.test(error)) return `the AWS identity needs ecr:InitiateLayerUpload/PutImage on ${repositoryUri}`;
  if (/tag invalid|immutable/i.test(error)) return 'the repository has immutable tags and this tag exists; use another --tag';
  return 'check the network connection to the registry and run the deploy again';
}

/**
 * Tags the local image for the repository and pushes each tag; returns the digest of the pushed manifest.
 * onProgress receives short lines such as "pushing layer 3a1f… (2 of 5 already in the registry)".
 */
export async function pushImage(
  docker: Docker,
  request: { localImage: string; repositoryUri: string; tags: readonly string[]; auth: RegistryAuth; onProgress?: (line: string) => void },
): Promise<PushSummary> {
  if (request.tags.length === 0) throw new Error('pushImage needs at least one tag');
  const authconfig = { username: request.auth.username, password: request.auth.password, serveraddress: request.auth.serveraddress };
  let summary: ReturnType<typeof summarizePush> | undefined;
  let pushed = 0;
  let skipped = 0;
  for (const tag of request.tags) {
    await docker.getImage(request.localImage).tag({ repo: request.repositoryUri, tag });
    const stream = await docker.getImage(`${request.repositoryUri}:${tag}`).push({ authconfig });
    const events = await new Promise<PushEvent[]>((resolve, reject) => {
      docker.modem.followProgress(stream, (error: Error | null, output: PushEvent[]) => (error ? reject(error) : resolve(output)), (event: PushEvent) => {
        if (event.status === 'Pushing' || event.status === 'Pushed' || event.status === 'Layer already exists') request.onProgress?.(`${tag}: ${event.status.toLowerCase()} ${event.id ?? ''}`.trim());
      });
    }).catch((error: Error) => { throw new OperationError(`pushing ${request.repositoryUri}:${tag} failed: ${error.message}`, pushHint(error.message, request.repositoryUri)); });
    const result = summarizePush(events);
    if (result.error) throw new OperationError(`pushing ${request.repositoryUri}:${tag} failed: ${result.error}`, pushHint(result.error, request.repositoryUri));
    if (!result.digest) throw new OperationError(`pushing ${request.repositoryUri}:${tag} finished without a digest from the registry`, 'run the deploy again; if it persists, push by hand with `docker push` to see the registry\'s answer');
    if (summary?.digest && summary.digest !== result.digest) throw new OperationError(`the registry reported two digests for one image (${summary.digest}, ${result.digest})`);
    summary ??= result;
    pushed += result.pushed;
    skipped += result.skipped;
  }
  const digest = summary!.digest!;
  return { digest, image: `${request.repositoryUri}@${digest}`, tags: [...request.tags], layersPushed: pushed, layersSkipped: skipped };
}
