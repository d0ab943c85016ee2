/**
 * What a killed `berth doctor` left on the engine. A probe removes its containers and network when it ends, on
 * Ctrl-C too, but not when its process is killed (kill -9, a closed terminal's SIGHUP, a machine that went down):
 * its throw-away PostgreSQL may keep running, and its network holds a subnet. Every probe labels what it creates
 * with the doctor run that owns it (LABEL_DOCTOR_RUN: pid and start time); the next probe of the same app removes
 * what belongs to no live doctor. A doctor that is still running (another terminal) is left alone.
 */
import type Docker from 'dockerode';
import { LABEL_APP, LABEL_DOCTOR_RUN, LABEL_ROLE } from '../model/index.js';
import { processIdentity } from '../targets/local/process-identity.js';

/** This process as the owner of a probe: `<pid>:<start time>` (the start time tells a reused pid apart). */
export function doctorRunOwner(pid: number = process.pid): string {
  return `${pid}:${processIdentity(pid)?.startTime ?? 'unknown'}`;
}

/** Whether the doctor run named by a probe's owner label is still running (the same pid and start time). */
export function doctorRunAlive(owner: string): boolean {
  const separator = owner.indexOf(':');
  const pid = Number(owner.slice(0, separator));
  if (separator < 1 || !Number.isInteger(pid)) return false;
  return processIdentity(pid)?.startTime === owner.slice(separator + 1);
}

/**
 * Whether a probe's container or network was abandoned (pure): its owner is not running. One without an owner label
 * is from a berth before the label existed, whose probes never outlive their run by design: abandoned too.
 */
export function abandonedProbe(labels: Record<string, string> | undefined, alive: (owner: string) => boolean): boolean {
  const owner = labels?.[LABEL_DOCTOR_RUN];
  return owner === undefined || !alive(owner);
}

/** Removes the containers (with their anonymous volumes), then the networks, that killed doctor runs of `app` left; never throws. */
export async function removeAbandonedProbes(docker: Docker, app: string, alive: (owner: string) => boolean = doctorRunAlive): Promise<number> {
  const filters = { label: [`${LABEL_APP}=${app}`, `${LABEL_ROLE}=doctor`] };
  const containers = (await docker.listContainers({ all: true, filters }).catch(() => [])).filter((container) => abandonedProbe(container.Labels, alive));
  await Promise.all(containers.map((container) => docker.getContainer(container.Id).remove({ force: true, v: true }).catch(() => undefined)));
  const networks = (await docker.listNetworks({ filters }).catch(() => [])).filter((network) => abandonedProbe(network.Labels, alive));
  await Promise.all(networks.map((network) => docker.getNetwork(network.Id).remove().catch(() => undefined)));
  return containers.length + networks.length;
}
