/**
 * StackDeployer on @aws-cdk/toolkit-lib (no cdk CLI): toolkit messages become berth's resource events,
 * the toolkit's deploy confirmation becomes a question only for security-relevant changes, and its
 * errors keep CloudFormation's reasons. Credentials: the same chain and profile as berth's own clients
 * (BaseCredentials.awsCliCompatible); endpoints: the SDK inside honours AWS_ENDPOINT_URL.
 */
import type { IIoHost, IoMessage, IoRequest, Toolkit } from '@aws-cdk/toolkit-lib';
import type * as ToolkitModule from '@aws-cdk/toolkit-lib';
import { OperationError } from '../../errors.js';
import type { AwsSettings } from './aws-session.js';
import type { AssemblyInput, SecurityChanges, StackDeployer, StackDeployHooks, StackDiffResult, StackResourceEvent } from './stack-deployer.js';

type ToolkitLib = typeof ToolkitModule;

interface ActivityData {
  event?: { StackName?: string; LogicalResourceId?: string; ResourceType?: string; ResourceStatus?: string; ResourceStatusReason?: string };
  progress?: { formatted?: string };
}

/** A toolkit StackActivity message as a resource event (pure). */
export function resourceEventFrom(data: ActivityData): StackResourceEvent | undefined {
  const event = data.event;
  if (!event?.LogicalResourceId || !event.ResourceStatus) return undefined;
  return {
    stack: event.StackName ?? '',
    logicalId: event.LogicalResourceId,
    resourceType: event.ResourceType ?? '',
    status: event.ResourceStatus,
    ...(event.ResourceStatusReason ? { reason: event.ResourceStatusReason } : {}),
    ...(data.progress?.formatted ? { progress: data.progress.formatted.trim() } : {}),
  };
}

/** The diff part of the toolkit's deploy question (it ends with "Do you wish to deploy these changes?"). */
export function securityText(question: string): string {
  return question.replace(/\n*Stack includes [^\n]*Do you wish to deploy these changes\?\s*$/, '').trim();
}

/** Routes toolkit messages to the hooks of the action under way. */
class BerthIoHost implements IIoHost {
  hooks?: StackDeployHooks;
  onEvent?: (event: StackResourceEvent) => void;
  onNote?: (text: string) => void;
  diffs: Array<{ text: string; security: boolean }> = [];
  errors: string[] = [];

  async notify(message: IoMessage<unknown>): Promise<void> {
    if (message.code === 'CDK_TOOLKIT_I5502') {
      const event = resourceEventFrom(message.data as ActivityData);
      if (event) (this.hooks?.onEvent ?? this.onEvent)?.(event);
      return;
    }
    if (message.code === 'CDK_TOOLKIT_I4002') {
      const data = message.data as { permissionChanges?: string };
      this.diffs.push({ text: message.message, security: data.permissionChanges !== undefined && data.permissionChanges !== 'none' });
      return;
    }
    if (message.level === 'error') this.errors.push(message.message);
    if (message.level === 'warn') (this.hooks?.onNote ?? this.onNote)?.(message.message);
    if (message.code === 'CDK_TOOLKIT_I9100' || message.code === 'CDK_TOOLKIT_I9000') this.onNote?.(message.message);
  }

  async requestResponse<T>(request: IoRequest<unknown, T>): Promise<T> {
    if (request.code === 'CDK_TOOLKIT_I5060') {
      const data = request.data as { permissionChangeType?: string };
      const kind = data.permissionChangeType;
      // The toolkit asks about every change; berth asks the user only about security-relevant ones.
      if (!kind || kind === 'none' || !this.hooks) return true as T;
      const changes: SecurityChanges = { stack: '', kind: kind === 'broadening' ? 'broadening' : 'non-broadening', text: securityText(request.message) };
      return (await this.hooks.confirmSecurityChanges(changes)) as T;
    }
    // Other questions (rollback during deploy, destroy confirmation): berth asked its own question already.
    return request.defaultResponse;
  }
}

const STACK_SELECTION = 'pattern-must-match';

function selector(stackName: string) {
  return { strategy: STACK_SELECTION as never, patterns: [stackName] };
}

/** toolkit-lib errors with CloudFormation's reasons, as OperationErrors (pure). */
export function explainToolkitError(action: string, error: unknown, collected: readonly string[]): OperationError {
  if (error instanceof OperationError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  if (/DeployAborted|cancelled/i.test(`${name} ${message}`)) return new OperationError(`${action}: cancelled, nothing was changed`, 'run again and answer yes, or pass --yes after reviewing `berth diff`');
  if (/ECONNREFUSED|ENOTFOUND|getaddrinfo|connect ETIMEDOUT|socket hang up/i.test(message)) {
    const endpoint = process.env.AWS_ENDPOINT_URL;
    return new OperationError(`${action}: could not reach AWS${endpoint ? ` at AWS_ENDPOINT_URL=${endpoint}` : ''} (${message.split('\n')[0]})`, endpoint ? 'start the emulator at that address, or unset AWS_ENDPOINT_URL to use AWS itself' : 'check the network connection and the region');
  }
  const account = /Need to perform AWS calls for account (\d+), but no credentials/.exec(message);
  if (account) {
    const endpoint = process.env.AWS_ENDPOINT_URL;
    return new OperationError(
      `${action}: the credentials could not be confirmed for account ${account[1]} (sts:GetCallerIdentity failed${endpoint ? ` at AWS_ENDPOINT_URL=${endpoint}` : ''})`,
      endpoint ? 'check that the emulator at AWS_ENDPOINT_URL is running and answers STS, or unset it to use AWS itself' : 'set AWS_PROFILE (or --profile), run `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  if (/Could not load credentials|Unable to resolve AWS account|credentials/i.test(message)) {
    return new OperationError(`${action}: ${message.split('\n')[0]}`, 'set AWS_PROFILE (or --profile), run `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  const detail = [...new Set([message, ...collected].map((line) => line.trim()).filter(Boolean))].slice(0, 8);
  return new OperationError(`${action} failed:\n${detail.map((line) => `  ${line}`).join('\n')}`, 'the resource events above say which resource failed; `berth status` shows the environment now');
}

export class ToolkitStackDeployer implements StackDeployer {
  private toolkit?: Toolkit;
  private readonly io = new BerthIoHost();

  constructor(private readonly settings: AwsSettings, private readonly region: string) {}

  private async kit(): Promise<{ toolkit: Toolkit; lib: ToolkitLib }> {
    const lib = await import('@aws-cdk/toolkit-lib');
    this.toolkit ??= new lib.Toolkit({
      ioHost: this.io,
      color: false,
      emojis: false,
      // cdk-nag findings are annotations; the plan reports them itself (`berth plan`), they must not stop a deploy.
      assemblyFailureAt: 'none',
      sdkConfig: { baseCredentials: lib.BaseCredentials.awsCliCompatible({ ...(this.settings.profile ? { profile: this.settings.profile } : {}), defaultRegion: this.region }) },
    });
    return { toolkit: this.toolkit, lib };
  }

  /** The assembly as toolkit-lib reads it: with lookups when it can be rebuilt, else as synthesized. */
  private async source(assembly: AssemblyInput) {
    const { toolkit, lib } = await this.kit();
    const rebuild = assembly.rebuild;
    if (!rebuild) return toolkit.fromAssemblyDirectory(assembly.directory);
    const { CloudAssembly } = await import('aws-cdk-lib/cx-api');
    return toolkit.fromAssemblyBuilder(async () => new CloudAssembly(await rebuild()), {
      lookups: true,
      contextStore: assembly.contextFile ? new lib.FileContext(assembly.contextFile) : new lib.MemoryContext(),
    });
  }

  async bootstrap(account: string, region: string, onNote?: (text: string) => void): Promise<void> {
    const { toolkit, lib } = await this.kit();
    this.io.onNote = onNote;
    this.io.errors = [];
    try {
      await toolkit.bootstrap(lib.BootstrapEnvironments.fromList([`aws://${account}/${region}`]), {});
    } catch (error) {
      throw explainToolkitError(`bootstrapping CDK in ${account}/${region}`, error, this.io.errors);
    }
  }

  async deploy(assembly: AssemblyInput, stackName: string, hooks: StackDeployHooks): Promise<{ outputs: Record<string, string> }> {
    const { toolkit } = await this.kit();
    this.io.hooks = hooks;
    this.io.errors = [];
    try {
      const cx = await this.source(assembly);
      const result = await toolkit.deploy(cx, { stacks: selector(stackName), deploymentMethod: { method: 'change-set' } });
      const stack = result.stacks.find((s) => s.stackName === stackName) ?? result.stacks[0];
      return { outputs: { ...(stack?.outputs ?? {}) } };
    } catch (error) {
      throw explainToolkitError(`deploying stack ${stackName}`, error, this.io.errors);
    } finally {
      this.io.hooks = undefined;
    }
  }

  async diff(assembly: AssemblyInput, stackName: string): Promise<StackDiffResult> {
    const { toolkit, lib } = await this.kit();
    this.io.diffs = [];
    this.io.errors = [];
    try {
      const cx = await this.source(assembly);
      const diffs = await toolkit.diff(cx, { stacks: selector(stackName), method: lib.DiffMethod.TemplateOnly() });
      const templateDiff = diffs[stackName] ?? Object.values(diffs)[0];
      const shown = this.io.diffs.at(-1);
      return {
        stack: stackName,
        text: shown?.text.trim() ?? '',
        changes: templateDiff ? !templateDiff.isEmpty : false,
        securityChanges: Boolean(shown?.security) || Boolean(templateDiff?.permissionsAnyChanges),
      };
    } catch (error) {
      throw explainToolkitError(`comparing stack ${stackName} with what is deployed`, error, this.io.errors);
    }
  }

  async destroy(assembly: AssemblyInput, stackName: string, onEvent: (event: StackResourceEvent) => void): Promise<void> {
    const { toolkit } = await this.kit();
    this.io.onEvent = onEvent;
    this.io.errors = [];
    try {
      const cx = await this.source(assembly);
      await toolkit.destroy(cx, { stacks: selector(stackName) });
    } catch (error) {
      throw explainToolkitError(`destroying stack ${stackName}`, error, this.io.errors);
    } finally {
      this.io.onEvent = undefined;
    }
  }
}
