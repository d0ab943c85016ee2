/**
 * The AWS deploy, step by step, with every piece of I/O passed in (operations.ts wires the real ones;
 * tests pass fakes): secrets present -> image (build + check, or --image, or a release's digest) ->
 * bootstrap -> registry stack -> push -> release recorded -> environment stack -> wait until ECS
 * COMPLETED, targets healthy and the health path answers 2xx -> release marked deployed. Any failure,
 * rollback or timeout ends in an outcome with plain reasons and the failed task's last log lines.
 */
import { soleWebService } from '../../model/transitional.js';
import type { Progress, ProgressStep } from '../../terminal/progress.js';
import type { ResolvedConfig } from '../../config/model.js';
import type { Diagnosis } from '../../doctor/diagnose.js';
import type { FailureEvidence } from '../../doctor/failure-evidence.js';
import { BerthError, OperationError } from '../../errors.js';
import type { DeployOutcome, Release } from '../operations.js';
import type { EnvironmentOutputs } from './environment-reads.js';
import { currentRelease, releaseTag, statusChanges } from '../../model/index.js';
import { evaluateRollout, timeoutReasons, type HealthProbe, type RolloutSnapshot, type RolloutVerdict } from './rollout.js';
import { describeResourceEvent, isFailedStatus, type AssemblyInput, type SecurityChanges, type StackDeployer } from './stack-deployer.js';

export interface ImageChoice {
  /** repository@sha256:... */
  image: string;
  digest: string;
  /** The release this image comes from (rollback). */
  rollbackOf?: number;
}

export interface DeployPorts {
  config: Pick<ResolvedConfig, 'app' | 'env' | 'services'>;
  progress: Progress;
  /** Who deploys (for the release record). */
  principal: string;
  gitSha?: string;
  releases: { list(): Promise<Release[]>; create(release: Omit<Release, 'number'>, existing?: Release[]): Promise<Release>; update(release: Release): Promise<void> };
  missingSecrets(): Promise<string[]>;
  /** Synthesizes both stacks; with an image, pins it in the task definition. */
  synthesize(image?: string): Promise<{ assembly: AssemblyInput; registryStack: string; environmentStack: string }>;
  deployer: StackDeployer;
  /** Bootstraps the account/region when CDK's bootstrap stack is missing. */
  ensureBootstrapped(): Promise<void>;
  /** Builds (and checks) the image, or returns undefined when --image / a rollback supplies it. */
  build?(releaseNumber: number): Promise<{ localImage: string }>;
  push?(localImage: string, repositoryUri: string, releaseNumber: number): Promise<ImageChoice>;
  /** Tags an already-pushed image (promotion, rollback) as its new release; best effort. */
  tagRelease?(image: string, tag: string): Promise<boolean>;
  /** Outputs of the environment stack as deployed before this deploy (to watch ECS while CloudFormation works). */
  existingOutputs?(): Promise<EnvironmentOutputs | undefined>;
  /** Reads the environment's rollout state from its stack outputs. */
  snapshot(outputs: EnvironmentOutputs): Promise<Omit<RolloutSnapshot, 'probe'>>;
  probe(url: string, path: string): Promise<HealthProbe>;
  evidence(outputs: EnvironmentOutputs, stackName: string): Promise<FailureEvidence>;
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

  const synth = source.kind === 'build' ? await step(progress, 'Pinning the image digest in the task definition', () => ports.synthesize(choice.image)) : firstSynth;
  const deadline = ports.now() + options.timeoutSeconds * 1000;
  let outputs: EnvironmentOutputs = {};
  let verdict: RolloutVerdict | undefined;
  let stage = `stack ${synth.environmentStack} to finish`;
  const finish = async (status: 'deployed' | 'failed' | 'rolled-back', reasons: string[]): Promise<DeployOutcome> => {
    for (const changed of statusChanges(history, release, status)) await ports.releases.update(changed).catch(() => undefined);
    release = { ...release, status };
    if (status === 'deployed') return { ok: true, env, release, ...(outputs.Url ? { url: outputs.Url } : {}), reasons: [], logTail: [] };
    const evidence = await ports.evidence(outputs, synth.environmentStack).catch(() => undefined);
    const diagnoses = evidence && ports.diagnose ? ports.diagnose(evidence) : [];
    const stopped = (evidence?.stoppedTasks ?? []).slice(0, 3).map((task) => `task ${task.id.slice(0, 12)} stopped: ${[task.stopCode, task.stoppedReason, ...task.containers.filter((c) => c.exitCode !== undefined || c.reason).map((c) => `${c.name} exit ${c.exitCode ?? '?'}${c.reason ? ` (${c.reason})` : ''}`)].filter(Boolean).join(': ')}`);
    const unhealthy = (evidence?.targetHealth ?? []).filter((target) => target.state !== 'healthy').slice(0, 3).map((target) => `target ${target.target} ${target.state}${target.reason ? `: ${target.reason}` : ''}${target.description ? ` (${target.description})` : ''}`);
    const stillServing = previous ? [`release ${previous.number} is still the current release`] : [];
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

  const watcher = await watchRollout(ports, choice.digest);
  try {
    outputs = await withDeadline(deployStack(ports, synth.assembly, synth.environmentStack), deadline, ports.now).finally(() => watcher.stop());
    const waiting = progress.step(`Waiting for release ${release.number} to be healthy`);
    const needProbe = Boolean(outputs.Url);
    for (;;) {
      stage = 'the ECS rollout';
      const snapshot: RolloutSnapshot = { ...(await withDeadline(ports.snapshot(outputs), deadline, ports.now)) };
      let current = evaluateRollout(snapshot, choice.digest, { needProbe: false });
      if (current.state === 'healthy' && needProbe) {
        snapshot.probe = await withDeadline(ports.probe(outputs.Url!, soleWebService(config).health.path), deadline, ports.now);
        current = evaluateRollout(snapshot, choice.digest, { needProbe });
      }
      verdict = current;
      if (current.state === 'healthy') {
        waiting.succeed(current.summary);
        return await finish('deployed', []);
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

/**
 * While CloudFormation updates the service it shows one event for minutes; berth looks at ECS meanwhile
 * and says what the rollout is doing (new tasks started, running, failing), so nobody wonders.
 */
async function watchRollout(ports: DeployPorts, digest: string): Promise<{ stop(): void }> {
  const outputs = ports.existingOutputs ? await ports.existingOutputs().catch(() => undefined) : undefined;
  if (!outputs?.ClusterName || !outputs.ServiceName) return { stop() {} };
  let stopped = false;
  let last = '';
  const loop = (async () => {
    while (!stopped) {
      await ports.sleep((ports.pollSeconds ?? 10) * 1000);
      if (stopped) break;
      const snapshot = await ports.snapshot(outputs).catch(() => undefined);
      if (!snapshot || stopped) continue;
      const verdict = evaluateRollout(snapshot, digest, { needProbe: false });
      const text = verdict.state === 'waiting' ? verdict.waitingFor.join('; ') : verdict.state === 'healthy' ? `ECS: ${verdict.summary}` : `ECS: ${verdict.reasons[0]}`;
      if (text !== last) ports.progress.info(text);
      last = text;
    }
  })();
  return { stop() { stopped = true; void loop; } };
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
