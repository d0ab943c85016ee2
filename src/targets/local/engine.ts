/**
 * The Docker Engine API through dockerode: typed, structured answers (container state, health, published
 * ports, demultiplexed logs) without parsing CLI text. Builds go through the docker CLI (src/build).
 */
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { OperationError } from '../../errors.js';
import { logLines, tailLines, tailRequest } from './log-lines.js';
import { LABEL_APP, LABEL_ENV, LABEL_RELEASE, LABEL_ROLE } from '../../model/index.js';
import { dependencyCreateOptions, replicaCreateOptions, type DependencySpec, type LocalPlan, type LongRunningServicePlan } from '../../plan/local/local-plan.js';

export type { Docker };

export function connectEngine(): Docker {
  return new Docker();
}

/** `repository` and `tag` of an image reference (`localhost:5000/app:v1` -> localhost:5000/app, v1; no tag: latest). */
export function splitImageReference(reference: string): { repo: string; tag: string } {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) } : { repo: reference, tag: 'latest' };
}

/** Gives an image (by id or reference) the tag `reference`, through the Engine API (no CLI start). */
export async function tagEngineImage(docker: Docker, source: string, reference: string): Promise<void> {
  try {
    await docker.getImage(source).tag(splitImageReference(reference));
  } catch (error) {
    throw engineError(error, `tagging ${source} as ${reference}`);
  }
}

/** The `repository:tag` references of one image repository on the engine. */
export async function engineImageTags(docker: Docker, repository: string): Promise<string[]> {
  const images = await docker.listImages({ filters: { reference: [repository] } });
  return images.flatMap((image) => image.RepoTags ?? []).filter((tag) => tag.startsWith(`${repository}:`));
}

/** Removes image tags (each image stays while other tags or containers use it); a tag already gone is fine. */
export async function removeEngineImageTags(docker: Docker, references: readonly string[]): Promise<void> {
  await Promise.all(references.map((reference) => docker.getImage(reference).remove().catch(() => undefined)));
}

/** Turns "connect ENOENT /var/run/docker.sock" into something a person can act on. */
export function engineError(error: unknown, doing: string): OperationError {
  const message = error instanceof Error ? error.message : String(error);
  if (/ENOENT|ECONNREFUSED|docker\.sock/.test(message)) {
    return new OperationError(`cannot reach the Docker engine while ${doing}: ${message}`, 'start the Docker engine (`sudo systemctl start docker`, or scripts/setup-local-engine.sh) and run again');
  }
  return new OperationError(`Docker engine: ${doing}: ${message}`);
}

export interface ReplicaContainer {
  id: string;
  name: string;
  service: string;
  kind: 'web' | 'worker';
  /** http://127.0.0.1:<published port> for a web replica; '' for a worker (nothing to reach). */
  url: string;
}

/** Label filters of an app environment (optionally one role / release). */
export function labelFilter(app: string, env: string, role?: string, release?: number): { label: string[] } {
  const label = [`${LABEL_APP}=${app}`, `${LABEL_ENV}=${env}`];
  if (role) label.push(`${LABEL_ROLE}=${role}`);
  if (release !== undefined) label.push(`${LABEL_RELEASE}=${release}`);
  return { label };
}

export async function listContainers(docker: Docker, app: string, env: string, role?: string, release?: number): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: labelFilter(app, env, role, release) });
}

export async function ensureNetwork(docker: Docker, plan: Pick<LocalPlan, 'network'>): Promise<void> {
  const existing = await docker.listNetworks({ filters: { name: [plan.network.name] } });
  if (existing.some((network) => network.Name === plan.network.name)) return;
  await docker.createNetwork({ Name: plan.network.name, Driver: 'bridge', Labels: plan.network.labels });
}

export async function imagePresent(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Creates (when missing) and starts one dependency; the named volume outlives the container. */
export async function ensureDependency(docker: Docker, plan: LocalPlan, dependency: DependencySpec): Promise<void> {
  const container = docker.getContainer(dependency.name);
  let state: Docker.ContainerInspectInfo | undefined;
  try {
    state = await container.inspect();
  } catch {
    state = undefined;
  }
  // A new image, or host names it does not answer yet (the compose aliases): recreate it; its data is in the volume.
  const aliases = state?.NetworkSettings.Networks?.[plan.network.name]?.Aliases ?? [];
  if (state && (state.Config.Image !== dependency.image || !dependency.aliases.every((alias) => aliases.includes(alias)))) {
    await container.remove({ force: true });
    state = undefined;
  }
  if (!state) {
    if (!(await imagePresent(docker, dependency.image))) {
      throw new OperationError(`the ${dependency.role} image ${dependency.image} is not on this engine`, `run \`docker pull ${dependency.image}\` (or set ${dependency.role}.localImage in berth.yml to an image you have)`);
    }
    await docker.createContainer(dependencyCreateOptions(plan, dependency) as Docker.ContainerCreateOptions);
  }
  if (!state?.State.Running) await container.start().catch((error: unknown) => {
    if (!/already started/.test(String(error))) throw error;
  });
}

/** Waits for the engine's health check of a container to say healthy. */
export async function waitHealthy(docker: Docker, name: string, timeoutSeconds: number, signal?: AbortSignal): Promise<'healthy' | 'unhealthy' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline && !signal?.aborted) {
    const state = (await docker.getContainer(name).inspect()).State;
    if (!state.Running && !state.Restarting) return 'exited';
    const health = state.Health?.Status;
    if (health === 'healthy') return 'healthy';
    if (health === 'unhealthy') return 'unhealthy';
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return 'timeout';
}

/** The host port the engine published for a container port, if running. */
export function publishedPort(info: Docker.ContainerInspectInfo, port: number): number | undefined {
  const binding = info.NetworkSettings.Ports?.[`${port}/tcp`]?.[0];
  return binding?.HostPort ? Number(binding.HostPort) : undefined;
}

/** Creates and starts one replica of a service; secret values go straight into the create call. */
export async function startReplica(docker: Docker, plan: Pick<LocalPlan, 'network'>, service: LongRunningServicePlan, index: number, secrets: Record<string, string>): Promise<ReplicaContainer> {
  const name = `${service.namePrefix}-${index}-${randomBytes(2).toString('hex')}`;
  const container = await docker.createContainer(replicaCreateOptions(plan, service, name, secrets) as Docker.ContainerCreateOptions);
  await container.start();
  const info = await container.inspect();
  const port = service.kind === 'web' ? publishedPort(info, service.port) : undefined;
  return { id: info.Id, name, service: service.name, kind: service.kind, url: port ? `http://127.0.0.1:${port}` : '' };
}

/** The replica index in a replica's name (`...-r4-2-3f2a` -> 2). */
export function replicaIndex(name: string): number {
  return Number(/-(\d+)-[0-9a-f]{4}$/.exec(name)?.[1] ?? 0);
}

export async function removeContainer(docker: Docker, idOrName: string): Promise<void> {
  try {
    await docker.getContainer(idOrName).remove({ force: true });
  } catch (error) {
    if (!/no such container|404/i.test(String(error))) throw error;
  }
}

/** Stops a container gracefully (SIGTERM, then SIGKILL after `seconds`), then removes it. */
export async function stopAndRemove(docker: Docker, idOrName: string, seconds = 10): Promise<void> {
  try {
    await docker.getContainer(idOrName).stop({ t: seconds });
  } catch {
    // already stopped or gone
  }
  await removeContainer(docker, idOrName);
}

/**
 * The code of a container's last exit: its state's while it is stopped or restarting; once the engine has started it
 * again (restart policy) the state says 0, so the engine's last `die` event for it says. Undefined when unknown.
 */
export async function lastExitCode(docker: Docker, info: Docker.ContainerInspectInfo): Promise<number | undefined> {
  if (!info.State.Running) return info.State.ExitCode;
  if (info.RestartCount === 0) return undefined;
  try {
    const since = Math.floor(Date.parse(info.Created) / 1000);
    const stream = await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000), filters: { container: [info.Id], event: ['die'] } });
    const text = await new Promise<string>((resolve, reject) => {
      let body = '';
      stream.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
      stream.on('end', () => resolve(body));
      stream.on('error', reject);
    });
    const codes = text.split('\n').filter((line) => line.trim() !== '').map((line) => Number((JSON.parse(line) as { Actor?: { Attributes?: { exitCode?: string } } }).Actor?.Attributes?.exitCode));
    return codes.filter((code) => Number.isInteger(code)).at(-1);
  } catch {
    return undefined;
  }
}

/** The last lines a container printed (stdout and stderr), oldest first. */
export async function containerLogTail(docker: Docker, idOrName: string, lines = 20): Promise<string[]> {
  try {
    const buffer = (await docker.getContainer(idOrName).logs({ stdout: true, stderr: true, tail: tailRequest(lines), follow: false })) as unknown as Buffer;
    return tailLines(buffer, lines).map((entry) => entry.text).filter((line) => line.trim() !== '');
  } catch {
    return [];
  }
}

/**
 * Splits a non-TTY log stream (8-byte frame headers) into whole lines, joining lines the engine split at 16 KiB;
 * also accepts plain text. `timestamps`: the logs were asked for with timestamps.
 */
export function demuxBuffer(buffer: Buffer, options: { timestamps?: boolean } = {}): Array<{ stream: 'stdout' | 'stderr'; text: string }> {
  return logLines(buffer, options);
}
