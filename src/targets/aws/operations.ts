/**
 * TargetOperations for AWS environments: `awsOperations(config)`. Wires the SDK clients, the
 * toolkit-lib stack deployer, the Docker engine and the plan's synthesis into the deploy flow and the
 * operating commands. Says which account and region before changing anything.
 */
import { notRealizedYet, soleWebService } from '../../model/transitional.js';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import { DeleteParametersCommand } from '@aws-sdk/client-ssm';
import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Progress } from '../../terminal/progress.js';
import { ask, isInteractive } from '../../terminal/prompt.js';
import type { ResolvedConfig } from '../../config/model.js';
import { OperationError, UsageError } from '../../errors.js';
import { appImageArch, cdkContextFile, cloudAssemblyDir, environmentStackName, localReleaseImage, logGroupName, platformFor, registryStackName, repositoryName } from '../../model/index.js';
import type { DeployOutcome, DeployRequest, DestroyRequest, LogLine, LogsRequest, Release, RollbackRequest, SecretStore, StatusReport, TargetOperations } from '../operations.js';
import { awsCall, awsErrorName, isNotFound } from './aws-errors.js';
import { createAwsClients, resolveAwsSettings, type AwsClients } from './aws-session.js';
import { runDeploy, type DeployPorts, type DeploySource } from './deploy-flow.js';
import { EnvironmentReader, gatherEvidence, probeHealth, readStack, taskStates } from './environment-reads.js';
import { callerIdentity, checkAccount, describeAwsTarget, principalName, type AwsIdentity } from './identity.js';
import { buildForTask, checkLocalImage } from './image-build.js';
import { checkTag, ecrAuth, gitShortSha, pushImage, releaseTags } from './image-push.js';
import { resolveImageReference, tagInEcr } from './image-reference.js';
import { logRedactor } from './log-redaction.js';
import { readLogs } from './logs.js';
import { currentRelease, rollbackTarget } from '../../model/release-rules.js';
import { releaseParameterName, ReleaseStore } from './releases.js';
import { AwsSecretStore, secretId } from './secrets.js';
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

export function awsOperations(config: ResolvedConfig, overrides: { deployer?: StackDeployer; clients?: AwsClients } = {}): TargetOperations & { diff(progress: Progress): Promise<StackDiffResult[]> } {
  const settings = resolveAwsSettings(config);
  const envStack = environmentStackName(config.app, config.env);
  const registryStack = registryStackName(config.app);
  const redact = logRedactor(soleWebService(config).secrets);
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
    const { silentProgress } = await import('../../terminal/progress.js');
    if (!announced) {
      if (progress === silentProgress) process.stderr.write(`${line}\n`);
      else progress.info(line);
    }
    announced = true;
    return current;
  }

  function deployer(clients: AwsClients): StackDeployer {
    return overrides.deployer ?? new ToolkitStackDeployer(settings, clients.region);
  }

  async function synthesize(image?: string, purge = false): Promise<{ assembly: AssemblyInput; registryStack: string; environmentStack: string }> {
    const { synthesizeEnvironment } = await import('../../plan/aws/synthesize.js');
    const options = { outdir: cloudAssemblyDir(config.dir, config.env), ...(image ? { image } : {}), ...(purge ? { purge } : {}) };
    const result = await synthesizeEnvironment(config, options);
    return {
      // Rebuilt under toolkit-lib so context lookups (availability zones of a fixed account) get answered.
      assembly: { directory: result.assemblyDir, rebuild: async () => (await synthesizeEnvironment(config, options)).assemblyDir, contextFile: cdkContextFile(config.dir, config.env) },
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
    const secrets = new AwsSecretStore(clients.secrets, config.app, config.env, soleWebService(config).secrets);
    const { diagnose } = await import('../../doctor/diagnose.js');
    const ask = terminalQuestion();
    // One reader per set of outputs (it caches task definition images); outputs change when the stack does.
    const readers = new Map<string, EnvironmentReader>();
    const readerFor = (outputs: Record<string, string | undefined>) => {
      const key = JSON.stringify(outputs);
      const known = readers.get(key);
      if (known) return known;
      const reader = new EnvironmentReader(clients, outputs);
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
      synthesize: (image) => synthesize(image),
      existingOutputs: async () => (await readStack(clients, envStack))?.outputs,
      tagRelease: (image, tag) => tagInEcr(clients.ecr, image, tag),
      deployer: stacks,
      ensureBootstrapped: () => ensureBootstrapped(clients, identity, stacks, progress),
      snapshot: async (outputs) => {
        const read = readerFor(outputs);
        const [service, targets] = await Promise.all([read.service(), read.targets()]);
        return { ...service, ...(targets ? { targets } : {}) };
      },
      probe: (url, path) => probeHealth(url, path),
      evidence: (outputs, stackName) => gatherEvidence(readerFor(outputs), stackName, redact),
      diagnose: (evidence) => diagnose(evidence, config),
      confirmSecurityChanges: (changes) => confirmSecurity(changes, yes, progress, ask),
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
  }

  async function deploy(request: DeployRequest, progress: Progress): Promise<DeployOutcome> {
    if (request.tag) checkTag(request.tag);
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
        await checkLocalImage(localImage, soleWebService(config).arch);
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
    const target = rollbackTarget(await p.releases.list(), request.to);
    progress.info(`rolling back to release ${target.number} (${target.digest.slice(0, 19)}…, deployed ${target.createdAt} by ${target.createdBy})`);
    return remember(await runDeploy(p, { kind: 'rollback', release: target }, { timeoutSeconds: request.timeoutSeconds }));
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
    const base: StatusReport = {
      app: config.app, env: config.env, target: 'aws',
      ...(release ? { release } : {}),
      tasks: { desired: 0, running: 0, pending: 0, healthy: 0, items: [] },
      deployments: [], dependencies: [], alarms: [], notes: [],
    };
    if (!stack) return { ...base, notes: [`stack ${envStack} does not exist in ${clients.region}: not deployed yet (\`berth deploy --env ${config.env}\`)`] };
    const reader = new EnvironmentReader(clients, stack.outputs);
    const [service, targets, running, alarms] = await Promise.all([reader.service(), reader.targets(), reader.tasks('RUNNING', 50), reader.alarms()]);
    const items = taskStates(running);
    const releaseOf = (images: readonly string[] | undefined) => history.find((r) => images?.some((image) => image.endsWith(`@${r.digest}`)))?.number;
    const notes = [`stack ${envStack}: ${stack.status}`];
    if (targets) notes.push(`load balancer targets: ${targets.filter((t) => t.state === 'healthy').length}/${targets.length} healthy${targets.filter((t) => t.state !== 'healthy').map((t) => `; ${t.id} ${t.state}${t.reason ? ` (${t.reason})` : ''}`).join('')}`);
    return {
      ...base,
      ...(stack.outputs.Url ? { url: stack.outputs.Url } : {}),
      tasks: {
        desired: service.desired,
        running: service.running,
        pending: service.deployments.reduce((sum, d) => sum + d.pending, 0),
        healthy: targets ? targets.filter((t) => t.state === 'healthy').length : items.filter((t) => t.health === 'healthy').length,
        items: items.map((item) => {
          const number = releaseOf(running.find((task) => task.taskArn?.endsWith(item.id))?.containers?.map((container) => container.image ?? ''));
          return number ? { ...item, release: number } : item;
        }),
      },
      deployments: service.deployments.map((d) => {
        const number = releaseOf(d.images);
        return { id: d.id, status: d.status, rollout: d.rolloutState ?? 'UNKNOWN', desired: d.desired, running: d.running, ...(number ? { release: number } : {}) };
      }),
      dependencies: [
        ...(config.database && stack.outputs.DatabaseEndpoint ? [{ kind: 'database' as const, engine: `postgres ${config.database.version}`, endpoint: stack.outputs.DatabaseEndpoint, status: 'deployed' }] : []),
        ...(config.cache && stack.outputs.CacheEndpoint ? [{ kind: 'cache' as const, engine: `redis ${config.cache.version}`, endpoint: stack.outputs.CacheEndpoint, status: 'deployed' }] : []),
      ],
      alarms,
      notes,
    };
  }

  async function logs(request: LogsRequest, onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void> {
    const { clients } = await connect();
    const stack = await readStack(clients, envStack);
    const group = stack?.outputs.LogGroupName ?? logGroupName(config.app, config.env);
    await readLogs(clients.logs, group, request, onLine, signal, redact).catch((error: unknown) => {
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
    const secrets = await new AwsSecretStore(clients.secrets, config.app, config.env, soleWebService(config).secrets).list();
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
    return new AwsSecretStore(clients.secrets, config.app, config.env, soleWebService(config).secrets);
  }

  const secretStore: SecretStore = {
    set: async (name, value) => (await storeForChange()).set(name, value),
    list: async () => new AwsSecretStore((await connect()).clients.secrets, config.app, config.env, soleWebService(config).secrets).list(),
    remove: async (name) => (await storeForChange()).remove(name),
    missing: async () => new AwsSecretStore((await connect()).clients.secrets, config.app, config.env, soleWebService(config).secrets).missing(),
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

  return { deploy, rollback, status, releases, logs, destroy, secrets: secretStore, diff, run: () => notRealizedYet('berth run'), exec: () => notRealizedYet('berth exec') };
}
