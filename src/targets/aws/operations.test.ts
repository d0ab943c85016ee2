import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { BatchGetImageCommand, DeleteRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeleteSecretCommand, GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteParametersCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import type { Progress } from '../../terminal/progress.js';
import type { ResolvedConfig } from '../../config/model.js';
import type { LogLine } from '../operations.js';
import type { AwsClients } from './aws-session.js';
import { resolveImageReference, tagInEcr } from './image-reference.js';
import { awsOperations, bootstrapNeeded, confirmSecurity } from './operations.js';
import type { StackDeployer } from './stack-deployer.js';

const CANARY = 'canary-ops-5c1e-password';
const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/berth/shop';
const DIGEST = `sha256:${'e'.repeat(64)}`;

const mocks = {
  sts: mockClient(STSClient), ecr: mockClient(ECRClient), ecs: mockClient(ECSClient), elb: mockClient(ElasticLoadBalancingV2Client),
  logs: mockClient(CloudWatchLogsClient), cloudwatch: mockClient(CloudWatchClient), ssm: mockClient(SSMClient),
  secrets: mockClient(SecretsManagerClient), cloudformation: mockClient(CloudFormationClient),
};

function clients(): AwsClients {
  const region = 'eu-west-1';
  return {
    settings: { region, maxAttempts: 6 }, region, clientOptions: { region },
    sts: new STSClient({ region }), ecr: new ECRClient({ region }), ecs: new ECSClient({ region }), elb: new ElasticLoadBalancingV2Client({ region }),
    logs: new CloudWatchLogsClient({ region }), cloudwatch: new CloudWatchClient({ region }), ssm: new SSMClient({ region }),
    secrets: new SecretsManagerClient({ region }), cloudformation: new CloudFormationClient({ region }),
  };
}

function config(overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return {
    file: '/srv/shop/berth.yml', dir: '/srv/shop', env: 'prod', target: 'aws', production: true, app: 'shop', region: 'eu-west-1', account: '123456789012',
    services: [{ name: 'web', kind: 'web', route: {}, ownImage: false, port: 8000, health: { path: '/health' }, arch: 'x86_64', secrets: ['STRIPE_KEY'], count: { min: 2, max: 2, schedule: [] }, env: {} }] as unknown as ResolvedConfig['services'],
    image: {}, release: {}, exec: false, registry: { keepReleases: 10, retention: [] },
    database: { engine: 'postgres', version: '16' } as ResolvedConfig['database'],
    cache: null,
    ...overrides,
  } as ResolvedConfig;
}

const noDeployer: StackDeployer = {
  bootstrap: async () => { throw new Error('must not bootstrap'); },
  deploy: async () => { throw new Error('must not deploy'); },
  diff: async () => { throw new Error('must not diff'); },
  destroy: async () => { throw new Error('must not destroy'); },
};

function recordingProgress(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    step: (title) => { lines.push(title); return { update: (d) => lines.push(d), succeed: (d) => lines.push(d ?? ''), fail: (d) => lines.push(d ?? ''), warn: (d) => lines.push(d ?? '') }; },
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
  };
}

beforeEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/alice' });
  mocks.secrets.on(GetSecretValueCommand).resolves({ SecretString: CANARY });
});

describe('awsOperations', () => {
  it('refuses to act in another account than berth.yml pins', async () => {
    mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/bob' });
    const ops = awsOperations(config(), { clients: clients(), deployer: noDeployer });
    await expect(ops.releases()).rejects.toThrow(/belongs to AWS account 123456789012.*credentials are for account 999999999999/);
  });

  it('a deploy says which account and region, then refuses while a declared secret has no value, naming it', async () => {
    mocks.secrets.on(ListSecretsCommand).resolves({ SecretList: [] });
    const progress = recordingProgress();
    const ops = awsOperations(config(), { clients: clients(), deployer: noDeployer });
    await expect(ops.deploy({ yes: true, timeoutSeconds: 60 }, progress)).rejects.toThrow(/without a value in Secrets Manager for environment prod: STRIPE_KEY/);
    expect(progress.lines[0]).toBe('AWS account 123456789012 (Deploy/alice) in eu-west-1');
    expect(mocks.cloudformation.calls()).toHaveLength(0);
  });

  it('status reports URL, release, tasks, deployments, targets, alarms and endpoints, never a password', async () => {
    mocks.cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'berth-shop-prod', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [
      { OutputKey: 'Url', OutputValue: 'http://shop-1.eu-west-1.elb.amazonaws.com' }, { OutputKey: 'ClusterName', OutputValue: 'c' }, { OutputKey: 'ServiceName', OutputValue: 's' },
      { OutputKey: 'TargetGroupArn', OutputValue: 'tg' }, { OutputKey: 'AlarmTopicArn', OutputValue: 'arn:aws:sns:eu-west-1:123456789012:alarms' },
      { OutputKey: 'DatabaseEndpoint', OutputValue: 'shop.abc.eu-west-1.rds.amazonaws.com:5432' }, { OutputKey: 'DatabaseSecretArn', OutputValue: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db' },
    ] }] });
    mocks.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/berth/shop/prod/releases/000003', Value: JSON.stringify({ number: 3, image: `${REPO}@${DIGEST}`, digest: DIGEST, createdAt: '2026-11-23T10:00:00Z', createdBy: 'Deploy/alice', status: 'deployed' }) }] });
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [{ desiredCount: 2, runningCount: 2, deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: 'td:3', desiredCount: 2, runningCount: 2, pendingCount: 0 }], events: [] }] });
    mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ name: 'app', image: `${REPO}@${DIGEST}` }] } });
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:aws:ecs:eu-west-1:1:task/c/aaaabbbbcccc1111'] });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/aaaabbbbcccc1111', lastStatus: 'RUNNING', healthStatus: 'HEALTHY', containers: [{ image: `${REPO}@${DIGEST}` }] }] });
    mocks.elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: '10.0.1.4', Port: 8000 }, TargetHealth: { State: 'healthy' } }, { Target: { Id: '10.0.2.9', Port: 8000 }, TargetHealth: { State: 'healthy' } }] });
    mocks.cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'shop-prod-5xx', StateValue: 'OK' }] });

    const report = await awsOperations(config(), { clients: clients(), deployer: noDeployer }).status();
    expect(report).toMatchObject({
      app: 'shop', env: 'prod', target: 'aws', url: 'http://shop-1.eu-west-1.elb.amazonaws.com', release: { number: 3 },
      tasks: { desired: 2, running: 2, pending: 0, healthy: 2, items: [{ id: 'aaaabbbbcccc1111', release: 3, status: 'RUNNING', health: 'healthy' }] },
      deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', rollout: 'COMPLETED', desired: 2, running: 2, release: 3 }],
      dependencies: [{ kind: 'database', engine: 'postgres 16', endpoint: 'shop.abc.eu-west-1.rds.amazonaws.com:5432' }],
      alarms: [{ name: 'shop-prod-5xx', state: 'OK' }],
    });
    expect(report.notes).toContain('load balancer targets: 2/2 healthy');
    expect(JSON.stringify(report)).not.toContain(CANARY);
    expect(mocks.secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('status of an environment that was never deployed says so', async () => {
    mocks.cloudformation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id berth-shop-prod does not exist'), { name: 'ValidationError' }));
    mocks.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    const report = await awsOperations(config(), { clients: clients(), deployer: noDeployer }).status();
    expect(report.notes[0]).toMatch(/stack berth-shop-prod does not exist in eu-west-1: not deployed yet/);
  });

  it('logs read the stack\'s log group and mask secret values', async () => {
    mocks.cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 's', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'LogGroupName', OutputValue: '/berth/shop/prod' }] }] });
    mocks.logs.on(FilterLogEventsCommand).resolves({ events: [{ eventId: '1', timestamp: 1, logStreamName: 'app/app/f00dcafe0001', message: `STRIPE_KEY=${CANARY}` }] });
    const lines: LogLine[] = [];
    await awsOperations(config(), { clients: clients(), deployer: noDeployer }).logs({ follow: false, sinceSeconds: 600 }, (line) => lines.push(line), new AbortController().signal);
    expect(lines).toEqual([{ timestamp: '1970-01-01T00:00:00.001Z', source: 'f00dcafe0001', message: 'STRIPE_KEY=***', service: 'web' }]);
    expect(mocks.logs.commandCalls(FilterLogEventsCommand)[0]!.args[0].input.logGroupName).toBe('/berth/shop/prod');
  });
});

describe('pure wiring decisions', () => {
  it('bootstraps only when CDKToolkit is missing or unusable', () => {
    expect(bootstrapNeeded(undefined)).toBe(true);
    expect(bootstrapNeeded('ROLLBACK_COMPLETE')).toBe(true);
    expect(bootstrapNeeded('CREATE_COMPLETE')).toBe(false);
    expect(bootstrapNeeded('UPDATE_ROLLBACK_COMPLETE')).toBe(false);
  });

  it('security changes are shown, then confirmed by --yes, a terminal answer, or refused without a terminal', async () => {
    const changes = { stack: 'berth-shop-prod', kind: 'broadening' as const, text: 'IAM Statement Changes\n+ ecr:GetAuthorizationToken' };
    const progress = recordingProgress();
    expect(await confirmSecurity(changes, true, progress)).toBe(true);
    expect(progress.lines).toContain('+ ecr:GetAuthorizationToken');
    expect(await confirmSecurity(changes, false, progress, async () => 'y')).toBe(true);
    expect(await confirmSecurity(changes, false, progress, async () => '')).toBe(false);
    await expect(confirmSecurity(changes, false, progress)).rejects.toThrow(/no terminal to confirm them/);
  });
});

describe('tagInEcr (promotion and rollback tags)', () => {
  it('re-puts the manifest of the digest under the new tag, tolerating an existing tag', async () => {
    mocks.ecr.on(BatchGetImageCommand).resolves({ images: [{ imageManifest: '{"schemaVersion":2}', imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' }] });
    mocks.ecr.on(PutImageCommand).rejectsOnce(Object.assign(new Error('exists'), { name: 'ImageAlreadyExistsException' })).resolves({});
    expect(await tagInEcr(new ECRClient({ region: 'eu-west-1' }), `${REPO}@${DIGEST}`, 'release-9')).toBe(true);
    expect(await tagInEcr(new ECRClient({ region: 'eu-west-1' }), `${REPO}@${DIGEST}`, 'release-10')).toBe(true);
    expect(mocks.ecr.commandCalls(PutImageCommand)[1]!.args[0].input).toEqual({ registryId: '123456789012', repositoryName: 'berth/shop', imageManifest: '{"schemaVersion":2}', imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json', imageTag: 'release-10', imageDigest: DIGEST });
  });

  it('leaves images outside ECR alone', async () => {
    expect(await tagInEcr(new ECRClient({ region: 'eu-west-1' }), `ghcr.io/acme/shop@${DIGEST}`, 'release-1')).toBe(false);
    expect(mocks.ecr.calls()).toHaveLength(0);
  });
});

describe('resolveImageReference (--image)', () => {
  it('accepts an image by digest as is', async () => {
    expect(await resolveImageReference(new ECRClient({ region: 'eu-west-1' }), `${REPO}@${DIGEST}`)).toEqual({ image: `${REPO}@${DIGEST}`, digest: DIGEST });
    expect(mocks.ecr.calls()).toHaveLength(0);
  });

  it('looks up the digest of an ECR tag', async () => {
    mocks.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST }] });
    expect(await resolveImageReference(new ECRClient({ region: 'eu-west-1' }), `${REPO}:release-7`)).toEqual({ image: `${REPO}@${DIGEST}`, digest: DIGEST });
    expect(mocks.ecr.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toEqual({ registryId: '123456789012', repositoryName: 'berth/shop', imageIds: [{ imageTag: 'release-7' }] });
  });

  it('refuses tags outside ECR and unknown tags', async () => {
    await expect(resolveImageReference(new ECRClient({ region: 'eu-west-1' }), 'ghcr.io/acme/shop:latest')).rejects.toThrow(/needs an image by digest/);
    mocks.ecr.on(DescribeImagesCommand).rejects(Object.assign(new Error('not found'), { name: 'ImageNotFoundException' }));
    await expect(resolveImageReference(new ECRClient({ region: 'eu-west-1' }), `${REPO}:nope`)).rejects.toThrow(/not found in ECR/);
  });
});

describe('destroy', () => {
  it('without --purge removes only the environment stack and says what is kept; --purge removes registry, history and secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-destroy-'));
    try {
      writeFileSync(join(dir, 'berth.yml'), ['app: aws-gone', 'service:', '  port: 8000', '  secrets: [STRIPE_KEY]', `  image: ${REPO}@${DIGEST}`, 'environments:', '  prod:', '    region: eu-west-1', '    account: "123456789012"', '    alarms: false'].join('\n'));
      const loaded = loadConfig({ config: join(dir, 'berth.yml'), env: 'prod' });
      const destroyed: string[] = [];
      const deployer: StackDeployer = { ...noDeployer, destroy: async (_assembly, stack) => { destroyed.push(stack); } };
      const progress = recordingProgress();
      await awsOperations(loaded, { clients: clients(), deployer }).destroy({ purge: false }, progress);
      expect(destroyed).toEqual(['berth-aws-gone-prod']);
      expect(progress.lines[0]).toBe('AWS account 123456789012 (Deploy/alice) in eu-west-1');
      expect(progress.lines.join('\n')).toMatch(/kept: the ECR repository and its images \(stack berth-aws-gone-registry\), the release history and the secrets/);
      expect(mocks.ssm.commandCalls(DeleteParametersCommand)).toHaveLength(0);

      mocks.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/berth/aws-gone/prod/releases/000001', Value: JSON.stringify({ number: 1, image: `${REPO}@${DIGEST}`, digest: DIGEST, createdAt: 'x', createdBy: 'a', status: 'deployed' }) }] });
      mocks.secrets.on(ListSecretsCommand).resolves({ SecretList: [{ Name: 'berth/aws-gone/prod/STRIPE_KEY', LastChangedDate: new Date() }] });
      destroyed.length = 0;
      await awsOperations(loaded, { clients: clients(), deployer }).destroy({ purge: true }, recordingProgress());
      expect(destroyed).toEqual(['berth-aws-gone-prod', 'berth-aws-gone-registry']);
      expect(mocks.ssm.commandCalls(DeleteParametersCommand)[0]!.args[0].input.Names).toEqual(['/berth/aws-gone/prod/releases/000001']);
      expect(mocks.secrets.commandCalls(DeleteSecretCommand)[0]!.args[0].input).toEqual({ SecretId: 'berth/aws-gone/prod/STRIPE_KEY', ForceDeleteWithoutRecovery: true });
      expect(mocks.ecr.commandCalls(DeleteRepositoryCommand)[0]!.args[0].input).toEqual({ repositoryName: 'berth/aws-gone', force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('destroy --purge with another environment still deployed', () => {
  it('keeps the shared ECR repository and says which environment uses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-destroy-shared-'));
    try {
      writeFileSync(join(dir, 'berth.yml'), ['app: aws-two', 'region: eu-west-1', 'service:', '  port: 8000', `  image: ${REPO}@${DIGEST}`, 'environments:', '  prod: {}', '  staging: {}'].join('\n'));
      const loaded = loadConfig({ config: join(dir, 'berth.yml'), env: 'staging' });
      mocks.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
      mocks.secrets.on(ListSecretsCommand).resolves({ SecretList: [] });
      mocks.cloudformation.on(DescribeStacksCommand, { StackName: 'berth-aws-two-prod' }).resolves({ Stacks: [{ StackName: 'berth-aws-two-prod', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
      const destroyed: string[] = [];
      const deployer: StackDeployer = { ...noDeployer, destroy: async (_assembly, stack) => { destroyed.push(stack); } };
      const progress = recordingProgress();
      await awsOperations(loaded, { clients: clients(), deployer }).destroy({ purge: true }, progress);
      expect(destroyed).toEqual(['berth-aws-two-staging']);
      expect(mocks.ecr.commandCalls(DeleteRepositoryCommand)).toHaveLength(0);
      expect(progress.lines.join('\n')).toContain('kept: the ECR repository (stack berth-aws-two-registry), still used by prod');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('deploy through the real wiring (SDK mocked, stacks faked, health URL on 127.0.0.1)', () => {
  it('bootstraps on first use, deploys registry then environment with the pinned digest, waits until healthy, records the release', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-deploy-'));
    // berth.yml below sets no health path, so the default "/" is what the deploy must GET.
    const server = createServer((request, response) => { response.writeHead(request.url === '/' ? 200 : 404); response.end(); });
    await new Promise<void>((resolve) => server.listen(15087, '127.0.0.1', resolve));
    try {
      writeFileSync(join(dir, 'berth.yml'), ['app: aws-ok', 'service:', '  port: 8000', '  secrets: [STRIPE_KEY]', `  image: ${REPO}@${DIGEST}`, 'environments:', '  prod:', '    region: eu-west-1', '    account: "123456789012"', '    alarms: false'].join('\n'));
      const loaded = loadConfig({ config: join(dir, 'berth.yml'), env: 'prod' });
      mocks.secrets.on(ListSecretsCommand).resolves({ SecretList: [{ Name: 'berth/aws-ok/prod/STRIPE_KEY', SecretVersionsToStages: { v1: ['AWSCURRENT'] } }] });
      mocks.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
      mocks.ssm.on(PutParameterCommand).resolves({ Version: 1 });
      mocks.cloudformation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id CDKToolkit does not exist'), { name: 'ValidationError' }));
      mocks.ecs.on(DescribeServicesCommand).resolves({ services: [{ desiredCount: 1, runningCount: 1, deployments: [{ id: 'd1', status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: 'td:1', desiredCount: 1, runningCount: 1, pendingCount: 0 }] }] });
      mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [{ image: `${REPO}@${DIGEST}` }] } });
      mocks.elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: '10.0.1.4', Port: 8000 }, TargetHealth: { State: 'healthy' } }] });

      const calls: string[] = [];
      const templates: string[] = [];
      const deployer: StackDeployer = {
        ...noDeployer,
        bootstrap: async (account, region) => { calls.push(`bootstrap ${account}/${region}`); },
        deploy: async (assembly, stack) => {
          calls.push(`deploy ${stack}`);
          const { readFileSync } = await import('node:fs');
          templates.push(readFileSync(join(assembly.directory, `${stack}.template.json`), 'utf8'));
          const outputs: Record<string, string> = stack.endsWith('registry') ? { RepositoryUri: REPO } : { Url: 'http://127.0.0.1:15087', ClusterName: 'c', ServiceName: 's', TargetGroupArn: 'tg', LogGroupName: '/berth/aws-ok/prod' };
          return { outputs };
        },
      };
      const progress = recordingProgress();
      const outcome = await awsOperations(loaded, { clients: clients(), deployer }).deploy({ yes: true, timeoutSeconds: 60 }, progress);

      expect(outcome).toMatchObject({ ok: true, env: 'prod', url: 'http://127.0.0.1:15087', release: { number: 1, digest: DIGEST, image: `${REPO}@${DIGEST}`, createdBy: 'Deploy/alice', status: 'deployed' } });
      expect(calls).toEqual(['bootstrap 123456789012/eu-west-1', 'deploy berth-aws-ok-registry', 'deploy berth-aws-ok-prod']);
      expect(templates[1]).toContain(`${REPO}@${DIGEST}`);
      expect(progress.lines[0]).toBe('AWS account 123456789012 (Deploy/alice) in eu-west-1');
      expect(progress.lines.some((line) => /^first deploy to 123456789012\/eu-west-1: berth sets up CDK's bootstrap stack CDKToolkit/.test(line))).toBe(true);
      const puts = mocks.ssm.commandCalls(PutParameterCommand).map((call) => [call.args[0].input.Name, JSON.parse(call.args[0].input.Value!).status]);
      expect(puts).toEqual([['/berth/aws-ok/prod/releases/000001', 'deploying'], ['/berth/aws-ok/prod/releases/000001', 'deployed']]);
      expect(JSON.stringify(outcome) + progress.lines.join('\n') + templates.join('')).not.toContain(CANARY);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("rollback synthesizes the release's env and secret names, read from its task definition, with its image", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-rollback-'));
    const server = createServer((_request, response) => { response.writeHead(200); response.end(); });
    await new Promise<void>((resolve) => server.listen(15088, '127.0.0.1', resolve));
    try {
      writeFileSync(join(dir, 'berth.yml'), ['app: aws-rb', 'service:', '  port: 8000', '  env: { MODE: today-mode }', '  secrets: [STRIPE_KEY]', `  image: ${REPO}@${DIGEST}`, 'environments:', '  prod:', '    region: eu-west-1', '    account: "123456789012"', '    alarms: false'].join('\n'));
      const loaded = loadConfig({ config: join(dir, 'berth.yml'), env: 'prod' });
      const older = `sha256:${'1'.repeat(64)}`;
      const records = [
        { number: 1, image: `${REPO}@${older}`, digest: older, createdAt: '2026-11-01T10:00:00.000Z', createdBy: 'Deploy/alice', status: 'superseded', services: [{ name: 'web', taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/berth-aws-rb-prod:4' }] },
        { number: 2, image: `${REPO}@${DIGEST}`, digest: DIGEST, createdAt: '2026-11-02T10:00:00.000Z', createdBy: 'Deploy/alice', status: 'deployed' },
      ];
      mocks.secrets.on(ListSecretsCommand).resolves({ SecretList: ['STRIPE_KEY', 'LEGACY_TOKEN'].map((name) => ({ Name: `berth/aws-rb/prod/${name}`, SecretVersionsToStages: { v1: ['AWSCURRENT'] } })) });
      mocks.ssm.on(GetParametersByPathCommand).resolves({ Parameters: records.map((record) => ({ Name: `/berth/aws-rb/prod/releases/00000${record.number}`, Value: JSON.stringify(record) })) });
      mocks.ssm.on(PutParameterCommand).resolves({ Version: 1 });
      mocks.cloudformation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id berth-aws-rb-prod does not exist'), { name: 'ValidationError' }));
      mocks.cloudformation.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });
      mocks.ecs.on(DescribeServicesCommand).resolves({ services: [{ desiredCount: 1, runningCount: 1, deployments: [{ id: 'd1', status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: 'td:5', desiredCount: 1, runningCount: 1, pendingCount: 0 }] }] });
      mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({
        // Release 1 ran bigger ARM tasks with its own command; today's berth.yml has the defaults (x86, no command).
        taskDefinition: { cpu: '1024', memory: '2048', runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' }, containerDefinitions: [{ name: 'app', image: `${REPO}@${older}`, command: ['gunicorn', 'old:app'], environment: [{ name: 'MODE', value: 'release-one-mode' }], secrets: ['STRIPE_KEY', 'LEGACY_TOKEN'].map((name) => ({ name, valueFrom: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:berth/aws-rb/prod/${name}` })) }] },
      });
      mocks.elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: '10.0.1.4', Port: 8000 }, TargetHealth: { State: 'healthy' } }] });
      const templates: string[] = [];
      const deployer: StackDeployer = {
        ...noDeployer,
        deploy: async (assembly, stack) => {
          const { readFileSync } = await import('node:fs');
          templates.push(readFileSync(join(assembly.directory, `${stack}.template.json`), 'utf8'));
          const outputs: Record<string, string> = stack.endsWith('registry') ? { RepositoryUri: REPO } : { Url: 'http://127.0.0.1:15088', ClusterName: 'c', ServiceName: 's', TargetGroupArn: 'tg', LogGroupName: '/berth/aws-rb/prod' };
          return { outputs };
        },
      };
      const progress = recordingProgress();
      const outcome = await awsOperations(loaded, { clients: clients(), deployer }).rollback({ yes: true, timeoutSeconds: 60 }, progress);

      expect(outcome).toMatchObject({ ok: true, release: { number: 3, rollbackOf: 1, image: `${REPO}@${older}` }, rollback: { release: 1, env: 'recorded' } });
      expect(outcome.rollback?.changes).toEqual([
        { key: 'service', field: 'env', name: 'MODE', change: 'changed' },
        { key: 'service', field: 'secrets', name: 'LEGACY_TOKEN', change: 'removed' },
        { key: 'service', field: 'cpu', change: 'changed' },
        { key: 'service', field: 'memory', change: 'changed' },
        { key: 'service', field: 'arch', change: 'changed' },
        { key: 'service', field: 'command', change: 'changed' },
      ]);
      expect(progress.lines).toContain("berth.yml changed since release 1: service.env MODE changed; service.secrets LEGACY_TOKEN removed; service.cpu changed; service.memory changed; service.arch changed; service.command changed; rollback runs release 1's env and settings");
      const container = (JSON.parse(templates.at(-1)!) as { Resources: Record<string, { Type: string; Properties: { Cpu?: string; Memory?: string; RuntimePlatform?: { CpuArchitecture?: string }; ContainerDefinitions?: Array<{ Command?: string[]; Environment?: Array<{ Name: string; Value: string }>; Secrets?: Array<{ Name: string }> }> } }> }).Resources;
      const task = Object.values(container).find((resource) => resource.Type === 'AWS::ECS::TaskDefinition')!.Properties;
      // The release's image was built for ARM: its tasks run on ARM again, at its size, with its command.
      expect(task).toMatchObject({ Cpu: '1024', Memory: '2048', RuntimePlatform: { CpuArchitecture: 'ARM64' } });
      const app = task.ContainerDefinitions![0]!;
      expect(app.Command).toEqual(['gunicorn', 'old:app']);
      expect(app.Environment).toContainEqual({ Name: 'MODE', Value: 'release-one-mode' });
      expect((app.Secrets ?? []).map((secret) => secret.Name).sort()).toEqual(['LEGACY_TOKEN', 'STRIPE_KEY']);
      expect(templates.at(-1)).toContain(`${REPO}@${older}`);
      expect(progress.lines.join('\n')).not.toContain('release-one-mode');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});


describe('destroy --purge of an environment made from a template', () => {
  it('removes the preview stack, its releases and secrets, never the shared ECR repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-destroy-preview-'));
    try {
      writeFileSync(join(dir, 'berth.yml'), ['app: aws-pr', 'region: eu-west-1', 'service:', '  port: 8000', `  image: ${REPO}@${DIGEST}`, 'environments:', '  staging: {}', '  preview:', '    template: pr-*', '    alarms: false'].join('\n'));
      const loaded = loadConfig({ config: join(dir, 'berth.yml'), env: 'pr-12' });
      mocks.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/berth/aws-pr/pr-12/releases/000001', Value: JSON.stringify({ number: 1, image: `${REPO}@${DIGEST}`, digest: DIGEST, createdAt: 'x', createdBy: 'a', status: 'deployed' }) }] });
      mocks.secrets.on(ListSecretsCommand).resolves({ SecretList: [] });
      const destroyed: string[] = [];
      const deployer: StackDeployer = { ...noDeployer, destroy: async (_assembly, stack) => { destroyed.push(stack); } };
      const progress = recordingProgress();
      await awsOperations(loaded, { clients: clients(), deployer }).destroy({ purge: true }, progress);
      expect(destroyed).toEqual(['berth-aws-pr-pr-12']);
      expect(mocks.ecr.commandCalls(DeleteRepositoryCommand)).toHaveLength(0);
      expect(mocks.cloudformation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName)).not.toContain('berth-aws-pr-staging');
      expect(mocks.ssm.commandCalls(DeleteParametersCommand)[0]!.args[0].input.Names).toEqual(['/berth/aws-pr/pr-12/releases/000001']);
      expect(progress.lines.join('\n')).toContain('kept: the ECR repository (stack berth-aws-pr-registry); an environment made from the template preview never removes it');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
