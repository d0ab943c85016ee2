/**
 * Deploys the CI stack `berth-<app>-ci` (`berth ci github --deploy`) the way the registry stack is deployed:
 * through the toolkit-lib StackDeployer, after CDK's bootstrap stack exists (the CI roles assume its roles, so
 * a CI deploy also guarantees the bootstrap the workflow needs). Before synthesis it looks for the account's
 * GitHub OIDC provider (iam:ListOpenIDConnectProviders) so an existing one is reused, never duplicated.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { Progress } from '../../terminal/progress.js';
import type { ResolvedConfig } from '../../config/model.js';
import { GITHUB_OIDC_HOST } from '../../plan/aws/ci-stack.js';
import { awsCall, awsErrorName, isNotFound } from './aws-errors.js';
import { createAwsClients, resolveAwsSettings, type AwsClients } from './aws-session.js';
import { callerIdentity, checkAccount, describeAwsTarget, type AwsIdentity } from './identity.js';
import { bootstrapNeeded, confirmSecurity } from './operations.js';
import type { AssemblyInput, StackDeployer } from './stack-deployer.js';
import { ToolkitStackDeployer } from './toolkit-deployer.js';

/** The provider ARN among the account's OIDC providers, or undefined (pure). */
export function githubProviderArn(arns: readonly string[]): string | undefined {
  return arns.find((arn) => arn.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`));
}

export interface CiDeployRequest {
  /** The configuration the stack's account and region come from (the first environment). */
  config: ResolvedConfig;
  stackName: string;
  /** From berth.yml's ci.oidcProviderArn; skips the lookup. */
  oidcProviderArn?: string;
  /** Synthesizes the stack with the provider to reuse (or none: create it). */
  synthesize(oidcProviderArn: string | undefined): Promise<AssemblyInput>;
  yes: boolean;
  ask?: (question: string) => Promise<string>;
}

export interface CiDeployResult {
  account: string;
  region: string;
  outputs: Record<string, string>;
  /** Where the provider came from. */
  provider: 'berth.yml' | 'found' | 'created';
  oidcProviderArn?: string;
}

export async function deployCiStack(request: CiDeployRequest, progress: Progress, overrides: { clients?: AwsClients; iam?: IAMClient; deployer?: StackDeployer } = {}): Promise<CiDeployResult> {
  const settings = resolveAwsSettings(request.config);
  const clients = overrides.clients ?? await createAwsClients(settings);
  const identity = await callerIdentity(clients.sts);
  checkAccount(request.config, identity);
  progress.info(describeAwsTarget(identity, clients.region, settings));
  const deployer = overrides.deployer ?? new ToolkitStackDeployer(settings, clients.region);
  await ensureBootstrapped(clients, identity, deployer, progress);

  let provider: CiDeployResult['provider'] = 'berth.yml';
  let providerArn = request.oidcProviderArn;
  if (!providerArn) {
    const { IAMClient, ListOpenIDConnectProvidersCommand } = await import('@aws-sdk/client-iam');
    const iam = overrides.iam ?? new IAMClient({ region: clients.region, maxAttempts: settings.maxAttempts });
    const answer = await awsCall('looking for the GitHub OIDC provider (iam:ListOpenIDConnectProviders)', () => iam.send(new ListOpenIDConnectProvidersCommand({})));
    providerArn = githubProviderArn((answer.OpenIDConnectProviderList ?? []).map((entry) => entry.Arn ?? ''));
    provider = providerArn ? 'found' : 'created';
    progress.info(providerArn ? `reusing the account's GitHub OIDC provider ${providerArn}` : `the account has no GitHub OIDC provider: the stack creates one for https://${GITHUB_OIDC_HOST}`);
  }

  const step = progress.step(`Deploying stack ${request.stackName}`);
  try {
    const assembly = await request.synthesize(providerArn);
    const { outputs } = await deployer.deploy(assembly, request.stackName, {
      onEvent: (event) => step.update(`${event.logicalId} ${event.status}`),
      confirmSecurityChanges: (changes) => confirmSecurity({ ...changes, stack: changes.stack || request.stackName }, request.yes, progress, request.ask),
      onNote: (text) => progress.info(text),
    });
    step.succeed();
    return { account: identity.account, region: clients.region, outputs, provider, ...(outputs.OidcProviderArn ?? providerArn ? { oidcProviderArn: outputs.OidcProviderArn ?? providerArn } : {}) };
  } catch (error) {
    step.fail();
    throw error;
  }
}

async function ensureBootstrapped(clients: AwsClients, identity: AwsIdentity, deployer: StackDeployer, progress: Progress): Promise<void> {
  try {
    const answer = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }));
    if (!bootstrapNeeded(answer.Stacks?.[0]?.StackStatus)) return;
  } catch (error) {
    if (!(awsErrorName(error) === 'ValidationError' && isNotFound(error))) await awsCall('checking the CDK bootstrap stack (cloudformation:DescribeStacks)', () => Promise.reject(error));
  }
  progress.info(`berth sets up CDK's bootstrap stack CDKToolkit in ${identity.account}/${clients.region} first: the CI roles deploy through its roles`);
  const step = progress.step(`Bootstrapping ${identity.account}/${clients.region}`);
  try {
    await deployer.bootstrap(identity.account, clients.region, (text) => step.update(text.split('\n')[0]!.slice(0, 100)));
    step.succeed();
  } catch (error) {
    step.fail();
    throw error;
  }
}
