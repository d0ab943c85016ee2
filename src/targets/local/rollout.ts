/**
 * Rolling replace on the local engine — the local version of an ECS deployment with its circuit breaker, for
 * every service of the app under one release number: run the release's `before` task (a failure stops the
 * release before any replica changes), start the new replicas of every web and worker service, wait until the
 * balancer's checks pass (web: HTTP health per service; worker: the process keeps running, or its health
 * command passes), put them in rotation, drain the old web replicas (in-flight requests finish), stop the old
 * ones. A new replica that exits or fails its checks stops the rollout: the new replicas are removed and the old
 * release keeps serving. Each step is its own function so an interrupt can be handled between them.
 */
import { rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ResolvedConfig } from '../../config/model.js';
import { emptyEvidence, type FailureEvidence } from '../../doctor/failure-evidence.js';
import { awsHealthCheckNote, FAST_PROBE_SECONDS, LABEL_RELEASE, labelFilters, releasePlanFile, releaseTaskContainerName, STATE_FILES } from '../../model/index.js';
import { planLocal, type LocalPlan, type LongRunningServicePlan } from '../../plan/local/local-plan.js';
import type { Progress } from '../../terminal/progress.js';
import type { DeployOutcome, Release } from '../operations.js';
import type { BalancerClient } from './balancer-client.js';
import { WORKER_STABLE_SECONDS, type BackendEntry, type BalancerConfig, type BalancerStatus, type PoolConfig } from './balancer-model.js';
import { containerLogTail, ensureDependency, ensureNetwork, lastExitCode, startReplica, stopAndRemove, waitHealthy, type Docker, type ReplicaContainer } from './engine.js';
import { writePrivateFile } from './private-files.js';
import { releasePlanText } from './release-plan-file.js';
import { redactSecrets } from './redact.js';
import type { ReleaseStore } from './release-store.js';
import { clearTrafficSwitch, describeWait, readTrafficSwitch, returnTraffic, sendTestRequests, testPortOf, testRequests, writeTrafficSwitch, type TrafficSwitchState } from './set-switch.js';
import { runTaskToEnd } from './task-container.js';

export { redactSecrets } from './redact.js';

export interface RolloutContext {
  config: ResolvedConfig;
  docker: Docker;
  balancer: BalancerClient;
  releases: ReleaseStore;
  stateDir: string;
  secrets: Record<string, string>;
  databasePassword?: string;
  /** Every value to mask in what berth shows: the secrets' values and the generated credentials (LocalSecretFile.maskValues). */
  mask: string[];
  progress: Progress;
  timeoutSeconds: number;
  /** Ctrl-C / SIGTERM: the rollout stops at the next step and is undone. */
  signal?: AbortSignal;
}

export interface RolloutRequest {
  release: number;
  /** The release's app image (shown in `berth releases`); every service runs its release tag. */
  image: string;
  digest: string;
  rollbackOf?: number;
  /** The plan to run instead of today's berth.yml's: a rollback's (src/plan/local/rollback-plan.ts). */
  plan?: LocalPlan;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createdBy(): string {
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
    const result = await waitHealthy(context.docker, dependency.name, 180, context.signal);
    if (context.signal?.aborted) {
      // The dependencies stay (they hold the data and serve the running release); the caller undoes the rest.
      step.fail('interrupted');
      return;
    }
    if (result !== 'healthy') {
      const tail = redactSecrets(await containerLogTail(context.docker, dependency.name, 15), context.mask);
      step.fail(`${dependency.engine} is ${result}`);
      throw Object.assign(new Error(`${dependency.role} ${dependency.name} (${dependency.image}) is ${result}${tail.length ? `; last lines:\n${tail.map((line) => `  ${line}`).join('\n')}` : ''}`), { dependencyTail: tail });
    }
  }
  step.succeed('healthy');
}

function pools(plan: LocalPlan): PoolConfig[] {
  return plan.services.flatMap((service) => (service.kind === 'web' ? [{ service: service.name, health: service.health, stickySeconds: service.stickySeconds, cookieName: service.cookieName }] : []));
}

function balancerConfig(plan: LocalPlan, backends: BackendEntry[], supervise: BalancerConfig['supervise'], previous?: BalancerConfig): BalancerConfig {
  // While candidates are checked the old routes stay (a new route must not send requests to replicas not yet in
  // rotation), and the old pools stay beside the new ones so both releases are checked.
  const routing = previous?.routing ?? plan.balancer?.routing ?? { rules: [] };
  const newPools = pools(plan);
  const merged = previous ? [...newPools, ...previous.pools.filter((pool) => !newPools.some((entry) => entry.service === pool.service))] : newPools;
  return {
    app: plan.app,
    env: plan.env,
    ...(plan.balancer ? { port: plan.balancer.port } : {}),
    routing,
    pools: merged,
    backends,
    ...(supervise ? { supervise } : {}),
  };
}

function supervision(plan: LocalPlan, planFile: string): NonNullable<BalancerConfig['supervise']> {
  return { release: plan.release, counts: Object.fromEntries(plan.services.map((service) => [service.name, service.count])), planFile };
}

/** The balancer configuration a release serves with once deployed (its routing, pools and supervision), from its kept plan. */
export function servingBalancerConfig(plan: LocalPlan, planFile: string, backends: BackendEntry[]): BalancerConfig {
  return balancerConfig(plan, backends, supervision(plan, planFile));
}

function describeCounts(plan: LocalPlan): string {
  const total = plan.services.reduce((sum, service) => sum + service.count, 0);
  const parts = plan.services.length > 1 ? ` (${plan.services.map((service) => `${service.name} ${service.count}`).join(', ')})` : '';
  return `${total} replica${total === 1 ? '' : 's'}${parts}`;
}

function describeChecks(plan: LocalPlan): string {
  return plan.services.map((service) => {
    const what = service.kind === 'web'
      ? `${service.health.path}, ${service.health.healthyThreshold} passes, ${FAST_PROBE_SECONDS}s apart until healthy`
      : service.health ? `${service.health.command.join(' ')} every ${service.health.interval}s` : `running for ${WORKER_STABLE_SECONDS}s`;
    return plan.services.length > 1 ? `${service.name}: ${what}` : what;
  }).join('; ');
}

interface ReplicaVerdict {
  healthy: boolean;
  interrupted?: boolean;
  reason?: string;
  status?: BalancerStatus;
  failed?: ReplicaContainer;
}

function unhealthyReason(service: LongRunningServicePlan | undefined, replica: ReplicaContainer, lastError: string | undefined): string {
  if (service?.kind === 'web') return `replica ${replica.name} failed the health check ${service.health.unhealthyThreshold} times in a row: ${lastError ?? 'no answer'} (health.path of service ${service.name} is ${service.health.path})`;
  if (service?.kind === 'worker' && service.health) return `worker ${replica.name} failed its health command (${service.health.command.join(' ')}) ${service.health.unhealthyThreshold} times in a row`;
  return `replica ${replica.name} is unhealthy: ${lastError ?? 'no reason given'}`;
}

/** Seconds between reads of a web replica's sockets while its health checks cannot connect. */
const SOCKET_READ_SECONDS = 2;
/**
 * How long the sockets must say the same conclusive thing (another port, loopback only) before the rollout stops
 * on it, inside the grace period too: an app that binds a side port first and its service port a moment later is
 * not stopped, and a wrong port is named within seconds rather than after the grace period and every failed check.
 */
const MISBOUND_STABLE_SECONDS = 10;

/**
 * Reads the sockets of web replicas whose checks cannot connect, and returns the first replica whose sockets have
 * said for MISBOUND_STABLE_SECONDS that it listens elsewhere (src/doctor/failure-observations.ts socketsVerdict).
 */
function misboundWatcher(context: RolloutContext, plan: LocalPlan): (replica: ReplicaContainer, lastError: string | undefined) => Promise<string | undefined> {
  const seen = new Map<string, { verdict: string; since: number; readAt: number }>();
  return async (replica, lastError) => {
    const service = plan.services.find((entry) => entry.name === replica.service);
    if (service?.kind !== 'web' || !lastError?.startsWith('connection')) {
      seen.delete(replica.name);
      return undefined;
    }
    const now = Date.now();
    const last = seen.get(replica.name);
    if (last && now - last.readAt < SOCKET_READ_SECONDS * 1000) return now - last.since >= MISBOUND_STABLE_SECONDS * 1000 ? last.verdict : undefined;
    const { socketsByExec } = await import('../../doctor/engine-checks.js');
    const { socketsVerdict } = await import('../../doctor/failure-observations.js');
    const sockets = await socketsByExec(context.docker.getContainer(replica.id)).catch(() => undefined);
    const verdict = sockets ? socketsVerdict(sockets, service.port) : undefined;
    if (!verdict) {
      seen.delete(replica.name);
      return undefined;
    }
    const since = last?.verdict === verdict ? last.since : now;
    seen.set(replica.name, { verdict, since, readAt: now });
    return now - since >= MISBOUND_STABLE_SECONDS * 1000 ? verdict : undefined;
  };
}

/** Seconds between reads of a failing web replica's log while it still runs. */
const LOG_READ_SECONDS = 2;

/**
 * Reads the log of web replicas whose checks fail while they still run, and returns what explains the failure by
 * itself in it (a host name that does not resolve, a module that is missing: the doctor's conclusiveWhileRunning),
 * so the rollout stops at once instead of after the grace period and every check. Log lines are masked first.
 */
function logEvidenceWatcher(context: RolloutContext, plan: LocalPlan): (replica: ReplicaContainer, lastError: string | undefined) => Promise<string | undefined> {
  const readAt = new Map<string, number>();
  return async (replica, lastError) => {
    const service = plan.services.find((entry) => entry.name === replica.service);
    if (service?.kind !== 'web' || !lastError) return undefined;
    const now = Date.now();
    if (now - (readAt.get(replica.name) ?? 0) < LOG_READ_SECONDS * 1000) return undefined;
    readAt.set(replica.name, now);
    const evidence = emptyEvidence('local');
    evidence.service = replica.service;
    evidence.logTail = redactSecrets(await containerLogTail(context.docker, replica.id, 30), context.mask);
    evidence.targetHealth = [{ target: replica.name, state: 'initial', description: lastError }];
    const { conclusiveWhileRunning } = await import('../../doctor/diagnose.js');
    const found = conclusiveWhileRunning(evidence, context.config);
    return found ? `${found.title.charAt(0).toLowerCase()}${found.title.slice(1)} (its log: ${found.evidence[0] ?? lastError})` : undefined;
  };
}

/**
 * Exits of a new replica its rollout lets the engine restart (restart policy unless-stopped) before it fails the
 * deploy: one, as ECS replaces a task that stopped while the deployment goes on. Replicas start together, and apps
 * that create their tables at start-up race each other on a fresh database; the one that loses starts again and
 * finds the tables there. An app that cannot start exits again at once and fails the deploy as before.
 */
const RESTARTS_ALLOWED = 1;
/** How often the rollout looks at its new replicas (the balancer probes them every FAST_PROBE_SECONDS). */
const WATCH_MS = 50;

/** Watches the new replicas until all are healthy in the balancer, one fails, or time runs out. */
async function waitForReplicas(context: RolloutContext, plan: LocalPlan, replicas: ReplicaContainer[], onCount: (healthy: number) => void): Promise<ReplicaVerdict> {
  const deadline = Date.now() + context.timeoutSeconds * 1000;
  const misbound = misboundWatcher(context, plan);
  const logged = logEvidenceWatcher(context, plan);
  let status: BalancerStatus | undefined;
  const restartsSaid = new Map<string, number>();
  while (Date.now() < deadline) {
    if (context.signal?.aborted) return { healthy: false, interrupted: true, status };
    status = await context.balancer.status();
    if (!status) return { healthy: false, reason: 'the load balancer process stopped (see balancer.log in the state folder)' };
    let healthy = 0;
    for (const replica of replicas) {
      const backend = status.backends.find((entry) => entry.id === replica.name);
      const info = await context.docker.getContainer(replica.id).inspect().catch(() => undefined);
      if (!info) return { healthy: false, reason: `replica ${replica.name} was removed`, status, failed: replica };
      if (info.RestartCount > RESTARTS_ALLOWED || (!info.State.Running && !info.State.Restarting)) {
        const code = await lastExitCode(context.docker, info);
        return { healthy: false, reason: `replica ${replica.name} exited${code === undefined ? '' : ` with code ${code}`}${info.State.OOMKilled ? ' (out of memory: raise its memory in berth.yml)' : ''}`, status, failed: replica };
      }
      if (info.RestartCount > (restartsSaid.get(replica.name) ?? 0)) {
        restartsSaid.set(replica.name, info.RestartCount);
        const code = await lastExitCode(context.docker, info);
        context.progress.warn(`replica ${replica.name} exited${code === undefined ? '' : ` with code ${code}`} while starting; the engine started it again (another exit fails the deploy; \`berth logs\` shows why)`);
      }
      if (backend?.health === 'unhealthy') {
        return { healthy: false, reason: unhealthyReason(plan.services.find((service) => service.name === replica.service), replica, backend.lastError), status, failed: replica };
      }
      if (backend?.health === 'healthy') healthy += 1;
      else if (info.State.Running) {
        // Evidence that explains the failure by itself: stop now rather than after the grace period and every check.
        const explained = (await misbound(replica, backend?.lastError)) ?? (await logged(replica, backend?.lastError));
        if (explained) return { healthy: false, reason: `replica ${replica.name}: ${explained}`, status, failed: replica };
      }
    }
    onCount(healthy);
    if (healthy === replicas.length) return { healthy: true, status };
    // Each look is a loopback request to the balancer and one engine inspect per replica (a few milliseconds).
    await sleep(WATCH_MS);
  }
  const stuck = replicas.find((replica) => status?.backends.find((entry) => entry.id === replica.name)?.health !== 'healthy') ?? replicas[0];
  const lastError = status?.backends.find((entry) => entry.id === stuck?.name)?.lastError;
  return { healthy: false, reason: `replica ${stuck?.name ?? ''} was not healthy within ${context.timeoutSeconds}s${lastError ? ` (last check: ${lastError})` : ''}`, status, failed: stuck };
}

function newRelease(request: RolloutRequest): Release {
  return { number: request.release, image: request.image, digest: request.digest, createdAt: new Date().toISOString(), createdBy: createdBy(), status: 'failed', ...(request.rollbackOf ? { rollbackOf: request.rollbackOf } : {}) };
}

function writePlan(context: RolloutContext, plan: LocalPlan): string {
  const planFile = releasePlanFile(context.stateDir, plan.release);
  // Without the generated database password (readers put it back from the secrets file), and owner-only.
  writePrivateFile(planFile, releasePlanText(plan, context.databasePassword));
  return planFile;
}

function recordFailure(context: RolloutContext, release: Release, evidence: FailureEvidence): void {
  context.releases.record(release);
  // The record `berth doctor` reads (src/doctor/last-failure.ts): { recordedAt, release, evidence }; it holds log lines: owner-only.
  writePrivateFile(join(context.stateDir, STATE_FILES.lastFailure), `${JSON.stringify({ recordedAt: new Date().toISOString(), release: release.number, evidence }, null, 2)}\n`);
}

/**
 * The release's `before` task: one throw-away container of the new image on the environment's network, run to its
 * end before any replica changes. A failure (non-zero exit, or still running at --timeout) stops the release.
 */
async function runBeforeTask(context: RolloutContext, plan: LocalPlan): Promise<{ ok: true } | { ok: false; interrupted: true } | { ok: false; interrupted?: undefined; reason: string; logTail: string[]; evidence: FailureEvidence }> {
  const before = plan.before;
  if (!before) return { ok: true };
  const name = releaseTaskContainerName(plan.app, plan.env, plan.release);
  const step = context.progress.step(`Release task before traffic moves: ${before.command.join(' ')} (image of ${before.service})`);
  // Ctrl-C / SIGTERM stops the task's container (SIGTERM, SIGKILL after 10 s); runTaskToEnd removes it.
  const result = await runTaskToEnd(context.docker, plan, before.container, { name }, context.secrets, { timeoutMs: context.timeoutSeconds * 1000, ...(context.signal ? { signal: context.signal } : {}) });
  if (result.interrupted) {
    step.fail('interrupted: the task was stopped and removed');
    return { ok: false, interrupted: true };
  }
  if (result.exitCode === 0 && !result.timedOut) {
    step.succeed('exit 0');
    return { ok: true };
  }
  const reason = result.timedOut
    ? `the release.before task (${before.command.join(' ')}) was still running after ${context.timeoutSeconds}s and was stopped; no replica was changed`
    : `the release.before task (${before.command.join(' ')}) exited with code ${result.exitCode}; no replica was changed`;
  step.fail(result.timedOut ? 'timed out' : `exit ${result.exitCode}`);
  const logTail = redactSecrets(result.tail, context.mask);
  const evidence = emptyEvidence('local');
  evidence.stoppedTasks.push({ id: name, stoppedReason: 'Essential container in task exited', stopCode: 'EssentialContainerExited', containers: [{ name: 'before', exitCode: result.exitCode }] });
  evidence.serviceEvents = [reason];
  evidence.logTail = logTail;
  return { ok: false, reason, logTail, evidence };
}

/** Starts every replica of every web and worker service of the release, all at once (the engine creates them in parallel). */
async function startReplicas(context: RolloutContext, plan: LocalPlan): Promise<ReplicaContainer[]> {
  const step = context.progress.step(`Start ${describeCounts(plan)} of release ${plan.release}`);
  const wanted = plan.services.flatMap((service) => Array.from({ length: service.count }, (_, index) => ({ service, index: index + 1 })));
  let started = 0;
  const results = await Promise.allSettled(wanted.map(async ({ service, index }) => {
    const replica = await startReplica(context.docker, plan, service, index, context.secrets);
    started += 1;
    step.update(`${started}/${wanted.length} started`);
    return replica;
  }));
  const replicas = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    step.fail();
    await Promise.all(replicas.map((replica) => stopAndRemove(context.docker, replica.id, 2)));
    throw failure.reason;
  }
  step.succeed(`${wanted.length}/${wanted.length} started`);
  return replicas;
}

function entriesOf(replicas: readonly ReplicaContainer[], release: number): BackendEntry[] {
  return replicas.map((replica) => ({ id: replica.name, containerId: replica.id, release, service: replica.service, kind: replica.kind, url: replica.url, role: 'candidate' }));
}

/**
 * Drains the old web replicas (in-flight requests finish, up to 30 s), then stops and removes every old replica,
 * workers included. With `interruptible`, Ctrl-C / SIGTERM before the stop returns false with every old replica still
 * running, so the caller can put them back in rotation (undoAfterSwitch); once they stop, the drain finishes.
 */
export async function retire(context: Pick<RolloutContext, 'docker' | 'balancer' | 'progress' | 'signal'>, oldBackends: readonly BackendEntry[], options: { whose?: string; interruptible?: boolean } = {}): Promise<boolean> {
  if (oldBackends.length === 0) return true;
  const web = oldBackends.filter((backend) => backend.kind === 'web');
  const step = context.progress.step(`Drain ${oldBackends.length} replica${oldBackends.length === 1 ? '' : 's'} of ${options.whose ?? 'the previous release'}`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (options.interruptible && context.signal?.aborted) {
      step.fail('interrupted; its replicas still run');
      return false;
    }
    if (web.length === 0) break;
    const status = await context.balancer.status();
    const inflight = (status?.backends ?? []).filter((backend) => backend.role === 'draining').reduce((sum, backend) => sum + backend.inflight, 0);
    if (inflight === 0 || Date.now() > deadline) break;
    step.update(`${inflight} request${inflight === 1 ? '' : 's'} in flight`);
    await sleep(200);
  }
  // From here the old replicas stop: an interrupt can no longer bring them back (the rollout then finishes).
  await Promise.all(oldBackends.map((backend) => stopAndRemove(context.docker, backend.containerId, 10)));
  step.succeed('stopped');
  return true;
}

/** A balancer configuration without a deploy's switch settings (canary split, test listener). */
export function withoutSwitch(config: BalancerConfig): BalancerConfig {
  const { split: _split, testPort: _testPort, testRouting: _testRouting, ...rest } = config;
  return rest;
}

/**
 * Undoes a rollout interrupted after its switch, while the previous release drains and its replicas still run: one
 * balancer change puts them back in rotation (the previous routing and supervision, as before the deploy) with the
 * new replicas draining; the new replicas finish their in-flight requests and are removed; the release is recorded
 * interrupted. Returns the outcome with one line saying what was undone.
 */
async function undoAfterSwitch(context: RolloutContext, release: Release, candidates: readonly BackendEntry[], previous: BalancerConfig | undefined, oldBackends: readonly BackendEntry[]): Promise<DeployOutcome> {
  const serving = previous?.supervise?.release ?? oldBackends[0]?.release;
  const base = withoutSwitch(previous ?? context.balancer.savedConfig()!);
  const back = oldBackends.map((backend) => ({ ...backend, role: 'active' as const }));
  const leaving = candidates.map((backend) => ({ ...backend, role: 'draining' as const }));
  const returned = context.progress.step(`Return traffic to release ${serving}`);
  await context.balancer.apply({ ...base, backends: [...back, ...leaving] });
  returned.succeed(`release ${serving} is in rotation again`);
  await retire(context, leaving, { whose: `release ${release.number}` });
  await context.balancer.apply({ ...base, backends: back });
  clearTrafficSwitch(context.stateDir);
  const line = `interrupted while release ${serving} drained: release ${serving} is back in rotation and the ${candidates.length} new replica${candidates.length === 1 ? '' : 's'} of release ${release.number} removed; release ${serving} keeps serving`;
  const ended: Release = { ...release, status: 'interrupted', reason: line };
  context.releases.record(ended);
  return { ok: false, env: context.config.env, release: ended, ...(base.port !== undefined ? { url: `http://127.0.0.1:${base.port}` } : {}), reasons: [line], logTail: [], interrupted: line };
}

/**
 * Undoes an interrupted rollout before its replicas took traffic: the previous routing back, the new replicas
 * removed, the release recorded as interrupted. Returns the outcome with one line saying what was undone.
 */
async function undoRollout(context: RolloutContext, release: Release, replicas: readonly ReplicaContainer[], previous: BalancerConfig | undefined, oldBackends: BackendEntry[], undone?: string): Promise<DeployOutcome> {
  const serving = previous?.supervise?.release;
  if (replicas.length) {
    if (previous && oldBackends.length) await context.balancer.apply({ ...previous, backends: oldBackends });
    else await context.balancer.stop();
    await Promise.all(replicas.map((replica) => stopAndRemove(context.docker, replica.id, 2)));
  }
  const what = undone ?? (replicas.length ? `removed the ${replicas.length} new replica${replicas.length === 1 ? '' : 's'} of release ${release.number}` : `release ${release.number} started no replica`);
  const line = `interrupted: ${what}; ${oldBackends.length && serving !== undefined ? `release ${serving} keeps serving` : 'nothing was serving before'}`;
  context.releases.record({ ...release, status: 'interrupted', reason: line });
  return { ok: false, env: context.config.env, release: { ...release, status: 'interrupted', reason: line }, ...(oldBackends.length && previous?.port !== undefined ? { url: `http://127.0.0.1:${previous.port}` } : {}), reasons: [line], logTail: [], interrupted: line };
}

/** Runs one release: the shared core of deploy and rollback. */
export async function rollout(context: RolloutContext, request: RolloutRequest): Promise<DeployOutcome> {
  const { config, docker, progress } = context;
  const plan = request.plan ?? planLocal(config, { release: request.release, databasePassword: context.databasePassword });
  const release = newRelease(request);
  // Still `deploying`, now with its image and digest: a deploy killed after its switch leaves a complete record.
  context.releases.record({ ...release, createdAt: context.releases.get(request.release)?.createdAt ?? release.createdAt, status: 'deploying' });

  const previous = context.balancer.savedConfig();
  const oldBackends = (previous?.backends ?? []).filter((backend) => backend.role !== 'candidate');
  await ensureNetwork(docker, plan);
  await startDependencies(context, plan);
  if (context.signal?.aborted) return undoRollout(context, release, [], previous, oldBackends);
  const planFile = writePlan(context, plan);

  const serving = Boolean(previous?.supervise) && (await context.balancer.status()) !== undefined;
  // A rollback restores images whose `before` task already ran when they were released: it does not run again.
  const before = request.rollbackOf === undefined ? await runBeforeTask(context, plan) : ({ ok: true } as const);
  if (!before.ok && before.interrupted) {
    return undoRollout(context, release, [], previous, oldBackends, `stopped and removed the release.before task of release ${release.number}; no replica was changed`);
  }
  if (context.signal?.aborted) return undoRollout(context, release, [], previous, oldBackends);
  if (!before.ok) {
    // No diagnosis: the reason already says exactly what failed (the before task's exit), and the table of known
    // failures would read a task that ran to its end as an app that stopped soon after starting.
    recordFailure(context, { ...release, reason: before.reason }, before.evidence);
    return { ok: false, env: config.env, release: { ...release, reason: before.reason }, url: serving && previous?.port !== undefined ? `http://127.0.0.1:${previous.port}` : undefined, reasons: [before.reason], logTail: before.logTail, logTailOf: 'the release.before task', evidence: before.evidence };
  }

  const replicas = await startReplicas(context, plan);
  if (context.signal?.aborted) return undoRollout(context, release, replicas, previous, oldBackends);
  const candidates = entriesOf(replicas, request.release);
  await context.balancer.apply(balancerConfig(plan, [...oldBackends, ...candidates], previous?.supervise, previous));

  const total = replicas.length;
  const health = progress.step(`Health checks (${describeChecks(plan)})`);
  const verdict = await waitForReplicas(context, plan, replicas, (healthy) => health.update(`${healthy}/${total} healthy`));
  // The new replicas leave; the old release (if any) keeps serving as it did.
  const abandon = async (reason: string, failed: ReplicaContainer, status?: BalancerStatus): Promise<DeployOutcome> => {
    const logTail = redactSecrets(await containerLogTail(docker, failed.id, 30), context.mask);
    const evidence = await gatherEvidence(context, replicas, { healthy: false, reason, ...(status ? { status } : {}), failed }, logTail, failed);
    const cleanup = progress.step(`Remove the new replicas; ${oldBackends.length ? `release ${previous?.supervise?.release ?? ''} keeps serving` : 'nothing was serving before'}`);
    // Nothing served before this release: no balancer is left answering 503.
    if (previous && oldBackends.length) await context.balancer.apply({ ...previous, backends: oldBackends });
    else await context.balancer.stop();
    await Promise.all(replicas.map((replica) => stopAndRemove(docker, replica.id, 2)));
    cleanup.succeed();
    recordFailure(context, { ...release, reason }, evidence);
    return { ok: false, env: config.env, release: { ...release, reason }, url: oldBackends.length && previous?.port !== undefined ? `http://127.0.0.1:${previous.port}` : undefined, reasons: [reason], logTail, evidence, diagnoses: await diagnosesOf(config, evidence) };
  };
  if (verdict.interrupted || (verdict.healthy && context.signal?.aborted)) {
    health.fail('interrupted');
    return undoRollout(context, release, replicas, previous, oldBackends);
  }
  if (!verdict.healthy) {
    health.fail(verdict.reason);
    return abandon(verdict.reason ?? 'a new replica did not become healthy', verdict.failed ?? replicas[0]!, verdict.status);
  }
  const web = plan.services.find((service) => service.kind === 'web');
  health.succeed(`${total}/${total} healthy${web?.kind === 'web' ? `; ${awsHealthCheckNote(web.health)}` : ''}`);

  const supervise = supervision(plan, planFile);
  // blue-green and canary switch sets only when a set serves already; a first deploy just starts.
  const testPort = testPortOf(plan);
  if (config.deploy.strategy !== 'rolling' && testPort !== undefined && oldBackends.some((backend) => backend.kind === 'web')) {
    const switched = await switchSets(context, plan, { release, candidates, oldBackends, previous: previous!, supervise, testPort, abandon: (reason) => abandon(reason, replicas[0]!), undo: () => undoRollout(context, release, replicas, previous, oldBackends) });
    if (switched) return switched;
  } else {
    const rotation = progress.step('Rotation');
    const promoted: BackendEntry[] = [
      ...candidates.map((backend) => ({ ...backend, role: 'active' as const })),
      ...oldBackends.map((backend) => ({ ...backend, role: 'draining' as const })),
    ];
    await context.balancer.apply(balancerConfig(plan, promoted, supervise));
    rotation.succeed(plan.url ? `release ${request.release} in rotation at ${plan.url}` : `release ${request.release} running`);
    if (!(await retire(context, oldBackends, { interruptible: true }))) return undoAfterSwitch(context, release, candidates, previous, oldBackends);
  }
  await context.balancer.apply(balancerConfig(plan, candidates.map((backend) => ({ ...backend, role: 'active' as const })), supervise));
  // Replicas of older releases the balancer no longer knows about (e.g. after a crash of berth itself).
  for (const container of await docker.listContainers({ all: true, filters: { label: labelFilters(config.app, config.env, 'app') } })) {
    if (container.Labels[LABEL_RELEASE] !== String(request.release)) await stopAndRemove(docker, container.Id, 10);
  }
  release.status = 'deployed';
  context.releases.record(release);
  rmSync(join(context.stateDir, STATE_FILES.lastFailure), { force: true });
  // Ctrl-C / SIGTERM once the previous release's replicas were stopping or gone: nothing to go back to, so the new
  // release stays deployed and serving (never nothing serving); the line says so and the exit code is still 130.
  const late = context.signal?.aborted
    ? `interrupted too late to undo: ${oldBackends.length ? `the replicas of release ${previous?.supervise?.release ?? oldBackends[0]!.release} had already stopped` : 'nothing was serving before'}, so release ${request.release} stays deployed and serving${oldBackends.length ? ' (`berth rollback` goes back)' : ''}`
    : undefined;
  return { ok: true, env: config.env, release, ...(plan.url ? { url: plan.url } : {}), reasons: [], logTail: [], ...(late ? { interrupted: late } : {}) };
}

interface SwitchInput {
  release: Release;
  candidates: BackendEntry[];
  oldBackends: BackendEntry[];
  previous: BalancerConfig;
  supervise: NonNullable<BalancerConfig['supervise']>;
  testPort: number;
  abandon: (reason: string) => Promise<DeployOutcome>;
  /** Ctrl-C / SIGTERM before the switch: the same undo as a rolling deploy's (undoRollout). */
  undo: () => Promise<DeployOutcome>;
}

/**
 * blue-green and canary (berth.yml `deploy`): test requests through the test listener reach only the new replicas;
 * then all traffic switches at once (canary: the configured share first, for its time), the old replicas stay ready
 * for the bake time and are drained after it. A new replica failing meanwhile, `berth rollback`, or an interrupt
 * (Ctrl-C, SIGTERM) returns traffic to the old ones at once; the outcome says so. Resolves with an outcome when the
 * release does not stay, else undefined.
 */
async function switchSets(context: RolloutContext, plan: LocalPlan, input: SwitchInput): Promise<DeployOutcome | undefined> {
  const { config, progress, balancer, stateDir } = context;
  const { candidates, oldBackends, previous, supervise, testPort } = input;
  const release = input.release.number;
  const previousRelease = previous.supervise?.release ?? oldBackends[0]!.release;
  const active = candidates.map((backend) => ({ ...backend, role: 'active' as const }));

  const testing = progress.step(`Test requests through 127.0.0.1:${testPort} (the new replicas only; release ${previousRelease} keeps all traffic)`);
  await balancer.apply({ ...balancerConfig(plan, [...oldBackends, ...candidates], previous.supervise, previous), testPort, ...(plan.balancer ? { testRouting: plan.balancer.routing } : {}) });
  const failed = await sendTestRequests(config, testPort);
  if (context.signal?.aborted) {
    testing.fail('interrupted');
    return input.undo();
  }
  if (failed) {
    testing.fail(failed);
    return input.abandon(`${failed}; no production request reached release ${release}`);
  }
  testing.succeed(`${testRequests(config, testPort).length} answered 2xx`);

  const state: TrafficSwitchState = { release, previous: previousRelease, ...(previous.supervise ? { previousSupervise: previous.supervise } : {}), pid: process.pid, phase: 'bake' };
  const phases: Array<{ phase: 'canary' | 'bake'; seconds: number; backends: BackendEntry[]; split?: BalancerConfig['split'] }> = [
    ...(config.deploy.strategy === 'canary' ? [{ phase: 'canary' as const, seconds: config.deploy.canary.for, backends: [...active, ...oldBackends], split: { release, percent: config.deploy.canary.percent } }] : []),
    { phase: 'bake', seconds: config.deploy.bake, backends: [...active, ...oldBackends.map((backend) => ({ ...backend, role: 'standby' as const }))] },
  ];
  for (const step of phases) {
    writeTrafficSwitch(stateDir, { ...state, phase: step.phase });
    await balancer.apply({ ...balancerConfig(plan, step.backends, supervise), ...(step.split ? { split: step.split } : {}) });
    const shown = progress.step(describeWait(config.deploy, step.phase, previousRelease));
    const returned = await holdTraffic(context, { ...state, phase: step.phase }, step.seconds, candidates);
    if (returned) {
      shown.fail(returned.interrupted ? 'interrupted' : returned.reason);
      return trafficReturned(context, input.release, candidates, returned, previous.port);
    }
    shown.succeed(step.phase === 'canary' ? `release ${release} takes all traffic` : `release ${release} stays`);
  }
  clearTrafficSwitch(stateDir);
  await balancer.apply(balancerConfig(plan, [...active, ...oldBackends.map((backend) => ({ ...backend, role: 'draining' as const }))], supervise));
  if (!(await retire(context, oldBackends, { interruptible: true }))) return undoAfterSwitch(context, input.release, candidates, previous, oldBackends);
  return undefined;
}

interface TrafficReturn {
  reason: string;
  /** The release that has the traffic again. */
  previous: number;
  /** Ctrl-C / SIGTERM: the release is recorded interrupted and the command exits 130, as after a rolling deploy's undo. */
  interrupted?: boolean;
}

/** Waits `seconds` while the new replicas serve; returns why traffic went back to the old ones, if it did. */
async function holdTraffic(context: RolloutContext, state: TrafficSwitchState, seconds: number, candidates: readonly BackendEntry[]): Promise<TrafficReturn | undefined> {
  const deadline = Date.now() + seconds * 1000;
  const giveBack = async () => {
    await returnTraffic(context.balancer, state);
    writeTrafficSwitch(context.stateDir, { ...state, returned: true });
  };
  for (;;) {
    if (readTrafficSwitch(context.stateDir)?.returned) return { reason: `\`berth rollback\` returned traffic to release ${state.previous}`, previous: state.previous };
    if (context.signal?.aborted) {
      await giveBack();
      return { reason: `interrupted during the ${state.phase}; traffic returned to release ${state.previous}`, previous: state.previous, interrupted: true };
    }
    const status = await context.balancer.status();
    const broken = status?.backends.find((backend) => candidates.some((candidate) => candidate.id === backend.id) && (backend.health === 'unhealthy' || backend.health === 'down'));
    if (!status || broken) {
      await giveBack();
      return {
        reason: broken
          ? `replica ${broken.id} became ${broken.health}${broken.lastError ? ` (${broken.lastError})` : ''}; traffic returned to release ${state.previous}`
          : 'the load balancer process stopped',
        previous: state.previous,
      };
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
  }
}

/**
 * After traffic went back: drain and remove the new replicas, record the release as rolled back — or, after an
 * interrupt, as interrupted with the one line saying what was undone (exit 130, as a rolling deploy's undo).
 */
async function trafficReturned(context: RolloutContext, release: Release, candidates: readonly BackendEntry[], returned: TrafficReturn, port: number | undefined): Promise<DeployOutcome> {
  const saved = context.balancer.savedConfig();
  const { previous } = returned;
  await retire(context, candidates.map((backend) => ({ ...backend, role: 'draining' as const })), { whose: `release ${release.number}` });
  if (saved) await context.balancer.apply({ ...saved, backends: saved.backends.filter((backend) => !candidates.some((candidate) => candidate.id === backend.id)) });
  clearTrafficSwitch(context.stateDir);
  const url = port !== undefined ? { url: `http://127.0.0.1:${port}` } : {};
  if (returned.interrupted) {
    const line = `interrupted: traffic returned to release ${previous} and the ${candidates.length} new replica${candidates.length === 1 ? '' : 's'} of release ${release.number} removed; release ${previous} keeps serving`;
    const ended: Release = { ...release, status: 'interrupted', reason: line };
    context.releases.record(ended);
    return { ok: false, env: context.config.env, release: ended, ...url, reasons: [line], logTail: [], interrupted: line };
  }
  const ended: Release = { ...release, status: 'rolled-back', reason: returned.reason };
  context.releases.record(ended);
  return { ok: false, env: context.config.env, release: ended, ...url, reasons: [returned.reason], logTail: [] };
}

/** The doctor's diagnosis of a failed rollout, printed as the first lines of the error (src/doctor/diagnose.ts). */
async function diagnosesOf(config: ResolvedConfig, evidence: FailureEvidence): Promise<NonNullable<DeployOutcome['diagnoses']>> {
  const { diagnose } = await import('../../doctor/diagnose.js');
  return diagnose(evidence, config).map(({ id, title, cause, fix }) => ({ id, title, cause, fix }));
}

/**
 * The cheap probes of the failed replica before it is removed: its service, the ENTRYPOINT and CMD it ran, and the
 * sockets it listens on (from inside it, while it still runs), which tell a wrong port or a loopback bind.
 */
async function failedReplicaFacts(context: RolloutContext, evidence: FailureEvidence, failed: ReplicaContainer): Promise<void> {
  evidence.service = failed.service;
  const container = context.docker.getContainer(failed.id);
  const info = await container.inspect().catch(() => undefined);
  if (!info) return;
  evidence.command = { entrypoint: asList(info.Config.Entrypoint), cmd: asList(info.Config.Cmd) };
  if (info.State.Running) {
    const { DOCKER_DNS, socketsByExec } = await import('../../doctor/engine-checks.js');
    const sockets = await socketsByExec(container);
    if (sockets) evidence.listening = sockets.filter((socket) => socket.address !== DOCKER_DNS);
  }
}

function asList(value: string | string[] | null | undefined): string[] {
  if (!value) return [];
  return Array.isArray(value) ? value : [value];
}

async function gatherEvidence(context: RolloutContext, replicas: ReplicaContainer[], verdict: ReplicaVerdict, logTail: string[], failed?: ReplicaContainer): Promise<FailureEvidence> {
  const evidence = emptyEvidence('local');
  if (failed) await failedReplicaFacts(context, evidence, failed);
  for (const replica of replicas) {
    const info = await context.docker.getContainer(replica.id).inspect().catch(() => undefined);
    if (info && (!info.State.Running || info.RestartCount > 0)) {
      evidence.stoppedTasks.push({
        id: replica.name,
        stoppedReason: info.State.OOMKilled ? 'OutOfMemory: container killed due to memory usage' : 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
        // A replica the engine already started again has state exit code 0: the code of the exit that counted is asked for.
        containers: [{ name: replica.service, exitCode: await lastExitCode(context.docker, info), reason: info.State.Error || undefined }],
      });
    }
  }
  for (const backend of verdict.status?.backends ?? []) {
    if (!replicas.some((replica) => replica.name === backend.id) || backend.kind !== 'web') continue;
    const reason = backend.lastError?.startsWith('HTTP') ? 'Target.ResponseCodeMismatch' : backend.lastError?.startsWith('no answer') ? 'Target.Timeout' : backend.lastError ? 'Target.FailedHealthChecks' : undefined;
    evidence.targetHealth.push({ target: backend.id, state: backend.health === 'initial' ? 'initial' : backend.health === 'down' ? 'unavailable' : backend.health, reason, description: backend.lastError });
  }
  evidence.serviceEvents = [verdict.reason ?? 'rollout stopped', ...(verdict.status?.events ?? []).slice(0, 20)];
  evidence.logTail = logTail;
  return evidence;
}
