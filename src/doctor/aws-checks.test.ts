import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { awsChecks, principalArn, type AwsClients } from './aws-checks.js';

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const quotas = mockClient(ServiceQuotasClient);
const secrets = mockClient(SecretsManagerClient);

const config = {
  app: 'news-api',
  env: 'prod',
  region: 'us-east-1',
  account: undefined,
  services: [{ name: 'web', kind: 'web', route: {}, cpu: 512, count: { min: 2, max: 4, schedule: [] }, spot: false, loadBalancer: true, secrets: [] }],
  network: { tasks: 'public', egress: 'none', cidr: '10.0.0.0/16' },
} as never;

function clients(): AwsClients {
  return { sts: new STSClient({ region: 'us-east-1' }), iam: new IAMClient({ region: 'us-east-1' }), quotas: new ServiceQuotasClient({ region: 'us-east-1' }), region: 'us-east-1' };
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

afterEach(() => {
  sts.reset();
  iam.reset();
  quotas.reset();
  secrets.reset();
});

function allowEverything() {
  iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
    EvaluationResults: input.ActionNames.map((name) => ({ EvalActionName: name, EvalDecision: 'allowed' })),
    IsTruncated: false,
  }));
}

describe('principalArn', () => {
  it('turns an assumed-role session into its role', () => {
    expect(principalArn('arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_abc/jane@example.com')).toBe('arn:aws:iam::123456789012:role/AWSReservedSSO_Admin_abc');
  });
  it('keeps users and refuses root', () => {
    expect(principalArn('arn:aws:iam::123456789012:user/dev')).toBe('arn:aws:iam::123456789012:user/dev');
    expect(principalArn('arn:aws:iam::123456789012:root')).toBeUndefined();
  });
});

describe('awsChecks', () => {
  it('shows account and region, simulates the role behind an assumed-role session, and reads quotas', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/deployer/ci', UserId: 'x' });
    allowEverything();
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 6 } });
    const results = await awsChecks(config, clients());
    expect(results.map((r) => [r.id, r.status])).toEqual([['aws-credentials', 'pass'], ['aws-permissions', 'pass'], ['aws-quotas', 'pass']]);
    expect(results[0]!.message).toContain('AWS account 123456789012, region us-east-1');
    const simulated = iam.commandCalls(SimulatePrincipalPolicyCommand).map((call) => call.args[0].input);
    expect(simulated.every((input) => input.PolicySourceArn === 'arn:aws:iam::123456789012:role/deployer')).toBe(true);
    const passRole = simulated.find((input) => input.ActionNames?.includes('iam:PassRole'));
    expect(passRole?.ResourceArns).toEqual(['arn:aws:iam::123456789012:role/berth-news-api-*']);
  });

  it('simulates an SSO role under its path, which the session ARN leaves out', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_abc/jane' });
    iam.on(GetRoleCommand, { RoleName: 'AWSReservedSSO_Admin_abc' }).resolves({
      Role: { Arn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc', RoleName: 'AWSReservedSSO_Admin_abc', Path: '/aws-reserved/sso.amazonaws.com/', RoleId: 'x', CreateDate: new Date() },
    });
    allowEverything();
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 6 } });
    await awsChecks(config, clients());
    const sources = new Set(iam.commandCalls(SimulatePrincipalPolicyCommand).map((call) => call.args[0].input.PolicySourceArn));
    expect([...sources]).toEqual(['arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc']);
  });

  it('passes a role that deploys through CDK\'s bootstrap roles, as the CI roles of berth ci github do', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/berth-news-api-ci-prod/berth-prod-42' });
    const bootstrap = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-us-east-1';
    const allowed = new Set(['sts:AssumeRole', 'ecr:GetAuthorizationToken', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage', 'ssm:PutParameter', 'cloudformation:DescribeStacks']);
    iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[]; ResourceArns: string[] }) => ({
      EvaluationResults: input.ActionNames.map((name) => ({ EvalActionName: name, EvalDecision: allowed.has(name) && input.ResourceArns[0] !== '*' || name === 'ecr:GetAuthorizationToken' ? 'allowed' : 'implicitDeny' })),
      IsTruncated: false,
    }));
    quotas.on(GetServiceQuotaCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: servicequotas:GetServiceQuota'));
    const results = await awsChecks(config, clients());
    expect(results.find((r) => r.id === 'aws-permissions')).toMatchObject({ status: 'pass', message: expect.stringContaining("may deploy through CDK's bootstrap roles") });
    const resources = iam.commandCalls(SimulatePrincipalPolicyCommand).flatMap((call) => call.args[0].input.ResourceArns ?? []);
    expect(resources).toContain(bootstrap);
    expect(resources).toContain('arn:aws:ecr:us-east-1:123456789012:repository/berth/news-api');
  });

  it('still fails a caller who can neither deploy directly nor through the bootstrap roles', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/readonly/x' });
    iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((name) => ({ EvalActionName: name, EvalDecision: name.startsWith('cloudformation:') || name === 'sts:AssumeRole' ? 'implicitDeny' : 'allowed' })),
      IsTruncated: false,
    }));
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 6 } });
    const denied = await awsChecks(config, clients());
    expect(denied.find((r) => r.id === 'aws-permissions')).toMatchObject({ status: 'fail', message: expect.stringContaining('cloudformation:CreateStack') });
  });

  it('fails naming iam:PassRole when the caller deploys directly and may not pass berth roles', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/dev' });
    // Nor may it assume CDK's bootstrap roles (with those, CloudFormation's execution role passes the roles).
    iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((name) => ({ EvalActionName: name, EvalDecision: name === 'iam:PassRole' || name === 'sts:AssumeRole' ? 'implicitDeny' : 'allowed' })),
    }));
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 6 } });
    const permissions = (await awsChecks(config, clients())).find((r) => r.id === 'aws-permissions')!;
    expect(permissions.status).toBe('fail');
    expect(permissions.message).toContain('iam:PassRole');
    expect(permissions.details).toEqual(['iam:PassRole on arn:aws:iam::123456789012:role/berth-news-api-* (implicitDeny)']);
  });

  it('fails when the Fargate vCPU quota is below what the service may scale to', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/dev' });
    allowEverything();
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 5 } });
    quotas.on(GetServiceQuotaCommand, { ServiceCode: 'fargate', QuotaCode: 'L-3032A538' }).resolves({ Quota: { Value: 1 } });
    const quota = (await awsChecks(config, clients())).find((r) => r.id === 'aws-quotas')!;
    expect(quota.status).toBe('fail');
    expect(quota.message).toBe('Fargate On-Demand vCPUs is 1 vCPU, this deploy needs 2');
  });

  it('says plainly that the credentials expired', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('ExpiredTokenException', 'The security token included in the request is expired'));
    const results = await awsChecks(config, clients());
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ id: 'aws-credentials', status: 'fail' });
    expect(results[0]!.message).toContain('the AWS credentials have expired (ExpiredTokenException)');
    expect(results[0]!.fix).toContain('aws sso login');
  });

  it('fails, as a deploy would, when there are no credentials', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const results = await awsChecks(config, clients());
    expect(results).toEqual([expect.objectContaining({ id: 'aws-credentials', status: 'fail', message: expect.stringMatching(/^no AWS credentials/) })]);
  });

  it('turns throttling into a warning to retry, not a failure', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/dev' });
    iam.on(SimulatePrincipalPolicyCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 6 } });
    const permissions = (await awsChecks(config, clients())).find((r) => r.id === 'aws-permissions')!;
    expect(permissions.status).toBe('warn');
    expect(permissions.message).toContain('AWS throttled the request (Throttling)');
    expect(permissions.fix).toContain('run `berth doctor` again');
  });

  it('names declared secrets that have no value in Secrets Manager, without reading any value', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/dev' });
    allowEverything();
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 6 } });
    secrets.on(DescribeSecretCommand, { SecretId: 'berth/news-api/prod/API_KEY' }).resolves({ VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    secrets.on(DescribeSecretCommand, { SecretId: 'berth/news-api/prod/SESSION_SECRET' }).rejects(awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."));
    const withSecrets = { ...(config as object), services: [{ ...(config as { services: object[] }).services[0], secrets: ['API_KEY', 'SESSION_SECRET'] }] } as never;
    const result = (await awsChecks(withSecrets, { ...clients(), secrets: new SecretsManagerClient({ region: 'us-east-1' }) })).find((r) => r.id === 'secrets-set')!;
    expect(result).toMatchObject({ status: 'fail', fix: 'berth secrets set SESSION_SECRET --env prod' });
    expect(result.message).toContain('SESSION_SECRET');
    expect(result.message).not.toContain('API_KEY');
  });

  it('sums the Fargate vCPUs of every service, names the largest share, and checks every service\'s secrets once', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/dev' });
    allowEverything();
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 5 } });
    quotas.on(GetServiceQuotaCommand, { ServiceCode: 'fargate', QuotaCode: 'L-3032A538' }).resolves({ Quota: { Value: 2 } });
    secrets.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { v1: ['AWSCURRENT'] } });
    secrets.on(DescribeSecretCommand, { SecretId: 'berth/news-api/prod/FEED_TOKEN' }).rejects(awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."));
    const web = (config as { services: object[] }).services[0];
    const two = {
      ...(config as object),
      services: [{ ...web, secrets: ['API_KEY'] }, { name: 'worker', kind: 'worker', cpu: 2048, count: { min: 1, max: 2, schedule: [] }, spot: false, secrets: ['API_KEY', 'FEED_TOKEN'] }],
    } as never;
    const results = await awsChecks(two, { ...clients(), secrets: new SecretsManagerClient({ region: 'us-east-1' }) });
    const quota = results.find((r) => r.id === 'aws-quotas')!;
    expect(quota.message).toBe('Fargate On-Demand vCPUs is 2 vCPU, this deploy needs 6');
    expect(quota.fix).toContain('services.<name>.count.max / cpu (the largest share: worker, 4 vCPU)');
    expect(quota.details).toEqual(expect.arrayContaining(['web: 0.5 vCPU × 4 tasks (count.max) = 2 vCPU, On-Demand', 'worker: 2 vCPU × 2 tasks (count.max) = 4 vCPU, On-Demand']));
    expect(secrets.commandCalls(DescribeSecretCommand).map((call) => call.args[0].input.SecretId)).toEqual(['berth/news-api/prod/API_KEY', 'berth/news-api/prod/FEED_TOKEN']);
    expect(results.find((r) => r.id === 'secrets-set')).toMatchObject({ status: 'fail', fix: 'berth secrets set FEED_TOKEN --env prod' });
  });

  it('fails without a region', async () => {
    const results = await awsChecks(config, { ...clients(), region: '' });
    expect(results[0]).toMatchObject({ id: 'aws-credentials', status: 'fail', message: 'no AWS region' });
  });
});
