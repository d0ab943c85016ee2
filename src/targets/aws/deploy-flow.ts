/**
 * The AWS deploy, step by step, with every piece of I/O passed in (operations.ts wires the real ones;
 * tests pass fakes): secrets present -> image (build + check, or --image, or a release's digest) ->
 * bootstrap -> registry stack -> push -> release recorded -> [release.before: first phase of the environment
 * stack (the before task's definition with the new image; every service keeps its deployed task definition) ->
 * the before task run and waited on; a non-zero exit ends the release here] -> environment stack -> wait until
 * every service's ECS deployment COMPLETED, targets healthy and the health path answers 2xx -> release marked
 * deployed. Any failure, rollback or timeout ends in an outcome with plain reasons and the failed task's last log lines.
 */
import type { Progress, ProgressStep } from '../../terminal/progress.js';
import type { ResolvedConfig, ServiceSpec } from '../../config/model.js';
import type { Diagnosis } from '../../doctor/diagnose.js';
import type { FailureEvidence } from '../../doctor/failure-evidence.js';
import { BerthError, OperationError } from '../../errors.js';
import type { DeployOutcome, Release } from '../operations.js';
import type { EnvironmentOutputs } from './environment-reads.js';
import { currentRelease, keepTag, longRunningServices, parseImageByDigest, primaryWebService, releaseTag, statusChanges, switchesTrafficSets, type ReleaseService } from '../../model/index.js';
import { describePhase, type ServiceDeploymentState } from './deployment-phases.js';
import { combineRollouts, evaluateRollout, timeoutReasons, type HealthProbe, type RolloutSnapshot, type RolloutVerdict } from './rollout.js';
import { describeResourceEvent, isFailedStatus, type AssemblyInput, type SecurityChanges, type StackDeployer } from './stack-deployer.js';

export interface ImageChoice {
  /** repository@sha256:... */
  image: string;
  digest: string;
  /** The release this image comes from (rollback). */
  rollbackOf?: number;
}

/** How the `release.before` task ended. */
export interface ReleaseBeforeResult {
  /** The container's exit code; undefined when the task never ran its command (it could not start). */
  exitCode?: number;
  /** Why ECS stopped the task, when it did not exit on its own (e.g. CannotPullContainerError). */
  stoppedReason?: string;
  taskId?: string;
  /** Its last log lines, secret-looking values masked. */
  logTail: string[];
}

export interface DeployPorts {
  config: Pick<ResolvedConfig, 'app' | 'env' | 'services'> & Partial<Pick<ResolvedConfig, 'release' | 'deploy'>>;
  progress: Progress;
  /** Who deploys (for the release record). */
  principal: string;
  gitSha?: string;
  releases: { list(): Promise<Release[]>; create(release: Omit<Release, 'number'>, existing?: Release[]): Promise<Release>; update(release: Release): Promise<void> };
  missingSecrets(): Promise<string[]>;
  /** Synthesizes both stacks; with an image, pins it in the task definition; `prepare` is the first phase of a release with `release.before`. */
  synthesize(image?: string, options?: { prepare: { deployedTaskDefinitions: Record<string, string> } }): Promise<{ assembly: AssemblyInput; registryStack: string; environmentStack: string }>;
  deployer: StackDeployer;
  /** Bootstraps the account/region when CDK's bootstrap stack is missing. */
  ensureBootstrapped(): Promise<void>;
  /** Builds (and checks) the image, or returns undefined when --image / a rollback supplies it. */
  build?(releaseNumber: number): Promise<{ localImage: string }>;
  push?(localImage: string, repositoryUri: string, releaseNumber: number): Promise<ImageChoice>;
  /** Tags an already-pushed image (promotion, rollback) as its new release; best effort. */
  tagRelease?(image: string, tag: string): Promise<boolean>;
  /**
   * Releases of this environment whose images the registry keeps (berth.yml registry.keepReleases): a deployed
   * release's image gets the keep tag `<env>-keep-<n mod keepReleases>` the lifecycle policy never expires.
   * @default - no keep tag
   */
  keepReleases?: number;
  /** Outputs of the environment stack as deployed before this deploy (to watch ECS while CloudFormation works). */
  existingOutputs?(): Promise<EnvironmentOutputs | undefined>;
  /** Reads one service's rollout state from the stack outputs (the primary service when `service` is absent). */
  snapshot(outputs: EnvironmentOutputs, service?: string): Promise<Omit<RolloutSnapshot, 'probe'>>;
  probe(url: string, path: string): Promise<HealthProbe>;
  /** Blue/green and canary services: the ECS service deployment in flight (its lifecycle stage), to show the phases. */
  phase?(outputs: EnvironmentOutputs, service: string): Promise<ServiceDeploymentState | undefined>;
  evidence(outputs: EnvironmentOutputs, stackName: string, service?: string): Promise<FailureEvidence>;
  /** The task definition each family of the deployed environment stack runs (family -> ARN); empty before the first deploy. */
  deployedTaskDefinitions?(): Promise<Record<string, string>>;
  /** Runs the `release.before` task of the first phase's stack and waits until it stops. */
  runReleaseBefore?(outputs: EnvironmentOutputs, release: Release): Promise<ReleaseBeforeResult>;
  diagnose?(evidence: FailureEvidence): Diagnosis[];
  confirmSecurityChanges(changes: SecurityChanges): Promise<boolean>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Seconds between rollout checks. */
  pollSeconds?: number;
}

export type DeploySource = { kind: 'build' } | { kind: 'image'; image: ImageChoice } | { kind: 'rollback'; release: Release };

class DeployTimeout extends Error {}

function withDeadline<T>(work: Promise<T>, deadline: number, now: () => number): Promise<T> {
  const left = deadline - now();
  if (left <= 0) return Promise.reject(new DeployTimeout());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new DeployTimeout()), left); });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Runs a deploy or rollback; resolves with the outcome (ok or not); throws only for usage/pre-flight errors. */
export async function runDeploy(ports: DeployPorts, source: DeploySource, options: { timeoutSeconds: number }): Promise<DeployOutcome> {
  const { config, progress } = ports;
  const env = config.env;

  const missing = await ports.missingSecrets();
  if (missing.length > 0) {
    throw new OperationError(
      `berth.yml declares secret${missing.length === 1 ? '' : 's'} without a value in Secrets Manager for environment ${env}: ${missing.join(', ')}`,
      missing.map((name) => `berth secrets set ${name} --env ${env}`).join('; '),
    );
  }

  const history = await ports.releases.list();
  const number = history.reduce((max, release) => Math.max(max, release.number), 0) + 1;
  const previous = currentRelease(history);

  let localImage: string | undefined;
  if (source.kind === 'build') {
    if (!ports.build) throw new OperationError('no way to build the image was given');
    localImage = (await ports.build(number)).localImage;
  }

  await ports.ensureBootstrapped();
  const firstSynth = await step(progress, 'Synthesizing the stacks', () => ports.synthesize(source.kind === 'image' ? source.image.image : source.kind === 'rollback' ? source.release.image : undefined));
  const registry = await deployStack(ports, firstSynth.assembly, firstSynth.registryStack);

  let choice: ImageChoice;
  if (source.kind === 'build') {
    const repositoryUri = registry.RepositoryUri;
    if (!repositoryUri) throw new OperationError(`stack ${firstSynth.registryStack} has no RepositoryUri output`, 'run `berth plan` to check the synthesized registry stack');
    choice = await ports.push!(localImage!, repositoryUri, number);
  } else if (source.kind === 'image') {
    choice = source.image;
  } else {
    choice = { image: source.release.image, digest: source.release.digest, rollbackOf: source.release.number };
  }

  let release = await ports.releases.create({
    image: choice.image,
    digest: choice.digest,
    ...(ports.gitSha && source.kind === 'build' ? { gitSha: ports.gitSha } : source.kind === 'rollback' && source.release.gitSha ? { gitSha: source.release.gitSha } : {}),
    createdAt: new Date(ports.now()).toISOString(),
    createdBy: ports.principal,
    ...(choice.rollbackOf ? { rollbackOf: choice.rollbackOf } : {}),
    status: 'deploying',
  }, history);
  progress.info(`release ${release.number}: ${choice.image}${choice.rollbackOf ? ` (the image of release ${choice.rollbackOf})` : ''}`);
  if (source.kind !== 'build' && ports.tagRelease) {
    const tag = releaseTag(ports.config.env, release.number);
    await ports.tagRelease(choice.image, tag).catch((error: unknown) => progress.warn(`could not tag the image as ${tag}: ${error instanceof Error ? error.message : String(error)}`));
  }

  const deadline = ports.now() + options.timeoutSeconds * 1000;
  let outputs: EnvironmentOutputs = {};
  let verdict: RolloutVerdict | undefined;
  const services = longRunningServices(config).map((service) => service.name);
  let troubled: string | undefined;
  const stillServing = previous ? [`release ${previous.number} is still the current release`] : [];

  const before = ports.config.release?.before;
  if (before && source.kind === 'rollback') {
    progress.info(`release.before is not run for a rollback: release ${release.number} restores the image of release ${source.release.number}, and the data stays as the newer releases left it`);
  } else if (before) {
    const stopped = await runBefore(ports, { release, previous, image: choice.image, deadline, command: before.command, service: before.service });
    if (stopped) {
      const reason = stopped.reasons[0]!;
      for (const changed of statusChanges(history, { ...release, reason }, 'failed')) await ports.releases.update(changed).catch(() => undefined);
      release = { ...release, status: 'failed', reason };
      return { ok: false, env, release, ...(stopped.url ? { url: stopped.url } : {}), reasons: [...stopped.reasons, ...stillServing], logTail: stopped.logTail };
    }
  }

  const synth = source.kind === 'build' || before ? await step(progress, 'Pinning the image digest in the task definitions', () => ports.synthesize(choice.image)) : firstSynth;
  let stage = `stack ${synth.environmentStack} to finish`;
  const finish = async (status: 'deployed' | 'failed' | 'rolled-back', reasons: string[], serving: ReleaseService[] = []): Promise<DeployOutcome> => {
    const reason = status === 'deployed' ? undefined : reasons[0];
    const ended: Release = { ...release, ...(reason ? { reason } : {}), ...(serving.length > 0 ? { services: serving } : {}) };
    for (const changed of statusChanges(history, ended, status)) await ports.releases.update(changed).catch(() => undefined);
    release = { ...ended, status };
    if (status === 'deployed' && ports.tagRelease && ports.keepReleases) {
      // The image of each of the last keepReleases deployed releases keeps a keep tag: ECR never expires it (registry-lifecycle.ts).
      const tag = keepTag(env, release.number, ports.keepReleases);
      await ports.tagRelease(choice.image, tag).catch((error: unknown) => progress.warn(`could not tag the image as ${tag} (the registry may expire it): ${error instanceof Error ? error.message : String(error)}`));
    }
    if (status === 'deployed') return { ok: true, env, release, ...(outputs.Url ? { url: outputs.Url } : {}), reasons: [], logTail: [] };
    const evidence = await ports.evidence(outputs, synth.environmentStack, troubled).catch(() => undefined);
    const diagnoses = evidence && ports.diagnose ? ports.diagnose(evidence) : [];
    const stopped = (evidence?.stoppedTasks ?? []).slice(0, 3).map((task) => `task ${task.id.slice(0, 12)} stopped: ${[task.stopCode, task.stoppedReason, ...task.containers.filter((c) => c.exitCode !== undefined || c.reason).map((c) => `${c.name} exit ${c.exitCode ?? '?'}${c.reason ? ` (${c.reason})` : ''}`)].filter(Boolean).join(': ')}`);
    const unhealthy = (evidence?.targetHealth ?? []).filter((target) => target.state !== 'healthy').slice(0, 3).map((target) => `target ${target.target} ${target.state}${target.reason ? `: ${target.reason}` : ''}${target.description ? ` (${target.description})` : ''}`);
    return {
      ok: false,
      env,
      release,
      ...(outputs.Url ? { url: outputs.Url } : {}),
      reasons: [...new Set([...reasons, ...(evidence?.stackEvents ?? []).slice(0, 3), ...stopped, ...unhealthy, ...stillServing])],
      logTail: evidence?.logTail ?? [],
      ...(evidence ? { evidence } : {}),
      // The cause and the fix, printed before everything else (src/doctor/diagnose.ts).
      diagnoses: diagnoses.map(({ id, title, cause, fix }) => ({ id, title, cause, fix })),
    };
  };

  const expected = (service: string) => expectedImage(config.services.find((candidate) => candidate.name === service), choice);
  const watcher = await watchRollout(ports, services, expected);
  try {
    outputs = await withDeadline(deployStack(ports, synth.assembly, synth.environmentStack), deadline, ports.now).finally(() => watcher.stop());
    const waiting = progress.step(`Waiting for release ${release.number} to be healthy`);
    // The URL answers the primary web service's health path only when that service takes the default route.
    const primary = primaryWebService(config);
    const probePath = outputs.Url && primary && !primary.route.path && !primary.route.host ? primary.health.path : undefined;
    for (;;) {
      stage = 'the ECS rollout';
      const snapshots = await withDeadline(Promise.all(services.map(async (service) => ({ service, snapshot: await ports.snapshot(outputs, service) }))), deadline, ports.now);
      const verdicts = snapshots.map(({ service, snapshot }) => ({ service, verdict: evaluateRollout(snapshot, expected(service), { needProbe: false }) }));
      let current = combineRollouts(verdicts);
      troubled = verdicts.find(({ verdict }) => verdict.state !== 'healthy')?.service ?? troubled;
      if (current.state === 'healthy' && probePath && primary) {
        const snapshot: RolloutSnapshot = { ...snapshots.find(({ service }) => service === primary.name)!.snapshot };
        snapshot.probe = await withDeadline(ports.probe(outputs.Url!, probePath), deadline, ports.now);
        const probed = evaluateRollout(snapshot, expected(primary.name), { needProbe: true });
        if (probed.state !== 'healthy') troubled = primary.name;
        current = combineRollouts(verdicts.map((entry) => (entry.service === primary.name ? { service: entry.service, verdict: probed } : entry)));
      }
      verdict = current;
      if (current.state === 'healthy') {
        waiting.succeed(current.summary);
        const serving = snapshots.flatMap(({ service, snapshot }) => {
          const deployment = snapshot.deployments.find((candidate) => candidate.status === 'PRIMARY');
          return deployment?.taskDefinition ? [{ name: service, taskDefinition: deployment.taskDefinition }] : [];
        });
        return await finish('deployed', [], serving);
      }
      if (current.state !== 'waiting') {
        waiting.fail(current.state === 'rolled-back' ? 'ECS rolled the deployment back' : 'the deployment failed');
        return await finish(current.state, current.reasons);
      }
      waiting.update(`waiting for ${current.waitingFor.join('; ')}`);
      if (ports.now() >= deadline) throw new DeployTimeout();
      await ports.sleep(Math.min((ports.pollSeconds ?? 10) * 1000, Math.max(0, deadline - ports.now())));
    }
  } catch (error) {
    if (error instanceof DeployTimeout) return finish('failed', timeoutReasons(options.timeoutSeconds, verdict, stage));
    if (error instanceof BerthError && /cancelled, nothing was changed/.test(error.message)) {
      await ports.releases.update({ ...release, status: 'failed' }).catch(() => undefined);
      throw error;
    }
    const message = error instanceof Error ? error.message : String(error);
    const rolledBack = /circuit breaker/i.test(message);
    return finish(rolledBack ? 'rolled-back' : 'failed', [message]);
  }
}

/** The image a service's new deployment runs: the release's digest, or the service's own `image:` reference. */
function expectedImage(service: ServiceSpec | undefined, choice: ImageChoice): string {
  if (service?.ownImage && service.image) return parseImageByDigest(service.image)?.digest ?? service.image;
  return choice.digest;
}

/**
 * While CloudFormation updates the services it shows one event for minutes; berth looks at ECS meanwhile
 * and says what each rollout is doing (new tasks started, running, failing), so nobody wonders.
 */
async function watchRollout(ports: DeployPorts, services: readonly string[], expected: (service: string) => string): Promise<{ stop(): void }> {
  const outputs = ports.existingOutputs ? await ports.existingOutputs().catch(() => undefined) : undefined;
  if (!outputs?.ClusterName || services.length === 0) return { stop() {} };
  let stopped = false;
  const last = new Map<string, string>();
  const named = services.length > 1;
  const loop = (async () => {
    while (!stopped) {
      await ports.sleep((ports.pollSeconds ?? 10) * 1000);
      if (stopped) break;
      for (const service of services) {
        const snapshot = await ports.snapshot(outputs, service).catch(() => undefined);
        if (!snapshot || stopped) continue;
        const verdict = evaluateRollout(snapshot, expected(service), { needProbe: false });
        const phase = await phaseOf(ports, outputs, service);
        const text = phase ?? (verdict.state === 'waiting' ? verdict.waitingFor.join('; ') : verdict.state === 'healthy' ? `ECS: ${verdict.summary}` : `ECS: ${verdict.reasons[0]}`);
        const shown = named ? `${service}: ${text}` : text;
        if (shown !== last.get(service)) ports.progress.info(shown);
        last.set(service, shown);
      }
    }
  })();
  return { stop() { stopped = true; void loop; } };
}

/** The blue/green or canary phase of a service's ECS deployment in flight, in words; undefined for rolling services. */
async function phaseOf(ports: DeployPorts, outputs: EnvironmentOutputs, service: string): Promise<string | undefined> {
  const { deploy } = ports.config;
  const spec = ports.config.services.find((candidate) => candidate.name === service);
  if (!ports.phase || !deploy || !spec || !switchesTrafficSets({ deploy }, spec)) return undefined;
  const state = await ports.phase(outputs, service).catch(() => undefined);
  return state ? describePhase(state, deploy, ports.config.env) : undefined;
}

/**
 * The first phase of a release with `release.before`: deploy the environment stack with every service and job pinned
 * to the task definition it runs now (so nothing that serves changes) and the before task's definition with the new
 * image; run that task and wait for it. Returns why the release stops, or undefined when the task exited 0.
 */
async function runBefore(
  ports: DeployPorts,
  context: { release: Release; previous: Release | undefined; image: string; deadline: number; command: string[]; service: string },
): Promise<{ reasons: string[]; logTail: string[]; url?: string } | undefined> {
  const { progress } = ports;
  if (!ports.runReleaseBefore) throw new OperationError('berth.yml sets release.before but this deploy cannot run one-off tasks');
  const command = context.command.join(' ');
  const keep = context.previous ? `services keep release ${context.previous.number}` : 'no service starts before it';
  try {
    const deployed = ports.deployedTaskDefinitions ? await ports.deployedTaskDefinitions() : {};
    const prepared = await step(progress, `Preparing release ${context.release.number}: release.before with the new image (${keep})`, () => ports.synthesize(context.image, { prepare: { deployedTaskDefinitions: deployed } }));
    const outputs = await withDeadline(deployStack(ports, prepared.assembly, prepared.environmentStack), context.deadline, ports.now);
    const shown = progress.step(`Running release.before: ${command} (with ${context.service}'s environment and secrets)`);
    const result = await withDeadline(ports.runReleaseBefore(outputs, context.release), context.deadline, ports.now).catch((error: unknown) => {
      shown.fail();
      throw error;
    });
    if (result.exitCode === 0) {
      shown.succeed(`exit 0${result.taskId ? ` (task ${result.taskId.slice(0, 12)})` : ''}`);
      return undefined;
    }
    shown.fail(result.exitCode === undefined ? 'the task did not run' : `exit ${result.exitCode}`);
    const what = result.exitCode === undefined
      ? `release.before (${command}) did not run: ${result.stoppedReason ?? 'ECS stopped the task before its command ran'}`
      : `release.before (${command}) exited ${result.exitCode}${result.stoppedReason && !/Essential container in task exited/.test(result.stoppedReason) ? ` (${result.stoppedReason})` : ''}`;
    return { reasons: [`${what}: release ${context.release.number} stopped before any service changed`], logTail: result.logTail, ...(outputs.Url ? { url: outputs.Url } : {}) };
  } catch (error) {
    if (error instanceof DeployTimeout) return { reasons: [`release.before (${command}) did not finish within the deploy's --timeout: release ${context.release.number} stopped before any service changed`], logTail: [] };
    if (error instanceof BerthError && /cancelled, nothing was changed/.test(error.message)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { reasons: [`preparing release.before failed: ${message}`], logTail: [] };
  }
}

async function step<T>(progress: Progress, title: string, work: () => Promise<T>): Promise<T> {
  const shown = progress.step(title);
  try {
    const result = await work();
    shown.succeed();
    return result;
  } catch (error) {
    shown.fail();
    throw error;
  }
}

/** Deploys one stack, each resource event on the progress line; failed events as warnings. */
async function deployStack(ports: DeployPorts, assembly: AssemblyInput, stackName: string): Promise<EnvironmentOutputs> {
  const shown: ProgressStep = ports.progress.step(`Deploying stack ${stackName}`);
  try {
    const { outputs } = await ports.deployer.deploy(assembly, stackName, {
      onEvent: (event) => {
        if (isFailedStatus(event.status) && event.reason) ports.progress.warn(describeResourceEvent(event));
        else shown.update(describeResourceEvent(event));
      },
      confirmSecurityChanges: (changes) => ports.confirmSecurityChanges({ ...changes, stack: changes.stack || stackName }),
      onNote: (text) => ports.progress.info(text),
    });
    shown.succeed();
    return outputs;
  } catch (error) {
    shown.fail();
    throw error;
  }
}
