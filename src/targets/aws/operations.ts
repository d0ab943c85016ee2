/**
 * TargetOperations for AWS environments: `awsOperations(config)`. Wires the SDK clients, the
 * toolkit-lib stack deployer, the Docker engine and the plan's synthesis into the deploy flow and the
 * operating commands. Says which account and region before changing anything.
 */
import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ExecuteCommandCommand } from '@aws-sdk/client-ecs';
import { DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import { DeleteParametersCommand } from '@aws-sdk/client-ssm';
import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Progress } from '../../terminal/progress.js';
import { ask, isInteractive } from '../../terminal/prompt.js';
import type { ResolvedConfig } from '../../config/model.js';
import { OperationError, UsageError } from '../../errors.js';
import {
  appImageArch, cdkContextFile, cloudAssemblyDir, declaredSecrets, environmentStackName, jobTaskGroup, localReleaseImage, logGroupName, oneOffTaskGroup, platformFor,
  registryStackName, releaseBeforeTaskNames, repositoryName, serviceOutputName,
} from '../../model/index.js';
import type {
  CommandOutcome, DeployOutcome, DeployRequest, DestroyRequest, ExecRequest, JobRun, JobRunRequest, LogLine, LogsRequest, ProcessIO, Release, RollbackRequest, RunRequest,
  SecretStore, StatusReport, TargetOperations,
} from '../operations.js';
import { awsCall, awsErrorName, isNotFound } from './aws-errors.js';
import { createAwsClients, resolveAwsSettings, type AwsClients } from './aws-session.js';
import { runDeploy, type DeployPorts, type DeploySource, type ReleaseBeforeResult } from './deploy-flow.js';
import { EnvironmentReader, gatherEvidence, probeHealth, readStack, taskId, type EnvironmentOutputs } from './environment-reads.js';
import { execCommandText, SESSION_PLUGIN_INSTALL, sessionPlugin, sessionPluginArgs, type SessionPlugin } from './exec-session.js';
import { runOneOffTask, type OneOffResult, type TaskNetwork } from './one-off-task.js';
import { chooseService, serviceOfStream, serviceScopes, type ServiceScope } from './service-scopes.js';
import { jobRun, statusReport, type ServiceReads } from './status-report.js';
import { callerIdentity, checkAccount, describeAwsTarget, principalName, type AwsIdentity } from './identity.js';
import { buildForTask, checkLocalImage } from './image-build.js';
import { checkTag, ecrAuth, gitShortSha, pushImage, releaseTags } from './image-push.js';
import { resolveImageReference, tagInEcr } from './image-reference.js';
import { logRedactor } from './log-redaction.js';
import { readLogs } from './logs.js';
import { currentRelease, rollbackTarget } from '../../model/release-rules.js';
import { releaseParameterName, ReleaseStore } from './releases.js';
import { returnTrafficInFlight } from './return-traffic.js';
import { activeServiceDeployment } from './service-deployments.js';
import { AwsSecretStore, secretId } from './secrets.js';
import { readReleaseTaskEnv } from './release-env.js';
import { restoreReleaseEnv, type AwsRollbackEnv } from '../../plan/aws/rollback-env.js';
import { describeChangesSince, rollbackSecretsMissing } from '../../plan/release-changes.js';
import type { AssemblyInput, SecurityChanges, StackDeployer, StackDiffResult } from './stack-deployer.js';
import { ToolkitStackDeployer } from './toolkit-deployer.js';

/** Whether the CDKToolkit stack in this status cannot be deployed with (pure). */
export function bootstrapNeeded(status: string | undefined): boolean {
  if (!status) return true;
  if (status === 'UPDATE_ROLLBACK_COMPLETE') return false;
  return /FAILED$|^DELETE_COMPLETE$|^ROLLBACK_COMPLETE$/.test(status);
}

interface Session {
  clients: AwsClients;
  identity: AwsIdentity;
}

/** Security-relevant changes: shown always; confirmed with --yes or on a terminal, refused otherwise. */
export async function confirmSecurity(changes: SecurityChanges, yes: boolean, progress: Progress, ask?: (question: string) => Promise<string>): Promise<boolean> {
  progress.warn(`stack ${changes.stack} changes security settings (${changes.kind === 'broadening' ? 'wider IAM permissions or network access' : 'IAM or security group changes'}):`);
  for (const line of changes.text.split('\n')) progress.info(line);
  if (yes) return true;
  if (!ask) throw new UsageError(`stack ${changes.stack} has security-relevant changes and there is no terminal to confirm them`, 'review them (`berth diff`) and pass --yes');
  return /^y(es)?$/i.test((await ask('Deploy these security changes? [y/N] ')).trim());
}

function terminalQuestion(): ((question: string) => Promise<string>) | undefined {
  return isInteractive() ? ask : undefined;
}

/** The family of a task definition ARN `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>` (pure). */
export function familyOfTaskDefinition(arn: string): string | undefined {
  return /:task-definition\/([^:]+):\d+$/.exec(arn)?.[1];
}

/** Services that would need an image built per service, which the AWS deploy does not do yet (refused before anything changes). */
function refuseOwnBuilds(config: ResolvedConfig): void {
  const own = config.services.filter((service) => service.ownImage && service.build && !service.image);
  if (own.length === 0) return;
  throw new UsageError(
    `${config.file}: services.${own[0]!.name}.build: on AWS berth builds one image per release, shared by the services; ${own.map((service) => service.name).join(', ')} ${own.length === 1 ? 'has' : 'have'} a build of ${own.length === 1 ? 'its' : 'their'} own`,
    `push that image yourself and set services.${own[0]!.name}.image to it (by digest), or let the service run the app image (remove its build)`,
  );
}

export function awsOperations(config: ResolvedConfig, overrides: { deployer?: StackDeployer; clients?: AwsClients; sessionPlugin?: SessionPlugin } = {}): TargetOperations & { diff(progress: Progress): Promise<StackDiffResult[]> } {
  const settings = resolveAwsSettings(config);
  const envStack = environmentStackName(config.app, config.env);
  const registryStack = registryStackName(config.app);
  // A rollback that restores a release's secret names masks those too (rollback below).
  let redact = logRedactor(declaredSecrets(config));
  const plugin = overrides.sessionPlugin ?? sessionPlugin;
  let session: Promise<Session> | undefined;
  let announced = false;

  function connect(): Promise<Session> {
    session ??= (async () => {
      const clients = overrides.clients ?? await createAwsClients(settings);
      const identity = await callerIdentity(clients.sts);
      checkAccount(config, identity);
      return { clients, identity };
    })();
    return session;
  }

  /** Before changing anything: which account, identity and region. */
  async function announce(progress: Progress): Promise<Session> {
    const current = await connect();
    const line = describeAwsTarget(current.identity, current.clients.region, settings);
    // Even with --json (silent progress) the account line goes to stderr: stdout keeps only the document.
    if (!announced) {
      if (progress.silent) process.stderr.write(`${line}\n`);
      else progress.info(line);
    }
    announced = true;
    return current;
  }

  function deployer(clients: AwsClients): StackDeployer {
    return overrides.deployer ?? new ToolkitStackDeployer(settings, clients.region);
  }

  /** Synthesizes `config` (a rollback passes today's berth.yml with the release's env: src/plan/aws/rollback-env.ts). */
  async function synthesize(image?: string, purge = false, prepare?: { deployedTaskDefinitions: Record<string, string> }, using: ResolvedConfig = config): Promise<{ assembly: AssemblyInput; registryStack: string; environmentStack: string }> {
    const { synthesizeEnvironment } = await import('../../plan/aws/synthesize.js');
    const { lookupsNeeded } = await import('../../plan/aws/lookups.js');
    // A hosted zone by name or network.vpc: toolkit-lib looks them up with these credentials and records them in cdk.context.json.
    const lookups = lookupsNeeded(using).length > 0 ? await connect().then(({ identity, clients }) => ({ account: identity.account, region: clients.region })) : undefined;
    const options = { outdir: cloudAssemblyDir(config.dir, config.env), ...(image ? { image } : {}), ...(purge ? { purge } : {}), ...(prepare ? { prepare } : {}), ...(lookups ? { lookups } : {}) };
    const result = await synthesizeEnvironment(using, options);
    return {
      // Rebuilt under toolkit-lib so context lookups (a hosted zone by name, network.vpc) get answered and recorded.
      assembly: { directory: result.assemblyDir, rebuild: async () => (await synthesizeEnvironment(using, options)).assemblyDir, contextFile: cdkContextFile(config.dir) },
      registryStack: result.stackNames[0]!,
      environmentStack: result.stackNames[1]!,
    };
  }

  async function ensureBootstrapped(clients: AwsClients, identity: AwsIdentity, stacks: StackDeployer, progress: Progress): Promise<void> {
    try {
      const answer = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }));
      if (!bootstrapNeeded(answer.Stacks?.[0]?.StackStatus)) return;
    } catch (error) {
      if (!(awsErrorName(error) === 'ValidationError' && isNotFound(error))) await awsCall('checking the CDK bootstrap stack (cloudformation:DescribeStacks)', () => Promise.reject(error));
    }
    progress.info(`first deploy to ${identity.account}/${clients.region}: berth sets up CDK's bootstrap stack CDKToolkit once per account and region (an S3 bucket, an ECR repository and the roles CloudFormation deploys with)`);
    const step = progress.step(`Bootstrapping ${identity.account}/${clients.region}`);
    try {
      await stacks.bootstrap(identity.account, clients.region, (text) => step.update(text.split('\n')[0]!.slice(0, 100)));
      step.succeed();
    } catch (error) {
      step.fail();
      throw error;
    }
  }

  async function ports(progress: Progress, yes: boolean): Promise<DeployPorts> {
    const { clients, identity } = await announce(progress);
    const stacks = deployer(clients);
    const releases = new ReleaseStore(clients.ssm, config.app, config.env);
    const secrets = new AwsSecretStore(clients.secrets, config.app, config.env, declaredSecrets(config));
    const { diagnose } = await import('../../doctor/diagnose.js');
    const ask = terminalQuestion();
    // One reader per set of outputs (it caches task definition images); outputs change when the stack does.
    const readers = new Map<string, EnvironmentReader>();
    const readerFor = (outputs: EnvironmentOutputs, service?: string) => {
      const key = JSON.stringify([outputs, service]);
      const known = readers.get(key);
      if (known) return known;
      const scope = service ? serviceScopes(config, outputs).find((candidate) => candidate.name === service) : undefined;
      const reader = new EnvironmentReader(clients, outputs, scope ? { ...(scope.ecsService ? { ecsService: scope.ecsService } : {}), ...(scope.targetGroupArn ? { targetGroupArn: scope.targetGroupArn } : {}), ...(scope.alternateTargetGroupArn ? { alternateTargetGroupArn: scope.alternateTargetGroupArn } : {}), ...(scope.kind === 'job' ? { family: scope.family } : {}) } : undefined);
      readers.set(key, reader);
      return reader;
    };
    return {
      config,
      progress,
      principal: principalName(identity.arn),
      gitSha: await gitShortSha(config.dir),
      releases,
      missingSecrets: () => secrets.missing(),
      synthesize: (image, options) => synthesize(image, false, options?.prepare),
      existingOutputs: async () => (await readStack(clients, envStack))?.outputs,
      tagRelease: (image, tag) => tagInEcr(clients.ecr, image, tag),
      keepReleases: config.registry.keepReleases,
      deployer: stacks,
      ensureBootstrapped: () => ensureBootstrapped(clients, identity, stacks, progress),
      snapshot: async (outputs, service) => {
        const read = readerFor(outputs, service);
        const [state, targets] = await Promise.all([read.service(), read.targets()]);
        return { ...state, ...(targets ? { targets } : {}) };
      },
      probe: (url, path) => probeHealth(url, path),
      phase: async (outputs, service) => {
        const scope = serviceScopes(config, outputs).find((candidate) => candidate.name === service);
        return scope?.ecsService ? activeServiceDeployment(clients.ecs, scope.cluster, scope.ecsService) : undefined;
      },
      evidence: (outputs, stackName, service) => gatherEvidence(readerFor(outputs, service), stackName, redact),
      deployedTaskDefinitions: () => deployedTaskDefinitions(clients),
      runReleaseBefore: (outputs, release) => runReleaseBefore(clients, outputs, release),
      diagnose: (evidence) => diagnose(evidence, config),
      confirmSecurityChanges: (changes) => confirmSecurity(changes, yes, progress, ask),
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
  }

  /** The task definition each family of the deployed environment stack runs (family -> ARN); empty before the first deploy. */
  async function deployedTaskDefinitions(clients: AwsClients): Promise<Record<string, string>> {
    const found: Record<string, string> = {};
    let nextToken: string | undefined;
    try {
      do {
        const page = await clients.cloudformation.send(new ListStackResourcesCommand({ StackName: envStack, NextToken: nextToken }));
        for (const resource of page.StackResourceSummaries ?? []) {
          if (resource.ResourceType !== 'AWS::ECS::TaskDefinition' || !resource.PhysicalResourceId) continue;
          const family = familyOfTaskDefinition(resource.PhysicalResourceId);
          if (family) found[family] = resource.PhysicalResourceId;
        }
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      if (awsErrorName(error) === 'ValidationError' && isNotFound(error)) return {};
      return awsCall(`listing the resources of stack ${envStack} (cloudformation:ListStackResources)`, () => Promise.reject(error));
    }
    return found;
  }

  /** Subnets, security group and public IP for a task berth starts itself, from the stack outputs. */
  function taskNetwork(outputs: EnvironmentOutputs, service: string): TaskNetwork {
    const securityGroup = outputs[serviceOutputName(config.app, config.env, service, 'SecurityGroupId')];
    const subnets = outputs.TaskSubnets?.split(',').filter(Boolean) ?? [];
    if (!securityGroup || subnets.length === 0) {
      throw new OperationError(`stack ${envStack} has no task network outputs (TaskSubnets, the security group of ${service})`, `deploy it with this berth first: \`berth deploy --env ${config.env}\``);
    }
    return { subnets, securityGroups: [securityGroup], assignPublicIp: outputs.TaskAssignPublicIp === 'ENABLED' ? 'ENABLED' : 'DISABLED' };
  }

  async function runReleaseBefore(clients: AwsClients, outputs: EnvironmentOutputs, release: Release): Promise<ReleaseBeforeResult> {
    const before = config.release.before!;
    const names = releaseBeforeTaskNames(config.app, config.env);
    const taskDefinition = outputs.ReleaseBeforeTaskDefinition;
    if (!taskDefinition) throw new OperationError(`stack ${envStack} has no ReleaseBeforeTaskDefinition output`, 'run `berth plan` to check the synthesized stack');
    const result = await runOneOffTask(clients, {
      cluster: outputs.ClusterName!,
      taskDefinition,
      container: names.container,
      network: taskNetwork(outputs, before.service),
      group: oneOffTaskGroup('release-before'),
      startedBy: `berth release ${release.number}`,
      logGroup: outputs.LogGroupName ?? logGroupName(config.app, config.env),
      logStreamPrefix: names.logStreamPrefix,
    }, { redact });
    return {
      ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
      ...(stoppedReasonOf(result) ? { stoppedReason: stoppedReasonOf(result)! } : {}),
      taskId: result.taskId,
      logTail: result.logTail,
    };
  }

  async function deploy(request: DeployRequest, progress: Progress): Promise<DeployOutcome> {
    if (request.tag) checkTag(request.tag);
    if (request.takeOver) throw new UsageError('--take-over is for local environments', `${config.env} is an AWS environment: its stack ${environmentStackName(config.app, config.env)} belongs to the account and region, not to a folder; drop --take-over`);
    refuseOwnBuilds(config);
    const p = await ports(progress, request.yes);
    const { clients } = await connect();
    let source: DeploySource;
    const pushed = request.image ?? (config.image.build ? undefined : config.image.image);
    if (pushed) {
      const step = progress.step(`Resolving image ${pushed}`);
      const image = await resolveImageReference(clients.ecr, pushed).catch((error: unknown) => { step.fail(); throw error; });
      step.succeed(image.digest.slice(0, 19));
      source = { kind: 'image', image };
    } else {
      source = { kind: 'build' };
      p.build = async (number) => {
        const localImage = localReleaseImage(config.app, config.env, number);
        const step = progress.step(`Building ${config.image.build!.dockerfile.replace(`${config.dir}/`, '')} for ${platformFor(appImageArch(config))}`);
        try {
          const built = await buildForTask(config, localImage, (line) => { if (line.trim()) step.update(line.trim().slice(0, 100)); });
          step.succeed(`${localImage} (${built.architecture})`);
          return { localImage };
        } catch (error) {
          step.fail();
          // A failed build says why first: the network, the Dockerfile's syntax, a missing file, BuildKit.
          const { explainBuildFailure } = await import('../../doctor/build-failure.js');
          throw explainBuildFailure(error, config, 'aws');
        }
      };
      p.push = async (localImage, repositoryUri, number) => {
        await checkLocalImage(localImage, appImageArch(config));
        const step = progress.step(`Pushing to ${repositoryUri}`);
        try {
          const auth = await ecrAuth(clients.ecr);
          const { default: Docker } = await import('dockerode');
          const tags = releaseTags({ env: config.env, release: number, ...(p.gitSha ? { gitSha: p.gitSha } : {}), ...(request.tag ? { extra: request.tag } : {}) });
          const result = await pushImage(new Docker(), { localImage, repositoryUri, tags, auth, onProgress: (line) => step.update(line) });
          step.succeed(`${tags.join(', ')} — ${result.digest.slice(0, 19)}… (${result.layersPushed} layers pushed, ${result.layersSkipped} already there)`);
          return { image: result.image, digest: result.digest };
        } catch (error) {
          step.fail();
          throw error;
        }
      };
    }
    return remember(await runDeploy(p, source, { timeoutSeconds: request.timeoutSeconds }));
  }

  /** Leaves the evidence of a failed deploy for `berth doctor`; a healthy one clears it. */
  async function remember(outcome: DeployOutcome): Promise<DeployOutcome> {
    const { clearLastFailure, recordLastFailure } = await import('../../doctor/last-failure.js');
    if (outcome.ok) await clearLastFailure(config).catch(() => undefined);
    else if (outcome.evidence) await recordLastFailure(config, outcome.evidence, outcome.release?.number).catch(() => undefined);
    return outcome;
  }

  async function rollback(request: RollbackRequest, progress: Progress): Promise<DeployOutcome> {
    const p = await ports(progress, request.yes);
    const { clients } = await connect();
    const now = { now: p.now, sleep: p.sleep };
    const returned = await returnTrafficInFlight({ config, ecs: clients.ecs, outputs: await p.existingOutputs?.(), releases: p.releases, progress, ...now }, request);
    if (returned) return returned;
    const target = rollbackTarget(await p.releases.list(), request.to);
    progress.info(`rolling back to release ${target.number} (${target.digest.slice(0, 19)}…, deployed ${target.createdAt} by ${target.createdBy})`);
    // The release's env and secret names, read back from its task definitions; every other setting is today's
    // berth.yml (docs/aws.md#releases). Decided, and missing secrets refused, before anything changes.
    const decided = await releaseEnvOf(clients, target);
    if (!decided.restored) {
      const note = `release ${target.number}'s env could not be restored (${decided.why}): it runs with today's berth.yml env and secret names`;
      progress.info(note);
      const outcome = await runDeploy(p, { kind: 'rollback', release: target }, { timeoutSeconds: request.timeoutSeconds });
      return remember({ ...outcome, rollback: { release: target.number, env: 'current', changes: [], note } });
    }
    const restored = decided.config;
    const note = describeChangesSince(target.number, decided.changes);
    if (note) progress.info(note);
    const missing = await new AwsSecretStore(clients.secrets, config.app, config.env, declaredSecrets(restored)).missing();
    if (missing.length) throw rollbackSecretsMissing(target.number, config.env, missing);
    redact = logRedactor([...declaredSecrets(config), ...declaredSecrets(restored)]);
    // Checked just above (an empty list): runDeploy need not list the secrets again.
    const restoring: DeployPorts = { ...p, config: restored, missingSecrets: async () => missing, synthesize: (image, options) => synthesize(image, false, options?.prepare, restored) };
    const outcome = await runDeploy(restoring, { kind: 'rollback', release: target }, { timeoutSeconds: request.timeoutSeconds });
    return remember({ ...outcome, rollback: { release: target.number, env: 'recorded', changes: decided.changes, ...(note ? { note } : {}) } });
  }

  /** What a rollback to `release` restores besides the image: its env and secret names (src/plan/aws/rollback-env.ts). */
  async function releaseEnvOf(clients: AwsClients, release: Release): Promise<AwsRollbackEnv> {
    if (!release.services?.length) return { restored: false, why: 'it was recorded without its task definitions' };
    try {
      return restoreReleaseEnv(config, await readReleaseTaskEnv(clients.ecs, config.app, config.env, release));
    } catch (error) {
      return { restored: false, why: (error instanceof Error ? error.message : String(error)).split('\n')[0]! };
    }
  }

  async function releases(): Promise<Release[]> {
    const { clients } = await connect();
    return new ReleaseStore(clients.ssm, config.app, config.env).list();
  }

  async function status(): Promise<StatusReport> {
    const { clients } = await connect();
    const stack = await readStack(clients, envStack);
    const history = await new ReleaseStore(clients.ssm, config.app, config.env).list();
    const release = currentRelease(history);
    if (!stack) {
      return {
        app: config.app, env: config.env, target: 'aws', ...(release ? { release } : {}),
        services: [], tasks: { desired: 0, running: 0, pending: 0, healthy: 0, items: [] }, deployments: [], dependencies: [], alarms: [],
        notes: [`stack ${envStack} does not exist in ${clients.region}: not deployed yet (\`berth deploy --env ${config.env}\`)`],
      };
    }
    const scopes = serviceScopes(config, stack.outputs);
    const reads: ServiceReads[] = await Promise.all(scopes.map(async (scope): Promise<ServiceReads> => {
      if (scope.kind === 'job') {
        const reader = new EnvironmentReader(clients, stack.outputs, { family: scope.family });
        const [running, stopped] = await Promise.all([reader.tasks('RUNNING', 10), reader.tasks('STOPPED', 10)]);
        return { scope, runs: [...running, ...stopped] };
      }
      const reader = new EnvironmentReader(clients, stack.outputs, { ...(scope.ecsService ? { ecsService: scope.ecsService } : {}), ...(scope.targetGroupArn ? { targetGroupArn: scope.targetGroupArn } : {}), ...(scope.alternateTargetGroupArn ? { alternateTargetGroupArn: scope.alternateTargetGroupArn } : {}) });
      const [service, targets, running] = await Promise.all([reader.service(), reader.targets(), reader.tasks('RUNNING', 50)]);
      return { scope, service, ...(targets ? { targets } : {}), running };
    }));
    const alarms = await new EnvironmentReader(clients, stack.outputs).alarms();
    return statusReport(config, { stackName: envStack, stackStatus: stack.status, outputs: stack.outputs, ...(release ? { release } : {}), history, reads, alarms });
  }

  async function logs(request: LogsRequest, onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    const { clients } = await connect();
    const stack = await readStack(clients, envStack);
    const group = stack?.outputs.LogGroupName ?? logGroupName(config.app, config.env);
    const scope = request.service !== undefined ? chooseService(config, serviceScopes(config, stack?.outputs), request.service) : undefined;
    const streams = { ...(scope ? { prefix: `${scope.logStreamPrefix}/` } : {}), serviceOf: (stream: string | undefined) => serviceOfStream(config, stream) };
    await readLogs(clients.logs, group, request, onLine, signal, redact, { streams }).catch((error: unknown) => {
      if (awsErrorName((error as { cause?: unknown }).cause ?? error) === 'ResourceNotFoundException' || /ResourceNotFoundException/.test(String(error))) {
        throw new OperationError(`log group ${group} does not exist`, `deploy first: \`berth deploy --env ${config.env}\``);
      }
      throw error;
    });
  }

  async function destroy(request: DestroyRequest, progress: Progress): Promise<void> {
    const { clients } = await announce(progress);
    const stacks = deployer(clients);
    const synth = await synthesize(undefined, request.purge);
    if (config.database && config.production) progress.warn('the production database has deletion protection: CloudFormation cannot delete it until it is turned off (RDS console > Modify > Deletion protection)');
    const step = progress.step(`Destroying stack ${envStack}`);
    try {
      await stacks.destroy(synth.assembly, envStack, (event) => step.update(`${event.logicalId} ${event.status}`));
      step.succeed();
    } catch (error) {
      step.fail();
      throw error;
    }
    if (config.database) progress.info('database: CloudFormation took a final snapshot before deleting it (RDS console > Snapshots; delete it there when it is no longer needed)');
    if (!request.purge) {
      progress.info(`kept: the ECR repository and its images (stack ${registryStack}), the release history and the secrets — \`berth destroy --purge\` removes them`);
      return;
    }
    // The repository is shared by the app's AWS environments: it goes only with the last of them.
    const others = config.environments.filter((env) => env !== 'local' && env !== config.env);
    const stillDeployed: string[] = [];
    if (!config.fromTemplate) for (const env of others) if (await readStack(clients, environmentStackName(config.app, env))) stillDeployed.push(env);
    if (config.fromTemplate) {
      // Environments made from a template (previews) come and go; the repository belongs to the declared ones.
      progress.info(`kept: the ECR repository (stack ${registryStack}); an environment made from the template ${config.fromTemplate} never removes it`);
    } else if (stillDeployed.length > 0) {
      progress.info(`kept: the ECR repository (stack ${registryStack}), still used by ${stillDeployed.join(', ')}`);
    } else {
      const registry = progress.step(`Destroying stack ${registryStack} (the ECR repository and its images)`);
      try {
        await stacks.destroy(synth.assembly, registryStack, (event) => registry.update(`${event.logicalId} ${event.status}`));
        // The deployed template retains the repository (DeletionPolicy Retain): remove it and its images here.
        await awsCall(`deleting ECR repository ${repositoryName(config.app)} (ecr:DeleteRepository)`, () =>
          clients.ecr.send(new DeleteRepositoryCommand({ repositoryName: repositoryName(config.app), force: true }))).catch((error: unknown) => {
          if (awsErrorName(error) !== 'RepositoryNotFoundException' && !isNotFound(error)) throw error;
        });
        registry.succeed();
      } catch (error) {
        registry.fail();
        throw error;
      }
    }
    const history = await new ReleaseStore(clients.ssm, config.app, config.env).list();
    const names = history.map((r) => releaseParameterName(config.app, config.env, r.number));
    for (let i = 0; i < names.length; i += 10) {
      await awsCall('deleting the release history (ssm:DeleteParameters)', () => clients.ssm.send(new DeleteParametersCommand({ Names: names.slice(i, i + 10) })));
    }
    const secrets = await new AwsSecretStore(clients.secrets, config.app, config.env, declaredSecrets(config)).list();
    for (const secret of secrets.filter((s) => s.lastChanged !== undefined || !s.declared)) {
      await awsCall(`deleting secret ${secret.name}`, () => clients.secrets.send(new DeleteSecretCommand({ SecretId: secretId(config.app, config.env, secret.name), ForceDeleteWithoutRecovery: true }))).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
    progress.info(`removed ${names.length} release records and ${secrets.length} secrets`);
  }

  /** Secret changes also say where they happen first (on stderr; the value itself never appears). */
  async function storeForChange(): Promise<AwsSecretStore> {
    const { createProgress } = await import('../../terminal/progress.js');
    const { clients } = await announce(createProgress());
    return new AwsSecretStore(clients.secrets, config.app, config.env, declaredSecrets(config));
  }

  const secretStore: SecretStore = {
    set: async (name, value) => (await storeForChange()).set(name, value),
    list: async () => new AwsSecretStore((await connect()).clients.secrets, config.app, config.env, declaredSecrets(config)).list(),
    remove: async (name) => (await storeForChange()).remove(name),
    missing: async () => new AwsSecretStore((await connect()).clients.secrets, config.app, config.env, declaredSecrets(config)).missing(),
  };

  async function diff(progress: Progress): Promise<StackDiffResult[]> {
    const { clients } = await connect();
    const stacks = deployer(clients);
    const current = await readStack(clients, envStack);
    const history = await new ReleaseStore(clients.ssm, config.app, config.env).list();
    // Compare with the image that runs now, so the diff shows configuration changes, not the placeholder.
    const image = currentRelease(history)?.image;
    const step = progress.step('Synthesizing the stacks');
    const synth = await synthesize(image);
    step.succeed();
    const results: StackDiffResult[] = [];
    for (const name of [synth.registryStack, synth.environmentStack]) results.push(await stacks.diff(synth.assembly, name));
    if (!current) progress.info(`stack ${envStack} is not deployed yet: everything would be created`);
    return results;
  }

  /** The deployed stack's outputs, or a clear error when the environment is not deployed. */
  async function deployedOutputs(clients: AwsClients): Promise<EnvironmentOutputs> {
    const stack = await readStack(clients, envStack);
    if (!stack?.outputs.ClusterName) throw new OperationError(`stack ${envStack} does not exist in ${clients.region}: the environment is not deployed`, `deploy it first: \`berth deploy --env ${config.env}\``);
    return stack.outputs;
  }

  /** The task definition a service runs now and the network of its tasks: the ECS service's, or for a job its family's latest and the stack outputs. */
  async function currentTask(clients: AwsClients, outputs: EnvironmentOutputs, scope: ServiceScope): Promise<{ taskDefinition: string; network: TaskNetwork }> {
    if (scope.ecsService) {
      const answer = await awsCall(`reading ECS service ${scope.ecsService} (ecs:DescribeServices)`, () => clients.ecs.send(new DescribeServicesCommand({ cluster: scope.cluster, services: [scope.ecsService!] })));
      const service = answer.services?.find((candidate) => candidate.status !== 'INACTIVE');
      const vpc = service?.networkConfiguration?.awsvpcConfiguration;
      if (!service?.taskDefinition || !vpc?.subnets) throw new OperationError(`ECS service ${scope.ecsService} is not deployed`, `deploy it first: \`berth deploy --env ${config.env}\``);
      return { taskDefinition: service.taskDefinition, network: { subnets: vpc.subnets, securityGroups: vpc.securityGroups ?? [], assignPublicIp: vpc.assignPublicIp === 'ENABLED' ? 'ENABLED' : 'DISABLED' } };
    }
    const answer = await awsCall(`reading task definition ${scope.family} (ecs:DescribeTaskDefinition)`, () => clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: scope.family })));
    const arn = answer.taskDefinition?.taskDefinitionArn;
    if (!arn) throw new OperationError(`task definition ${scope.family} does not exist`, `deploy first: \`berth deploy --env ${config.env}\``);
    return { taskDefinition: arn, network: taskNetwork(outputs, scope.name) };
  }

  /** Starts a task and streams its output to the user's terminal; the outcome of the container. */
  async function oneOff(request: { scope: ServiceScope; command?: string[]; group: string; startedBy: string }, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<OneOffResult> {
    const { clients } = await announce(progress);
    const outputs = await deployedOutputs(clients);
    const { taskDefinition, network } = await currentTask(clients, outputs, request.scope);
    const step = progress.step(`Starting a task of ${request.scope.name} (${taskDefinition.split('/').pop()})`);
    let started = false;
    try {
      const result = await runOneOffTask(clients, {
        cluster: request.scope.cluster,
        taskDefinition,
        container: request.scope.container,
        network,
        ...(request.command ? { command: request.command } : {}),
        group: request.group,
        startedBy: request.startedBy,
        logGroup: outputs.LogGroupName ?? logGroupName(config.app, config.env),
        logStreamPrefix: request.scope.logStreamPrefix,
      }, {
        signal,
        onStarted: (id) => { started = true; step.succeed(`task ${id}; its output follows (Ctrl-C stops it)`); },
        // The command's output is the user's own: it goes to their terminal as written.
        onLine: (line) => io.stdout.write(`${line}\n`),
      });
      return result;
    } catch (error) {
      if (!started) step.fail();
      throw error;
    }
  }

  function commandOutcome(result: OneOffResult, what: string): CommandOutcome {
    if (result.interrupted) return { exitCode: result.exitCode ?? 130 };
    if (result.exitCode === undefined) {
      throw new OperationError(`${what}: task ${result.taskId} stopped before its command ran: ${stoppedReasonOf(result) ?? 'no reason given'}`, '`berth doctor` explains common causes (image pull, secrets, subnets)');
    }
    return { exitCode: result.exitCode };
  }

  async function run(request: RunRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome> {
    const scope = chooseService(config, serviceScopes(config), request.service);
    const result = await oneOff({ scope, ...(request.command.length > 0 ? { command: request.command } : {}), group: oneOffTaskGroup('run', scope.name), startedBy: 'berth run' }, io, progress, signal);
    return commandOutcome(result, 'berth run');
  }

  async function runJob(request: JobRunRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome & { run?: JobRun }> {
    const scope = chooseService(config, serviceScopes(config), request.job, ['job']);
    // The job's own task group: its timeout applies as to a scheduled run.
    const result = await oneOff({ scope, group: jobTaskGroup(scope.family), startedBy: 'berth jobs run' }, io, progress, signal);
    const outcome = commandOutcome(result, `berth jobs run ${scope.name}`);
    const { clients } = await connect();
    const history = await new ReleaseStore(clients.ssm, config.app, config.env).list().catch(() => []);
    const reader = new EnvironmentReader(clients, await deployedOutputs(clients), { family: scope.family });
    const task = (await reader.tasks('STOPPED', 10).catch(() => [])).find((candidate) => taskId(candidate.taskArn ?? '') === result.taskId);
    return { ...outcome, ...(task ? { run: jobRun(scope.name, scope.family, task, history) } : {}) };
  }

  async function exec(request: ExecRequest, io: ProcessIO, progress: Progress, signal: AbortSignal): Promise<CommandOutcome> {
    if (!config.exec) {
      throw new UsageError(`berth exec uses ECS Exec, which is off for environment ${config.env}`, `set \`exec: true\` for it in ${config.file} (environments.${config.env}.exec: true), run \`berth deploy --env ${config.env}\`, then berth exec again`);
    }
    const pluginPath = plugin.find();
    if (!pluginPath) throw new OperationError('the Session Manager plugin (session-manager-plugin) is not on PATH: berth exec opens the session through it', SESSION_PLUGIN_INSTALL);
    const scope = chooseService(config, serviceScopes(config), request.service, ['web', 'worker']);
    const { clients } = await announce(progress);
    const outputs = await deployedOutputs(clients);
    const reader = new EnvironmentReader(clients, outputs, { ...(scope.ecsService ? { ecsService: scope.ecsService } : {}) });
    const running = await reader.tasks('RUNNING', 50);
    const index = (request.replica ?? 1) - 1;
    const task = running[index];
    if (!task?.taskArn) {
      throw new OperationError(`service ${scope.name} has ${running.length} running task${running.length === 1 ? '' : 's'}${request.replica ? `; there is no task ${request.replica}` : ''}`, '`berth status` lists them');
    }
    if (task.enableExecuteCommand === false) {
      throw new OperationError(`task ${taskId(task.taskArn)} was started before ECS Exec was turned on`, `deploy again (\`berth deploy --env ${config.env}\`) so the tasks start with it, then berth exec again`);
    }
    const container = task.containers?.find((candidate) => candidate.name === scope.container);
    const command = request.command.length > 0 ? request.command : ['/bin/sh'];
    const answer = await awsCall(`opening an ECS Exec session in task ${taskId(task.taskArn)} (ecs:ExecuteCommand)`, () => clients.ecs.send(new ExecuteCommandCommand({
      cluster: scope.cluster, task: task.taskArn, container: scope.container, interactive: true, command: execCommandText(command),
    })));
    const session = answer.session;
    if (!session?.sessionId || !session.streamUrl || !session.tokenValue || !container?.runtimeId) throw new OperationError('ECS did not open an exec session', 'check `berth status` and try again');
    progress.info(`exec in task ${taskId(task.taskArn)} of ${scope.name} (ECS Exec does not report the command's exit code; berth exits with the session's)`);
    const endpoint = settings.endpoint ?? `https://ecs.${clients.region}.amazonaws.com`;
    const args = sessionPluginArgs({ sessionId: session.sessionId, streamUrl: session.streamUrl, tokenValue: session.tokenValue }, {
      region: clients.region, cluster: scope.cluster, taskId: taskId(task.taskArn), runtimeId: container.runtimeId, ...(settings.profile ? { profile: settings.profile } : {}), endpoint,
    });
    return { exitCode: await plugin.run(pluginPath, args, io, signal) };
  }

  return { deploy, rollback, status, releases, logs, destroy, secrets: secretStore, diff, run, exec, runJob };
}

/** Why a one-off task stopped, preferring the container's own reason (e.g. CannotPullContainerError). */
function stoppedReasonOf(result: OneOffResult): string | undefined {
  return result.containerReason ?? result.stoppedReason;
}
