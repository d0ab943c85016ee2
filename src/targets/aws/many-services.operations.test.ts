/**
 * AWS operations of an app with many services (test/fixtures/many-services): deploy with release.before (two phases,
 * decided by the before task's exit), status and logs per service, berth run and berth exec — with the SDK mocked
 * (aws-sdk-client-mock) and a fake stack deployer in place of CloudFormation.
 */
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { BatchGetImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ExecuteCommandCommand, ListTasksCommand, RunTaskCommand, StopTaskCommand, type Task,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import type { ResolvedConfig } from '../../config/model.js';
import { OperationError, UsageError } from '../../errors.js';
import { silentProgress } from '../../terminal/progress.js';
import type { LogLine, ProcessIO, Release } from '../operations.js';
import type { AwsClients } from './aws-session.js';
import type { SessionPlugin } from './exec-session.js';
import { awsOperations } from './operations.js';
import type { StackDeployer } from './stack-deployer.js';

const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/berth/news';
const NEW = `sha256:${'a'.repeat(64)}`;
const OLD = `sha256:${'b'.repeat(64)}`;
const CANARY = 'canary-many-9d1e';
const TD = (family: string, revision: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${revision}`;
const TASK = (id: string) => `arn:aws:ecs:eu-west-1:123456789012:task/berth-news-prod/${id}`;

const mocks = {
  sts: mockClient(STSClient), ecr: mockClient(ECRClient), ecs: mockClient(ECSClient), elb: mockClient(ElasticLoadBalancingV2Client),
  logs: mockClient(CloudWatchLogsClient), cloudwatch: mockClient(CloudWatchClient), ssm: mockClient(SSMClient),
  secrets: mockClient(SecretsManagerClient), cloudformation: mockClient(CloudFormationClient),
};

function clients(): AwsClients {
  const region = 'eu-west-1';
  return {
    settings: { region, maxAttempts: 1 }, region, clientOptions: { region },
    sts: new STSClient({ region }), ecr: new ECRClient({ region }), ecs: new ECSClient({ region }), elb: new ElasticLoadBalancingV2Client({ region }),
    logs: new CloudWatchLogsClient({ region }), cloudwatch: new CloudWatchClient({ region }), ssm: new SSMClient({ region }),
    secrets: new SecretsManagerClient({ region }), cloudformation: new CloudFormationClient({ region }),
  };
}

let server: Server;
let url: string;
let config: ResolvedConfig;

beforeAll(async () => {
  server = createServer((request, response) => { response.statusCode = request.url === '/health' ? 200 : 404; response.end('ok'); });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'berth-many-ops-'));
  const fixture = readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'many-services', 'berth.yml'), 'utf8');
  writeFileSync(join(dir, 'berth.yml'), fixture.replace('region: us-east-1', `region: eu-west-1\nimage: ${REPO}@${NEW}`));
  config = loadConfig({ config: join(dir, 'berth.yml'), env: 'prod', cwd: dir });
});
afterAll(() => server.close());

const outputs = () => [
  ['Url', url], ['ClusterName', 'berth-news-prod'], ['LogGroupName', '/berth/news/prod'], ['ServiceName', 'berth-news-prod'],
  ['TargetGroupArn', 'tg-web'], ['ServiceApiTargetGroupArn', 'tg-api'], ['TaskSubnets', 'subnet-1,subnet-2'], ['TaskAssignPublicIp', 'ENABLED'],
  ['SecurityGroupId', 'sg-web'], ['ServiceApiSecurityGroupId', 'sg-api'], ['ServiceWorkerSecurityGroupId', 'sg-worker'], ['ServiceFetchSecurityGroupId', 'sg-fetch'],
  ['ReleaseBeforeTaskDefinition', TD('berth-news-prod-release-before', 5)], ['AlarmTopicArn', 'arn:aws:sns:eu-west-1:123456789012:alarms'],
].map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));

const history: Release[] = [{ number: 1, image: `${REPO}@${OLD}`, digest: OLD, createdAt: '2026-11-01T00:00:00Z', createdBy: 'bob', status: 'deployed' }];

/** Per ECS service: a completed deployment of the new image. */
function describeServices(input: { services?: string[] }) {
  const name = input.services?.[0] ?? '';
  const family = name;
  return {
    services: [{
      serviceName: name, status: 'ACTIVE', desiredCount: 1, runningCount: 1, taskDefinition: TD(family, 2),
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1', 'subnet-2'], securityGroups: [`sg-${name}`], assignPublicIp: 'ENABLED' as const } },
      deployments: [{ id: `ecs-svc/${name}`, status: 'PRIMARY', rolloutState: 'COMPLETED' as const, taskDefinition: TD(family, 2), desiredCount: 1, runningCount: 1, pendingCount: 0, failedTasks: 0 }],
      events: [],
    }],
  };
}

beforeEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
  mocks.sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/alice' });
  mocks.secrets.on(ListSecretsCommand).resolves({ SecretList: ['SESSION_KEY', 'NEWSAPI_KEY', 'QUEUE_TOKEN'].map((name) => ({ Name: `berth/news/prod/${name}`, SecretVersionsToStages: { v1: ['AWSCURRENT'] } })) });
  mocks.ssm.on(GetParametersByPathCommand).resolves({ Parameters: history.map((release) => ({ Name: `/berth/news/prod/releases/00000${release.number}`, Value: JSON.stringify(release) })) });
  mocks.ssm.on(PutParameterCommand).resolves({});
  mocks.cloudformation.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).resolves({ Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });
  mocks.cloudformation.on(DescribeStacksCommand, { StackName: 'berth-news-prod' }).resolves({ Stacks: [{ StackName: 'berth-news-prod', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: outputs() }] });
  mocks.cloudformation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: ['berth-news-prod', 'berth-news-prod-api', 'berth-news-prod-worker', 'berth-news-prod-fetch'].map((family, i) => ({
    LogicalResourceId: `Task${i}`, ResourceType: 'AWS::ECS::TaskDefinition', PhysicalResourceId: TD(family, 1), ResourceStatus: 'UPDATE_COMPLETE', LastUpdatedTimestamp: new Date(),
  })) });
  mocks.ecr.on(BatchGetImageCommand).resolves({ images: [] });
  mocks.ecs.on(DescribeServicesCommand).callsFake(describeServices);
  mocks.ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({ taskDefinition: { taskDefinitionArn: input.taskDefinition.startsWith('arn:') ? input.taskDefinition : TD(input.taskDefinition, 3), containerDefinitions: [{ name: 'x', image: `${REPO}@${NEW}` }] } }));
  mocks.elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: '10.0.1.4', Port: 8000 }, TargetHealth: { State: 'healthy' } }] });
  mocks.cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
});

interface Deployed { stack: string; services: Array<{ name: string; taskDefinition: unknown }> }

/** A deployer that records what each environment-stack deploy would change: the ECS services and their task definitions. */
function recordingDeployer(): StackDeployer & { deployed: Deployed[] } {
  const deployed: Deployed[] = [];
  return {
    deployed,
    bootstrap: async () => undefined,
    diff: async () => ({ stack: '', text: '', changes: false, securityChanges: false }),
    destroy: async () => undefined,
    deploy: async (assembly, stack) => {
      if (stack.endsWith('registry')) return { outputs: { RepositoryUri: REPO } };
      const template = JSON.parse(readFileSync(join(assembly.directory, `${stack}.template.json`), 'utf8')) as { Resources: Record<string, { Type: string; Properties: { ServiceName?: string; TaskDefinition?: unknown } }> };
      const services = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::ECS::Service').map((resource) => ({ name: resource.Properties.ServiceName!, taskDefinition: resource.Properties.TaskDefinition }));
      deployed.push({ stack, services });
      return { outputs: Object.fromEntries(outputs().map((output) => [output.OutputKey, output.OutputValue])) };
    },
  };
}

/** The before task: RunTask accepted, then STOPPED with `exitCode`; its log lines carry a secret-looking value. */
function beforeTaskExits(exitCode: number) {
  mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK('beef00000001') }] });
  mocks.ecs.on(DescribeTasksCommand).callsFake((input: { tasks?: string[] }) => ({
    tasks: (input.tasks ?? []).map((arn) => ({ taskArn: arn, lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ name: 'release-before', exitCode }] })),
  }));
  mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  // Like CloudWatch: the lines once, then nothing new for the same forward token.
  mocks.logs.on(GetLogEventsCommand).callsFake((input: { nextToken?: string }) => (input.nextToken === 'f/1' ? { events: [], nextForwardToken: 'f/1' } : {
    events: [{ message: 'Applying news.0003_topics... OK' }, { message: `connecting with DATABASE_URL=postgresql://news:${CANARY}@db:5432/news` }, { message: exitCode === 0 ? 'done' : 'django.db.utils.ProgrammingError: relation "topics" already exists' }],
    nextForwardToken: 'f/1',
  }));
}

describe('deploy with release.before', () => {
  it('runs the before task with the new image while every service keeps its deployed task definition, then releases every service', async () => {
    beforeTaskExits(0);
    const deployer = recordingDeployer();
    const outcome = await awsOperations(config, { clients: clients(), deployer }).deploy({ yes: true, timeoutSeconds: 600 }, silentProgress);
    expect(outcome).toMatchObject({ ok: true, release: { number: 2, digest: NEW, status: 'deployed' }, url });
    // Phase one: the deployed revisions; phase two: the new task definitions (references to the stack's own).
    expect(deployer.deployed.map((entry) => entry.services)).toEqual([
      [{ name: 'berth-news-prod', taskDefinition: TD('berth-news-prod', 1) }, { name: 'berth-news-prod-api', taskDefinition: TD('berth-news-prod-api', 1) }, { name: 'berth-news-prod-worker', taskDefinition: TD('berth-news-prod-worker', 1) }],
      [{ name: 'berth-news-prod', taskDefinition: { Ref: expect.stringMatching(/^ServiceTask/) } }, { name: 'berth-news-prod-api', taskDefinition: { Ref: expect.stringMatching(/^ServiceApiTask/) } }, { name: 'berth-news-prod-worker', taskDefinition: { Ref: expect.stringMatching(/^ServiceWorkerTask/) } }],
    ]);
    const run = mocks.ecs.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(run).toMatchObject({
      cluster: 'berth-news-prod', taskDefinition: TD('berth-news-prod-release-before', 5), group: 'berth-release-before', launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-web'], assignPublicIp: 'ENABLED' } },
    });
    expect(run.overrides).toBeUndefined();
    // The release covers every service: each one's task definition is recorded.
    const recorded = mocks.ssm.commandCalls(PutParameterCommand).map((call) => JSON.parse(call.args[0].input.Value!) as Release).find((release) => release.number === 2 && release.status === 'deployed');
    expect(recorded?.services?.map((service) => service.name)).toEqual(['web', 'api', 'worker']);
  }, 180_000);

  it('a non-zero exit stops the release before any service changes: failed with the reason and the task\'s last lines, no secret value', async () => {
    beforeTaskExits(3);
    const deployer = recordingDeployer();
    const outcome = await awsOperations(config, { clients: clients(), deployer }).deploy({ yes: true, timeoutSeconds: 600 }, silentProgress);
    expect(outcome.ok).toBe(false);
    expect(outcome.release).toMatchObject({ number: 2, status: 'failed', reason: 'release.before (python manage.py migrate) exited 3: release 2 stopped before any service changed' });
    expect(outcome.reasons).toEqual(['release.before (python manage.py migrate) exited 3: release 2 stopped before any service changed', 'release 1 is still the current release']);
    expect(outcome.logTail).toEqual(['Applying news.0003_topics... OK', 'connecting with DATABASE_URL=***', 'django.db.utils.ProgrammingError: relation "topics" already exists']);
    expect(JSON.stringify(outcome)).not.toContain(CANARY);
    // Only the first phase ran, and it kept every service on its deployed task definition.
    expect(deployer.deployed).toHaveLength(1);
    expect(deployer.deployed[0]!.services.every((service) => typeof service.taskDefinition === 'string' && service.taskDefinition.endsWith(':1'))).toBe(true);
    const updates = mocks.ssm.commandCalls(PutParameterCommand).map((call) => JSON.parse(call.args[0].input.Value!) as Release);
    expect(updates.find((release) => release.number === 1 && release.status !== 'deployed')).toBeUndefined();
  }, 180_000);
});

describe('status and logs of every service', () => {
  it('reports each web and worker service with its tasks and deployments, and the job\'s recent runs with exit codes', async () => {
    mocks.ecs.on(ListTasksCommand).callsFake((input: { serviceName?: string; family?: string; desiredStatus?: string }) => {
      if (input.family === 'berth-news-prod-fetch') return { taskArns: input.desiredStatus === 'STOPPED' ? [TASK('f1'), TASK('f2')] : [] };
      return { taskArns: input.desiredStatus === 'RUNNING' ? [TASK(`${input.serviceName}-1`)] : [] };
    });
    const started = new Date('2026-11-30T10:00:00Z');
    mocks.ecs.on(DescribeTasksCommand).callsFake((input: { tasks?: string[] }) => ({
      tasks: (input.tasks ?? []).map((arn): Task => {
        if (arn.endsWith('/f1')) return { taskArn: arn, group: 'family:berth-news-prod-fetch', lastStatus: 'STOPPED', startedAt: started, stoppedAt: new Date(started.getTime() + 60_000), containers: [{ name: 'fetch', exitCode: 0, image: `${REPO}@${OLD}` }] };
        if (arn.endsWith('/f2')) return { taskArn: arn, group: 'family:berth-news-prod-fetch', lastStatus: 'STOPPED', startedAt: new Date(started.getTime() + 900_000), stoppedReason: 'berth: job fetch ran longer than its timeout (600 s)', containers: [{ name: 'fetch', exitCode: 137, image: `${REPO}@${OLD}` }] };
        return { taskArn: arn, lastStatus: 'RUNNING', healthStatus: 'HEALTHY', containers: [{ image: `${REPO}@${OLD}` }] };
      }),
    }));
    const report = await awsOperations(config, { clients: clients(), deployer: recordingDeployer() }).status();
    expect(report.services?.map((service) => [service.name, service.kind])).toEqual([['web', 'web'], ['api', 'web'], ['worker', 'worker'], ['fetch', 'job']]);
    expect(report.services?.[1]).toMatchObject({ route: { path: '/api/*', default: false }, tasks: { desired: 1, running: 1, healthy: 1, items: [{ service: 'api', release: 1 }] }, deployments: [{ id: 'ecs-svc/berth-news-prod-api', rollout: 'COMPLETED' }] });
    expect(report.services?.[2]).toMatchObject({ tasks: { desired: 1, running: 1 } });
    expect(report.services?.[3]).toMatchObject({ schedule: 'cron "*/15 * * * *" (UTC)', runs: [
      { status: 'timed-out', exitCode: 137, reason: 'berth: job fetch ran longer than its timeout (600 s)', trigger: 'schedule', release: 1 },
      { status: 'succeeded', exitCode: 0, startedAt: '2026-11-30T10:00:00.000Z', endedAt: '2026-11-30T10:01:00.000Z' },
    ] });
    // Deprecated single-service fields: every web and worker task together, the primary service's deployments.
    expect(report.tasks).toMatchObject({ desired: 3, running: 3 });
    expect(report.deployments).toEqual([{ id: 'ecs-svc/berth-news-prod', status: 'PRIMARY', rollout: 'COMPLETED', desired: 1, running: 1 }]);
    expect(report.notes).toEqual(expect.arrayContaining(['web: load balancer targets: 1/1 healthy', 'api: load balancer targets: 1/1 healthy']));
  });

  it('logs --service reads only that service\'s streams and names the service of every line', async () => {
    mocks.logs.on(FilterLogEventsCommand).resolves({ events: [{ eventId: '1', timestamp: 5, logStreamName: 'worker/worker/0a1b2c3d4e5f6071', message: 'task received' }] });
    const lines: LogLine[] = [];
    const ops = awsOperations(config, { clients: clients(), deployer: recordingDeployer() });
    await ops.logs({ follow: false, sinceSeconds: 60, service: 'worker' }, (line) => lines.push(line), new AbortController().signal);
    expect(mocks.logs.commandCalls(FilterLogEventsCommand)[0]!.args[0].input).toMatchObject({ logGroupName: '/berth/news/prod', logStreamNamePrefix: 'worker/' });
    expect(lines).toEqual([{ timestamp: '1970-01-01T00:00:00.005Z', source: '0a1b2c3d4e5f', message: 'task received', service: 'worker' }]);
    await expect(ops.logs({ follow: false, sinceSeconds: 60, service: 'wrker' }, () => undefined, new AbortController().signal)).rejects.toThrow(/--service wrker: no such service/);
  });
});

function terminal(): ProcessIO & { text(): string } {
  const stdout = new PassThrough();
  const chunks: string[] = [];
  stdout.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stdout, stderr: new PassThrough(), tty: false, text: () => chunks.join('') };
}

describe('berth run', () => {
  it('runs the service\'s current task definition with the command, streams its output and returns its exit code', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK('0123456789abcdef') }] });
    mocks.ecs.on(DescribeTasksCommand).resolvesOnce({ tasks: [{ taskArn: TASK('0123456789abcdef'), lastStatus: 'RUNNING' }] })
      .resolves({ tasks: [{ taskArn: TASK('0123456789abcdef'), lastStatus: 'STOPPED', containers: [{ name: 'worker', exitCode: 7 }] }] });
    mocks.logs.on(GetLogEventsCommand).resolvesOnce({ events: [{ message: 'hello from the task' }], nextForwardToken: 'f/1' }).resolves({ events: [], nextForwardToken: 'f/1' });
    const io = terminal();
    const outcome = await awsOperations(config, { clients: clients(), deployer: recordingDeployer() }).run({ service: 'worker', command: ['sh', '-c', 'exit 7'] }, io, silentProgress, new AbortController().signal);
    expect(outcome).toEqual({ exitCode: 7 });
    expect(io.text()).toBe('hello from the task\n');
    expect(mocks.ecs.commandCalls(RunTaskCommand)[0]!.args[0].input).toMatchObject({
      cluster: 'berth-news-prod', taskDefinition: TD('berth-news-prod-worker', 2), group: 'berth-run:worker', startedBy: 'berth run',
      overrides: { containerOverrides: [{ name: 'worker', command: ['sh', '-c', 'exit 7'] }] },
      networkConfiguration: { awsvpcConfiguration: { securityGroups: ['sg-berth-news-prod-worker'] } },
    });
    expect(mocks.logs.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toMatchObject({ logGroupName: '/berth/news/prod', logStreamName: 'worker/worker/0123456789abcdef' });
  });

  it('Ctrl-C stops the task and still waits for its end', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK('cafe') }] });
    const controller = new AbortController();
    mocks.ecs.on(DescribeTasksCommand).callsFake(() => {
      const stopped = mocks.ecs.commandCalls(StopTaskCommand).length > 0;
      if (!stopped) controller.abort();
      return { tasks: [{ taskArn: TASK('cafe'), lastStatus: stopped ? 'STOPPED' : 'RUNNING', stoppedReason: 'berth run: interrupted', containers: [{ name: 'app', exitCode: 143 }] }] };
    });
    mocks.ecs.on(StopTaskCommand).resolves({});
    mocks.logs.on(GetLogEventsCommand).rejects(Object.assign(new Error('no stream'), { name: 'ResourceNotFoundException' }));
    const outcome = await awsOperations(config, { clients: clients(), deployer: recordingDeployer() }).run({ command: ['sleep', '600'] }, terminal(), silentProgress, controller.signal);
    expect(mocks.ecs.commandCalls(StopTaskCommand)[0]!.args[0].input).toMatchObject({ cluster: 'berth-news-prod', task: TASK('cafe'), reason: 'berth run: interrupted' });
    expect(outcome).toEqual({ exitCode: 143 });
  });

  it('a job runs its latest task definition in the network the stack outputs', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK('f00d') }] });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK('f00d'), lastStatus: 'STOPPED', containers: [{ name: 'fetch', exitCode: 0 }] }] });
    mocks.logs.on(GetLogEventsCommand).resolves({ events: [] });
    await awsOperations(config, { clients: clients(), deployer: recordingDeployer() }).run({ service: 'fetch', command: [] }, terminal(), silentProgress, new AbortController().signal);
    const input = mocks.ecs.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ taskDefinition: TD('berth-news-prod-fetch', 3), networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-fetch'], assignPublicIp: 'ENABLED' } } });
    expect(input.overrides).toBeUndefined();
  });
});

describe('berth exec', () => {
  const found: SessionPlugin = { find: () => '/usr/local/bin/session-manager-plugin', run: async () => 0 };

  it('needs exec: true for the environment (exit 2, naming the setting)', async () => {
    const error = await awsOperations(config, { clients: clients(), deployer: recordingDeployer(), sessionPlugin: found }).exec({ command: ['sh'] }, terminal(), silentProgress, new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(/ECS Exec, which is off for environment prod/);
    expect((error as UsageError).hint).toMatch(/environments\.prod\.exec: true/);
    expect(mocks.ecs.calls()).toHaveLength(0);
  });

  it('needs the Session Manager plugin (exit 1, saying how to install it)', async () => {
    const staging = { ...config, env: 'staging', exec: true };
    const error = await awsOperations(staging, { clients: clients(), deployer: recordingDeployer(), sessionPlugin: { find: () => undefined, run: async () => 0 } }).exec({ command: ['sh'] }, terminal(), silentProgress, new AbortController().signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as OperationError).message).toMatch(/session-manager-plugin\) is not on PATH/);
    expect((error as OperationError).hint).toMatch(/session-manager-working-with-install-plugin/);
  });

  it('opens an ECS Exec session in the chosen task and hands it to the plugin as the AWS CLI does', async () => {
    const staging = { ...config, exec: true };
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [TASK('aaaa'), TASK('bbbb')] });
    mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [
      { taskArn: TASK('aaaa'), lastStatus: 'RUNNING', enableExecuteCommand: true, startedAt: new Date(2), containers: [{ name: 'api', runtimeId: 'aaaa-111' }] },
      { taskArn: TASK('bbbb'), lastStatus: 'RUNNING', enableExecuteCommand: true, startedAt: new Date(1), containers: [{ name: 'api', runtimeId: 'bbbb-222' }] },
    ] });
    mocks.ecs.on(ExecuteCommandCommand).resolves({ session: { sessionId: 's-1', streamUrl: 'wss://ssm', tokenValue: 't' } });
    const calls: Array<{ plugin: string; args: string[] }> = [];
    const plugin: SessionPlugin = { find: found.find, run: async (path, args) => { calls.push({ plugin: path, args }); return 0; } };
    const outcome = await awsOperations(staging, { clients: clients(), deployer: recordingDeployer(), sessionPlugin: plugin }).exec({ service: 'api', replica: 2, command: ['python', 'manage.py', 'shell', '-c', 'print(1)'] }, terminal(), silentProgress, new AbortController().signal);
    expect(outcome).toEqual({ exitCode: 0 });
    expect(mocks.ecs.commandCalls(ExecuteCommandCommand)[0]!.args[0].input).toEqual({ cluster: 'berth-news-prod', task: TASK('bbbb'), container: 'api', interactive: true, command: "python manage.py shell -c 'print(1)'" });
    expect(calls[0]).toEqual({ plugin: '/usr/local/bin/session-manager-plugin', args: ['{"SessionId":"s-1","StreamUrl":"wss://ssm","TokenValue":"t"}', 'eu-west-1', 'StartSession', '', '{"Target":"ecs:berth-news-prod_bbbb_bbbb-222"}', 'https://ecs.eu-west-1.amazonaws.com'] });
  });
});
