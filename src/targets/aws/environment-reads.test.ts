import { createServer } from 'node:http';
import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { diagnose } from '../../doctor/diagnose.js';
import { EnvironmentReader, gatherEvidence, probeHealth } from './environment-reads.js';
import { logRedactor } from './log-redaction.js';

const CANARY = 'canary-evidence-3b9e';
const ecs = mockClient(ECSClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const logs = mockClient(CloudWatchLogsClient);
const cfn = mockClient(CloudFormationClient);
const region = 'eu-west-1';
const clients = { ecs: new ECSClient({ region }), elb: new ElasticLoadBalancingV2Client({ region }), logs: new CloudWatchLogsClient({ region }), cloudformation: new CloudFormationClient({ region }), cloudwatch: new CloudWatchClient({ region }) };
const outputs = { ClusterName: 'c', ServiceName: 's', TargetGroupArn: 'tg', LogGroupName: '/berth/shop/prod' };

beforeEach(() => { ecs.reset(); elb.reset(); logs.reset(); cfn.reset(); });

describe('gatherEvidence', () => {
  it('collects stopped tasks, service events, target health, stack failures and the failed task\'s last lines, masked', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ desiredCount: 2, runningCount: 0, deployments: [], events: [{ message: '(service s) has started 2 tasks: (task 0123456789abcdef0123456789abcdef).' }] }] });
    ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).resolves({ taskArns: ['arn:aws:ecs:eu-west-1:1:task/c/0123456789abcdef0123456789abcdef'] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/0123456789abcdef0123456789abcdef', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', stoppedAt: new Date(), containers: [{ name: 'app', exitCode: 1 }] }] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: '10.0.1.4', Port: 8000 }, TargetHealth: { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch', Description: 'Health checks failed with these codes: [500]' } }] });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [
      { StackId: 'x', EventId: '1', StackName: 's', Timestamp: new Date(), LogicalResourceId: 'Service', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'Error occurred during operation \'ECS Deployment Circuit Breaker was triggered\'.' },
      { StackId: 'x', EventId: '2', StackName: 's', Timestamp: new Date(), LogicalResourceId: 'Other', ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'Resource update cancelled' },
    ] });
    logs.on(DescribeLogStreamsCommand).resolves({ logStreams: [{ logStreamName: 'app/app/ffff' }, { logStreamName: 'app/app/0123456789abcdef0123456789abcdef' }] });
    logs.on(GetLogEventsCommand).resolves({ events: [{ message: 'starting gunicorn' }, { message: `STRIPE_KEY=${CANARY}` }, { message: 'exec /usr/local/bin/gunicorn: exec format error' }] });

    const evidence = await gatherEvidence(new EnvironmentReader(clients, outputs), 'berth-shop-prod', logRedactor(['STRIPE_KEY']));
    expect(evidence).toEqual({
      target: 'aws',
      stoppedTasks: [{ id: '0123456789abcdef0123456789abcdef', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ name: 'app', exitCode: 1 }] }],
      serviceEvents: ['(service s) has started 2 tasks: (task 0123456789abcdef0123456789abcdef).'],
      targetHealth: [{ target: '10.0.1.4:8000', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [500]' }],
      stackEvents: ['Service: UPDATE_FAILED: Error occurred during operation \'ECS Deployment Circuit Breaker was triggered\'.'],
      logTail: ['starting gunicorn', 'STRIPE_KEY=***', 'exec /usr/local/bin/gunicorn: exec format error'],
    });
    expect(logs.commandCalls(GetLogEventsCommand)[0]!.args[0].input.logStreamName).toBe('app/app/0123456789abcdef0123456789abcdef');
    expect(JSON.stringify(evidence)).not.toContain(CANARY);
    const config = { app: 'shop', env: 'prod', services: [{ name: 'web', kind: 'web', route: {}, arch: 'x86_64', port: 8000, health: { path: '/health' } }], network: {}, local: { port: 8080 } } as unknown as Parameters<typeof diagnose>[1];
    expect(diagnose(evidence, config).length).toBeGreaterThan(0);
  });

  it('still returns what it could read when some reads fail', async () => {
    ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const evidence = await gatherEvidence(new EnvironmentReader(clients, outputs), 's', (l) => l);
    expect(evidence.stoppedTasks).toEqual([]);
    expect(evidence.serviceEvents).toEqual([]);
  });
});

describe('EnvironmentReader.service', () => {
  it('reads deployments with the images of their task definitions (looked up once each)', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ desiredCount: 2, runningCount: 2, deployments: [
      { id: 'd2', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', taskDefinition: 'td:2', desiredCount: 2, runningCount: 1, pendingCount: 1, failedTasks: 0 },
      { id: 'd1', status: 'ACTIVE', rolloutState: 'COMPLETED', taskDefinition: 'td:1', desiredCount: 2, runningCount: 2, pendingCount: 0, failedTasks: 0 },
    ] }] });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'td:2' }).resolves({ taskDefinition: { containerDefinitions: [{ image: 'repo@sha256:new' }] } });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'td:1' }).resolves({ taskDefinition: { containerDefinitions: [{ image: 'repo@sha256:old' }] } });
    const reader = new EnvironmentReader(clients, outputs);
    const first = await reader.service();
    await reader.service();
    expect(first.deployments.map((d) => [d.id, d.rolloutState, d.images])).toEqual([['d2', 'IN_PROGRESS', ['repo@sha256:new']], ['d1', 'COMPLETED', ['repo@sha256:old']]]);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(2);
  });
});

describe('probeHealth', () => {
  it('GETs the health path through the URL and reports the status or the connection error', async () => {
    const server = createServer((request, response) => { response.writeHead(request.url === '/health' ? 200 : 404); response.end('ok'); });
    await new Promise<void>((resolve) => server.listen(15089, '127.0.0.1', resolve));
    try {
      expect(await probeHealth('http://127.0.0.1:15089/', '/health')).toEqual({ url: 'http://127.0.0.1:15089/health', status: 200 });
      expect(await probeHealth('http://127.0.0.1:15089', '/nope')).toEqual({ url: 'http://127.0.0.1:15089/nope', status: 404 });
    } finally {
      server.close();
    }
    expect(await probeHealth('http://127.0.0.1:15088', '/health')).toEqual({ url: 'http://127.0.0.1:15088/health', error: 'ECONNREFUSED' });
  });
});
