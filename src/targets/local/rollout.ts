/**
 * Rolling replace on the local engine — the local version of an ECS deployment with its circuit breaker:
 * start the new replicas, wait until the balancer's own health checks pass, put them in rotation, drain
 * the old ones (in-flight requests finish), stop them. A new replica that exits or fails its checks stops
 * the rollout: the new replicas are removed and the old release keeps serving.
 */
import { soleWebService } from '../../model/transitional.js';
import { LABEL_RELEASE, labelFilters, releasePlanFile, STATE_FILES } from '../../model/index.js';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../../terminal/progress.js';
import type { ResolvedConfig } from '../../config/model.js';
import { emptyEvidence, type FailureEvidence } from '../../doctor/failure-evidence.js';
import { planLocal, type LocalPlan } from '../../plan/local/local-plan.js';
import type { DeployOutcome, Release } from '../operations.js';
import type { BackendEntry, BalancerConfig, BalancerStatus } from './balancer-model.js';
import type { BalancerClient } from './balancer-client.js';
import { containerLogTail, ensureDependency, ensureNetwork, startReplica, stopAndRemove, waitHealthy, type Docker, type ReplicaContainer } from './engine.js';
import type { ReleaseStore } from './release-store.js';

export interface RolloutContext {
  config: ResolvedConfig;
  docker: Docker;
  balancer: BalancerClient;
  releases: ReleaseStore;
  stateDir: string;
  secrets: Record<string, string>;
  databasePassword?: string;
  progress: Progress;
  timeoutSeconds: number;
}

export interface RolloutRequest {
  release: number;
  image: string;
  digest: string;
  rollbackOf?: number;
}

/** Replaces every secret value in text with ***, so log tails can be shown. */
export function redactSecrets(lines: readonly string[], secrets: Record<string, string>): string[] {
  const values = Object.values(secrets).filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
  return lines.map((line) => values.reduce((text, value) => text.split(value).join('***'), line));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function createdBy(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
}

/** Starts the dependencies and waits until the engine's health checks pass. */
export async function startDependencies(context: RolloutContext, plan: LocalPlan): Promise<void> {
  if (plan.dependencies.length === 0) return;
  const step = context.progress.step(`Dependencies: ${plan.dependencies.map((dependency) => dependency.engine).join(', ')}`);
  for (const dependency of plan.dependencies) {
    const volumes = await context.docker.listVolumes({ filters: { name: [dependency.volume.name] } });
    if (!volumes.Volumes?.some((volume) => volume.Name === dependency.volume.name)) {
      await context.docker.createVolume({ Name: dependency.volume.name, Labels: dependency.labels });
    }
    await ensureDependency(context.docker, plan, dependency);
  }
  for (const dependency of plan.dependencies) {
    step.update(`waiting for ${dependency.name} to be healthy`);
    const result = await waitHealthy(context.docker, dependency.name, 180);
    if (result !== 'healthy') {
      const tail = await containerLogTail(context.docker, dependency.name, 15);
      step.fail(`${dependency.engine} is ${result}`);
      throw Object.assign(new Error(`${dependency.role} ${dependency.name} (${dependency.image}) is ${result}${tail.length ? `; last lines:\n${tail.map((line) => `  ${line}`).join('\n')}` : ''}`), { dependencyTail: tail });
    }
  }
  step.succeed('healthy');
}

function balancerConfig(plan: LocalPlan, backends: BackendEntry[], supervise: BalancerConfig['supervise']): BalancerConfig {
  return {
    app: plan.app,
    env: plan.env,
    port: plan.balancer.port,
    health: plan.balancer.health,
    stickySeconds: plan.balancer.stickySeconds,
    cookieName: plan.balancer.cookieName,
    backends,
    supervise,
  };
}

interface ReplicaVerdict {
  healthy: boolean;
  reason?: string;
}

/** Watches the new replicas until all are healthy in the balancer, one fails, or time runs out. */
async function waitForReplicas(context: RolloutContext, replicas: ReplicaContainer[], onCount: (healthy: number) => void): Promise<ReplicaVerdict & { status?: BalancerStatus; failed?: ReplicaContainer }> {
  const deadline = Date.now() + context.timeoutSeconds * 1000;
  const health = soleWebService(context.config).health;
  let status: BalancerStatus | undefined;
  while (Date.now() < deadline) {
    status = await context.balancer.status();
    if (!status) return { healthy: false, reason: 'the load balancer process stopped (see balancer.log in the state folder)' };
    let healthy = 0;
    for (const replica of replicas) {
      const backend = status.backends.find((entry) => entry.id === replica.name);
      const info = await context.docker.getContainer(replica.id).inspect().catch(() => undefined);
      if (!info) return { healthy: false, reason: `replica ${replica.name} was removed`, status, failed: replica };
      if (info.RestartCount > 0 || (!info.State.Running && !info.State.Restarting)) {
        return { healthy: false, reason: `replica ${replica.name} exited with code ${info.State.ExitCode}${info.State.OOMKilled ? ' (out of memory: raise service.memory)' : ''}`, status, failed: replica };
      }
      if (backend?.health === 'unhealthy') {
        return { healthy: false, reason: `replica ${replica.name} failed the health check ${health.unhealthyThreshold} times in a row: ${backend.lastError ?? 'no answer'} (service.health.path is ${health.path})`, status, failed: replica };
      }
      if (backend?.health === 'healthy') healthy += 1;
    }
    onCount(healthy);
    if (healthy === replicas.length) return { healthy: true, status };
    await sleep(300);
  }
  const stuck = replicas.find((replica) => status?.backends.find((entry) => entry.id === replica.name)?.health !== 'healthy') ?? replicas[0];
  const lastError = status?.backends.find((entry) => entry.id === stuck?.name)?.lastError;
  return { healthy: false, reason: `replica ${stuck?.name ?? ''} was not healthy within ${context.timeoutSeconds}s${lastError ? ` (last check: ${lastError})` : ''}`, status, failed: stuck };
}

/** Runs one release: the shared core of deploy and rollback. */
export async function rollout(context: RolloutContext, request: RolloutRequest): Promise<DeployOutcome> {
  const { config, docker, progress } = context;
  const plan = planLocal(config, { release: request.release, image: request.image, databasePassword: context.databasePassword });
  const release: Release = { number: request.release, image: request.image, digest: request.digest, createdAt: new Date().toISOString(), createdBy: createdBy(), status: 'failed', ...(request.rollbackOf ? { rollbackOf: request.rollbackOf } : {}) };

  await ensureNetwork(docker, plan);
  await startDependencies(context, plan);

  mkdirSync(context.stateDir, { recursive: true });
  const planFile = releasePlanFile(context.stateDir, request.release);
  // The plan holds the generated local database password (never user secrets): owner-only.
  writeFileSync(planFile, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  chmodSync(planFile, 0o600);

  const previous = context.balancer.savedConfig();
  const oldBackends = (previous?.backends ?? []).filter((backend) => backend.role !== 'candidate');
  const count = plan.replicas.count;
  const start = progress.step(`Start ${count} replica${count === 1 ? '' : 's'} of release ${request.release}`);
  const replicas: ReplicaContainer[] = [];
  for (let index = 1; index <= count; index += 1) {
    replicas.push(await startReplica(docker, plan, index, context.secrets));
    start.update(`${index}/${count} started`);
  }
  start.succeed(`${count}/${count} started`);

  const candidates: BackendEntry[] = replicas.map((replica) => ({ id: replica.name, containerId: replica.id, release: request.release, url: replica.url, role: 'candidate' }));
  await context.balancer.apply(balancerConfig(plan, [...oldBackends, ...candidates], previous?.supervise));

  const health = progress.step(`Health checks (${soleWebService(config).health.path} every ${soleWebService(config).health.interval}s, ${soleWebService(config).health.healthyThreshold} passes)`);
  const verdict = await waitForReplicas(context, replicas, (healthy) => health.update(`${healthy}/${count} healthy`));
  if (!verdict.healthy) {
    health.fail(verdict.reason);
    const failed = verdict.failed ?? replicas[0]!;
    const logTail = redactSecrets(await containerLogTail(docker, failed.id, 30), context.secrets);
    const evidence = await gatherEvidence(context, replicas, verdict, logTail);
    const cleanup = progress.step(`Remove the new replicas; ${oldBackends.length ? `release ${previous?.supervise?.release ?? ''} keeps serving` : 'nothing was serving before'}`);
    // Nothing served before this release: no balancer is left answering 503.
    if (oldBackends.length) await context.balancer.apply(balancerConfig(plan, oldBackends, previous?.supervise));
    else await context.balancer.stop();
    await Promise.all(replicas.map((replica) => stopAndRemove(docker, replica.id, 2)));
    cleanup.succeed();
    context.releases.record(release);
    // The record `berth doctor` reads (src/doctor/last-failure.ts in the doctor branch): { recordedAt, release, evidence }.
    writeFileSync(join(context.stateDir, STATE_FILES.lastFailure), `${JSON.stringify({ recordedAt: new Date().toISOString(), release: request.release, evidence }, null, 2)}\n`);
    return { ok: false, env: config.env, release, url: oldBackends.length ? plan.url : undefined, reasons: [verdict.reason ?? 'a new replica did not become healthy'], logTail, evidence };
  }
  health.succeed(`${count}/${count} healthy`);

  const rotation = progress.step('Rotation');
  const promoted: BackendEntry[] = [
    ...candidates.map((backend) => ({ ...backend, role: 'active' as const })),
    ...oldBackends.map((backend) => ({ ...backend, role: 'draining' as const })),
  ];
  await context.balancer.apply(balancerConfig(plan, promoted, { release: request.release, count, planFile }));
  rotation.succeed(`release ${request.release} in rotation at ${plan.url}`);

  if (oldBackends.length) {
    const drain = progress.step(`Drain ${oldBackends.length} replica${oldBackends.length === 1 ? '' : 's'} of the previous release`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await context.balancer.status();
      const inflight = (status?.backends ?? []).filter((backend) => backend.role === 'draining').reduce((sum, backend) => sum + backend.inflight, 0);
      if (inflight === 0 || Date.now() > deadline) break;
      drain.update(`${inflight} request${inflight === 1 ? '' : 's'} in flight`);
      await sleep(200);
    }
    await context.balancer.apply(balancerConfig(plan, promoted.filter((backend) => backend.role === 'active'), { release: request.release, count, planFile }));
    await Promise.all(oldBackends.map((backend) => stopAndRemove(docker, backend.containerId, 10)));
    drain.succeed('stopped');
  }
  // Replicas of older releases the balancer no longer knows about (e.g. after a crash of berth itself).
  for (const container of await docker.listContainers({ all: true, filters: { label: labelFilters(config.app, config.env, 'app') } })) {
    if (container.Labels[LABEL_RELEASE] !== String(request.release)) await stopAndRemove(docker, container.Id, 10);
  }
  release.status = 'deployed';
  context.releases.record(release);
  rmSync(join(context.stateDir, STATE_FILES.lastFailure), { force: true });
  return { ok: true, env: config.env, release, url: plan.url, reasons: [], logTail: [] };
}

async function gatherEvidence(context: RolloutContext, replicas: ReplicaContainer[], verdict: ReplicaVerdict & { status?: BalancerStatus }, logTail: string[]): Promise<FailureEvidence> {
  const evidence = emptyEvidence('local');
  for (const replica of replicas) {
    const info = await context.docker.getContainer(replica.id).inspect().catch(() => undefined);
    if (info && (!info.State.Running || info.RestartCount > 0)) {
      evidence.stoppedTasks.push({
        id: replica.name,
        stoppedReason: info.State.OOMKilled ? 'OutOfMemory: container killed due to memory usage' : 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        containers: [{ name: 'app', exitCode: info.State.ExitCode, reason: info.State.Error || undefined }],
      });
    }
  }
  for (const backend of verdict.status?.backends ?? []) {
    if (!replicas.some((replica) => replica.name === backend.id)) continue;
    const reason = backend.lastError?.startsWith('HTTP') ? 'Target.ResponseCodeMismatch' : backend.lastError?.startsWith('no answer') ? 'Target.Timeout' : backend.lastError ? 'Target.FailedHealthChecks' : undefined;
    evidence.targetHealth.push({ target: backend.id, state: backend.health === 'initial' ? 'initial' : backend.health === 'down' ? 'unavailable' : backend.health, reason, description: backend.lastError });
  }
  evidence.serviceEvents = [verdict.reason ?? 'rollout stopped', ...(verdict.status?.events ?? []).slice(0, 20)];
  evidence.logTail = logTail;
  return evidence;
}
