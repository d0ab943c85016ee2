process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Progress } from '../../terminal/progress.js';
import type { ResolvedConfig } from '../../config/model.js';
import type { AwsClients } from './aws-session.js';
import { deployCiStack, githubProviderArn } from './ci-deploy.js';
import type { StackDeployer } from './stack-deployer.js';

const sts = mockClient(STSClient);
const cloudformation = mockClient(CloudFormationClient);
const iam = mockClient(IAMClient);
const PROVIDER = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';

function clients(): AwsClients {
  const region = 'eu-west-1';
  return { settings: { region, maxAttempts: 1 }, region, sts: new STSClient({ region }), cloudformation: new CloudFormationClient({ region }) } as unknown as AwsClients;
}

function progress(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return { lines, step: (title) => { lines.push(title); return { update: () => undefined, succeed: () => undefined, fail: () => lines.push(`failed: ${title}`), warn: () => undefined }; }, info: (m) => lines.push(m), warn: (m) => lines.push(m) };
}

function deployer(calls: string[]): StackDeployer {
  return {
    bootstrap: async (account, region) => { calls.push(`bootstrap ${account}/${region}`); },
    deploy: async (assembly, stack) => { calls.push(`deploy ${stack} from ${assembly.directory}`); return { outputs: { RoleStagingArn: 'arn:aws:iam::123456789012:role/berth-shop-ci-staging', OidcProviderArn: PROVIDER } }; },
    diff: async () => { throw new Error('no diff'); },
    destroy: async () => { throw new Error('no destroy'); },
  };
}

const config = { env: 'staging', app: 'shop', file: '/srv/shop/berth.yml', region: 'eu-west-1' } as ResolvedConfig;

beforeEach(() => {
  sts.reset();
  cloudformation.reset();
  iam.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice' });
});

describe('berth ci github --deploy', () => {
  it('finds the account\'s GitHub provider among others and synthesizes the stack to reuse it', async () => {
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [{ Arn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC' }, { Arn: PROVIDER }] });
    const calls: string[] = [];
    const synthesized: Array<string | undefined> = [];
    const result = await deployCiStack({
      config, stackName: 'berth-shop-ci', yes: true,
      synthesize: async (arn) => { synthesized.push(arn); return { directory: '/tmp/ci.out' }; },
    }, progress(), { clients: clients(), iam: new IAMClient({ region: 'eu-west-1' }), deployer: deployer(calls) });
    expect(synthesized).toEqual([PROVIDER]);
    expect(calls).toEqual(['deploy berth-shop-ci from /tmp/ci.out']);
    expect(result).toMatchObject({ account: '123456789012', region: 'eu-west-1', provider: 'found', oidcProviderArn: PROVIDER });
  });

  it('bootstraps CDK first when the account has no bootstrap stack, and creates the provider when there is none', async () => {
    cloudformation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id CDKToolkit does not exist'), { name: 'ValidationError' }));
    iam.on(ListOpenIDConnectProvidersCommand).resolves({ OpenIDConnectProviderList: [] });
    const calls: string[] = [];
    const synthesized: Array<string | undefined> = [];
    const result = await deployCiStack({ config, stackName: 'berth-shop-ci', yes: true, synthesize: async (arn) => { synthesized.push(arn); return { directory: '/tmp/ci.out' }; } }, progress(), { clients: clients(), iam: new IAMClient({ region: 'eu-west-1' }), deployer: deployer(calls) });
    expect(calls).toEqual(['bootstrap 123456789012/eu-west-1', 'deploy berth-shop-ci from /tmp/ci.out']);
    expect(synthesized).toEqual([undefined]);
    expect(result.provider).toBe('created');
  });

  it('takes ci.oidcProviderArn without asking IAM, and refuses credentials of another account than berth.yml names', async () => {
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });
    const calls: string[] = [];
    await deployCiStack({ config, stackName: 'berth-shop-ci', yes: true, oidcProviderArn: PROVIDER, synthesize: async () => ({ directory: '/tmp/ci.out' }) }, progress(), { clients: clients(), iam: new IAMClient({ region: 'eu-west-1' }), deployer: deployer(calls) });
    expect(iam.commandCalls(ListOpenIDConnectProvidersCommand)).toHaveLength(0);
    await expect(deployCiStack({ config: { ...config, account: '999999999999' }, stackName: 'berth-shop-ci', yes: true, synthesize: async () => ({ directory: '/tmp/ci.out' }) }, progress(), { clients: clients(), deployer: deployer(calls) }))
      .rejects.toThrow(/belongs to AWS account 999999999999/);
  });

  it('matches only the GitHub Actions provider', () => {
    expect(githubProviderArn(['arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com/extra', PROVIDER])).toBe(PROVIDER);
    expect(githubProviderArn([])).toBeUndefined();
  });
});
