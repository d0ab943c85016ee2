/**
 * Ownership of a local environment (the rule is src/model/ownership.ts): read and write the owner record, read
 * the project labels of what runs, refuse a deploy, rollback or destroy from another project, and take over.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../../config/model.js';
import { UsageError } from '../../errors.js';
import { LABEL_PROJECT, ownedByAnother, otherOwner, ownedElsewhereMessage, STATE_FILES, type OwnerRecord } from '../../model/index.js';
import { listContainers, stopAndRemove, type Docker } from './engine.js';
import { writePrivateFile } from './private-files.js';

export function readOwner(stateDir: string): OwnerRecord | undefined {
  const file = join(stateDir, STATE_FILES.owner);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as Partial<OwnerRecord>;
    return typeof record.project === 'string' ? { project: record.project, since: String(record.since ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

export function writeOwner(stateDir: string, project: string, now = new Date()): void {
  writePrivateFile(join(stateDir, STATE_FILES.owner), `${JSON.stringify({ project, since: now.toISOString() } satisfies OwnerRecord, null, 2)}\n`);
}

/** The other project owning the environment, from the record or else from the labels of its containers. */
export async function ownerElsewhere(config: Pick<ResolvedConfig, 'app' | 'env' | 'file'>, docker: Docker, stateDir: string): Promise<string | undefined> {
  return ownerOf(config, await listContainers(docker, config.app, config.env), stateDir);
}

function ownerOf(config: Pick<ResolvedConfig, 'file'>, containers: Docker.ContainerInfo[], stateDir: string): string | undefined {
  return otherOwner(config.file, readOwner(stateDir), containers.map((entry) => entry.Labels[LABEL_PROJECT]));
}

/** Before a destroy: refuses (exit 2) when another project owns the environment; records nothing. */
export async function refuseIfOwnedElsewhere(config: Pick<ResolvedConfig, 'app' | 'env' | 'file'>, docker: Docker, stateDir: string): Promise<void> {
  const other = await ownerElsewhere(config, docker, stateDir);
  if (!other) return;
  const { message } = ownedElsewhereMessage(config.app, config.env, other);
  throw new UsageError(message, `destroy it from there (berth destroy --config ${other}), or choose another app name in this berth.yml`);
}

/**
 * Before a deploy or rollback: refuses (exit 2) when another project owns the environment, unless
 * `takeOver`; then removes that project's containers (its balancer stops supervising them when it sees this
 * project's labels; volumes are kept and used) and records this project as the owner. Returns the previous owner
 * when it took over.
 */
export async function claimEnvironment(config: Pick<ResolvedConfig, 'app' | 'env' | 'file'>, docker: Docker, stateDir: string, takeOver: boolean): Promise<string | undefined> {
  const containers = await listContainers(docker, config.app, config.env);
  const other = ownerOf(config, containers, stateDir);
  if (other && !takeOver) {
    const { message, hint } = ownedElsewhereMessage(config.app, config.env, other);
    throw new UsageError(message, hint);
  }
  if (other) {
    const theirs = containers.filter((entry) => ownedByAnother(entry.Labels[LABEL_PROJECT], config.file));
    await Promise.all(theirs.map((entry) => stopAndRemove(docker, entry.Id, 10)));
  }
  if (other || readOwner(stateDir)?.project !== config.file) writeOwner(stateDir, config.file);
  return other;
}

/** True when a container of the environment belongs to another project than `project` (a take-over happened). */
export async function takenOver(docker: Docker, app: string, env: string, project: string | undefined): Promise<boolean> {
  if (!project) return false;
  const containers = await listContainers(docker, app, env);
  return containers.some((entry) => ownedByAnother(entry.Labels[LABEL_PROJECT], project));
}
