/**
 * Starts and removes the container probe's throw-away network, PostgreSQL and Redis (planned in
 * probe-dependency-plan.ts) with the local target's engine helpers, so the probe waits for them the
 * way `berth deploy` does before it starts replicas.
 */
import type Docker from 'dockerode';
import { containerLogTail, ensureNetwork, imagePresent, waitHealthy } from '../targets/local/engine.js';
import { describeDependencies, type ProbeDependencyPlan } from './probe-dependency-plan.js';

/** Seconds a dependency may take to pass its health check (deploy allows 180; an empty tmpfs database starts in seconds). */
const HEALTHY_WITHIN = 120;

export type DependencyStart =
  | { ok: true; seconds: number }
  | { ok: false; problem: string; fix: string; details?: string[] };

/** Creates the probe's network and starts its dependencies; resolves when all are healthy or one is not. */
export async function startProbeDependencies(docker: Docker, plan: ProbeDependencyPlan, onUpdate: (text: string) => void = () => undefined): Promise<DependencyStart> {
  const started = Date.now();
  await ensureNetwork(docker, plan);
  for (const dependency of plan.dependencies) {
    if (!(await imagePresent(docker, dependency.image))) {
      return {
        ok: false,
        problem: `the ${dependency.role} image ${dependency.image} is not on this engine`,
        fix: `run \`docker pull ${dependency.image}\` (or set ${dependency.role}.localImage in berth.yml to an image you have)`,
      };
    }
  }
  for (const dependency of plan.dependencies) {
    const container = await docker.createContainer(dependency.createOptions as Docker.ContainerCreateOptions);
    await container.start();
  }
  for (const dependency of plan.dependencies) {
    onUpdate(`waiting for ${describeDependencies([dependency])} to be healthy`);
    const state = await waitHealthy(docker, dependency.name, HEALTHY_WITHIN);
    if (state !== 'healthy') {
      return {
        ok: false,
        problem: `the throw-away ${describeDependencies([dependency])} the probe needs is ${state === 'timeout' ? `not healthy after ${HEALTHY_WITHIN}s` : state}`,
        fix: `check that the image works: \`docker run --rm ${dependency.image}\`; set ${dependency.role}.localImage in berth.yml to another image if it does not`,
        details: await containerLogTail(docker, dependency.name, 15),
      };
    }
  }
  return { ok: true, seconds: (Date.now() - started) / 1000 };
}

/**
 * Removes the probe's dependency containers and its network; never throws. `v: true` also removes an
 * anonymous volume an image may declare beside the tmpfs mount — never a named volume.
 */
export async function removeProbeDependencies(docker: Docker, plan: ProbeDependencyPlan): Promise<void> {
  await Promise.all(plan.dependencies.map((dependency) => docker.getContainer(dependency.name).remove({ force: true, v: true }).catch(() => undefined)));
  await docker.getNetwork(plan.network.name).remove().catch(() => undefined);
}
