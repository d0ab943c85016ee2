/** Many services on AWS: one ECS service per web and worker service, one load balancer, Service Connect, scheduled jobs, release.before. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { PLACEHOLDER_DIGEST } from '../../model/index.js';
import { EnvironmentStack } from './environment-stack.js';
import { listenerRouting } from './routes.js';

process.env.CDK_VALIDATION = 'false';

const FIXTURE = readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'many-services', 'berth.yml'), 'utf8')
  // The fixture builds from its Dockerfile; here an image stands in so no folder is needed.
  .replace('region: us-east-1', 'region: us-east-1\nimage: 123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/news@sha256:' + 'ab'.repeat(32));

// Template JSON is read loosely: these tests assert on its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
type Resources = Record<string, { Type: string; Properties: Record<string, Loose>; DependsOn?: string[] }>;

function synth(yaml: string, env: string, prepare?: { deployedTaskDefinitions: Record<string, string> }) {
  const stack = new EnvironmentStack(new App(), { config: configFromYaml(yaml, env), placeholderDigest: PLACEHOLDER_DIGEST, ...(prepare ? { prepare } : {}) });
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Resources, outputs: Object.keys(template.toJSON().Outputs ?? {}) };
}

function ofType(resources: Resources, type: string): Array<[string, Resources[string]]> {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

function taskDefinition(resources: Resources, family: string) {
  const found = ofType(resources, 'AWS::ECS::TaskDefinition').find(([, resource]) => resource.Properties.Family === family);
  if (!found) throw new Error(`no task definition ${family}`);
  return { id: found[0], properties: found[1].Properties, container: found[1].Properties.ContainerDefinitions[0] as Record<string, Loose> };
}

function names(list: Array<{ Name: string }> | undefined): string[] {
  return (list ?? []).map((entry) => entry.Name).sort();
}

/** The secrets (by their Secrets Manager name, or the logical id of the one the stack creates) a role's policies may read. */
function readableSecrets(resources: Resources, roleLogicalId: string): string[] {
  const readable: string[] = [];
  for (const [, policy] of ofType(resources, 'AWS::IAM::Policy')) {
    if (!JSON.stringify(policy.Properties.Roles).includes(`"${roleLogicalId}"`)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>) {
      if (!JSON.stringify(statement.Action).includes('secretsmanager:GetSecretValue')) continue;
      const text = JSON.stringify(statement.Resource);
      const named = /:secret:([^"]+)-\?{6}/.exec(text);
      readable.push(named ? named[1]! : (/"Ref":"([A-Za-z]+?)[0-9A-F]{8}"/.exec(text)?.[1] ?? text));
    }
  }
  return readable.sort();
}

let prod: ReturnType<typeof synth>;
let staging: ReturnType<typeof synth>;

beforeAll(() => {
  prod = synth(FIXTURE, 'prod');
  staging = synth(FIXTURE, 'staging');
});

describe('web and worker services', () => {
  it('runs one ECS service per web and worker service in one cluster, each with its own task definition and log stream prefix', () => {
    const services = ofType(prod.resources, 'AWS::ECS::Service').map(([, service]) => service.Properties);
    expect(services.map((service) => service.ServiceName).sort()).toEqual(['berth-news-prod', 'berth-news-prod-api', 'berth-news-prod-worker']);
    prod.template.resourceCountIs('AWS::ECS::Cluster', 1);
    expect(new Set(services.map((service) => JSON.stringify(service.Cluster))).size).toBe(1);
    expect(taskDefinition(prod.resources, 'berth-news-prod').container).toMatchObject({ Name: 'app', LogConfiguration: { Options: { 'awslogs-stream-prefix': 'app' } } });
    expect(taskDefinition(prod.resources, 'berth-news-prod-api').container).toMatchObject({ Name: 'api', LogConfiguration: { Options: { 'awslogs-stream-prefix': 'api' } } });
    expect(taskDefinition(prod.resources, 'berth-news-prod-worker').container).toMatchObject({ Name: 'worker', Command: ['celery', '-A', 'app', 'worker'] });
    expect(taskDefinition(prod.resources, 'berth-news-prod-worker').properties.Memory).toBe('1024');
  });

  it('shares one load balancer: a target group per web service, the path rule to api, everything else to web', () => {
    prod.template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    const groups = ofType(prod.resources, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(groups.map(([, group]) => [group.Properties.Port, group.Properties.HealthCheckPath]).sort()).toEqual([[8000, '/health'], [9000, '/api/health']]);
    const apiGroup = groups.find(([, group]) => group.Properties.Port === 9000)![0];
    const webGroup = groups.find(([, group]) => group.Properties.Port === 8000)![0];
    // Behind CloudFront (no domain) every rule also needs CloudFront's origin header; the rest is refused with 403.
    const fromCloudFront = Match.objectLike({ Field: 'http-header', HttpHeaderConfig: Match.objectLike({ HttpHeaderName: 'X-Origin-Verify' }) });
    prod.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: [fromCloudFront, { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: apiGroup } }],
    });
    prod.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 50000, Conditions: [fromCloudFront], Actions: [{ Type: 'forward', TargetGroupArn: { Ref: webGroup } }] });
    prod.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '403' }) })] });
    // With https: false the load balancer itself routes everything else to web.
    const plain = synth(FIXTURE.replace('  staging:\n', '  staging:\n    https: false\n'), 'staging');
    plain.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: webGroup } }] });
    plain.template.resourceCountIs('AWS::CloudFront::Distribution', 0);
    const behind = Object.fromEntries(ofType(prod.resources, 'AWS::ECS::Service').map(([, service]) => [service.Properties.ServiceName, (service.Properties.LoadBalancers ?? []).map((lb: { TargetGroupArn: { Ref: string } }) => lb.TargetGroupArn.Ref)]));
    expect(behind).toEqual({ 'berth-news-prod': [webGroup], 'berth-news-prod-api': [apiGroup], 'berth-news-prod-worker': [] });
  });

  it('gives a worker no port, no target group and no inbound rule; its health is its command', () => {
    const worker = taskDefinition(prod.resources, 'berth-news-prod-worker').container;
    expect(worker.PortMappings).toBeUndefined();
    expect(worker.HealthCheck).toEqual({ Command: ['CMD', 'celery', '-A', 'app', 'inspect', 'ping'], Interval: 30, Timeout: 10, Retries: 3, StartPeriod: 60 });
    const [workerGroupId] = ofType(prod.resources, 'AWS::EC2::SecurityGroup').find(([, group]) => group.Properties.GroupDescription === 'tasks of worker: no inbound traffic')!;
    const inbound = ofType(prod.resources, 'AWS::EC2::SecurityGroupIngress').filter(([, rule]) => JSON.stringify(rule.Properties.GroupId).includes(workerGroupId));
    expect(inbound).toEqual([]);
  });

  it('connects the services through Service Connect: web services answer as name:port, the worker is a client only', () => {
    prod.template.hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'news-prod.berth.internal' });
    const config = (name: string) => ofType(prod.resources, 'AWS::ECS::Service').find(([, service]) => service.Properties.ServiceName === name)![1].Properties.ServiceConnectConfiguration;
    expect(config('berth-news-prod')).toMatchObject({ Enabled: true, Services: [{ PortName: 'http', DiscoveryName: 'web', ClientAliases: [{ DnsName: 'web', Port: 8000 }] }] });
    expect(config('berth-news-prod-api')).toMatchObject({ Services: [{ ClientAliases: [{ DnsName: 'api', Port: 9000 }] }] });
    expect(config('berth-news-prod-worker')).toMatchObject({ Enabled: true });
    expect(config('berth-news-prod-worker').Services).toBeUndefined();
    const environment = (family: string) => Object.fromEntries((taskDefinition(prod.resources, family).container.Environment as Array<{ Name: string; Value: unknown }>).map((variable) => [variable.Name, variable.Value]));
    expect(environment('berth-news-prod-worker')).toMatchObject({ WEB_URL: 'http://web:8000', API_URL: 'http://api:9000' });
    expect(environment('berth-news-prod')).toMatchObject({ API_URL: 'http://api:9000' });
    expect(environment('berth-news-prod').WEB_URL).toBeUndefined();
    // The api admits web and the worker on its port, as Service Connect clients.
    const rules = ofType(prod.resources, 'AWS::EC2::SecurityGroupIngress').map(([, rule]) => `${rule.Properties.Description} ${rule.Properties.FromPort}`);
    expect(rules).toEqual(expect.arrayContaining(['from web (Service Connect) 9000', 'from worker (Service Connect) 9000', 'from api (Service Connect) 8000', 'from worker (Service Connect) 8000']));
  });

  it('lets every execution role read exactly its declared secrets and the database secrets it receives', () => {
    const role = (family: string) => taskDefinition(prod.resources, family).properties.ExecutionRoleArn['Fn::GetAtt'][0] as string;
    const db = ['CacheUrl', 'DatabaseInstanceSecretAttachment', 'WiringDatabaseUrl'];
    expect(readableSecrets(prod.resources, role('berth-news-prod'))).toEqual([...db, 'berth/news/prod/SESSION_KEY'].sort());
    expect(readableSecrets(prod.resources, role('berth-news-prod-api'))).toEqual([...db, 'berth/news/prod/NEWSAPI_KEY'].sort());
    expect(readableSecrets(prod.resources, role('berth-news-prod-worker'))).toEqual([...db, 'berth/news/prod/QUEUE_TOKEN'].sort());
    expect(readableSecrets(prod.resources, role('berth-news-prod-fetch'))).toEqual([...db, 'berth/news/prod/NEWSAPI_KEY'].sort());
    expect(names(taskDefinition(prod.resources, 'berth-news-prod-worker').container.Secrets)).toEqual(['DATABASE_URL', 'PGPASSWORD', 'QUEUE_TOKEN', 'REDIS_URL']);
  });

  it('scales and alarms per service', () => {
    const targets = ofType(prod.resources, 'AWS::ApplicationAutoScaling::ScalableTarget').map(([, target]) => [target.Properties.MinCapacity, target.Properties.MaxCapacity]);
    expect(targets.sort()).toEqual([[1, 4], [2, 6]]);
    const alarms = ofType(prod.resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties.AlarmName as string).sort();
    expect(alarms).toEqual([
      'berth-news-prod-5xx-rate', 'berth-news-prod-api-5xx-rate', 'berth-news-prod-api-cpu', 'berth-news-prod-api-healthy-targets', 'berth-news-prod-api-latency-p99',
      'berth-news-prod-api-memory', 'berth-news-prod-api-running-tasks', 'berth-news-prod-cache-evictions', 'berth-news-prod-cache-memory',
      'berth-news-prod-cpu', 'berth-news-prod-db-connections', 'berth-news-prod-db-cpu', 'berth-news-prod-db-free-storage', 'berth-news-prod-healthy-targets',
      'berth-news-prod-latency-p99', 'berth-news-prod-lb-5xx-rate', 'berth-news-prod-memory', 'berth-news-prod-running-tasks',
      'berth-news-prod-worker-cpu', 'berth-news-prod-worker-memory', 'berth-news-prod-worker-running-tasks',
    ]);
    // Each service's error-rate and latency alarms (a worker: its running-tasks alarm) roll back its own deploys.
    const deploymentAlarms = Object.fromEntries(ofType(prod.resources, 'AWS::ECS::Service').map(([, service]) => [service.Properties.ServiceName, (service.Properties.DeploymentConfiguration as { Alarms: { AlarmNames: string[] } }).Alarms.AlarmNames]));
    expect(deploymentAlarms).toEqual({
      'berth-news-prod': ['berth-news-prod-5xx-rate', 'berth-news-prod-latency-p99'],
      'berth-news-prod-api': ['berth-news-prod-api-5xx-rate', 'berth-news-prod-api-latency-p99'],
      'berth-news-prod-worker': ['berth-news-prod-worker-running-tasks'],
    });
    // With two web services each 5xx alarm watches its own target group.
    const errorRate = ofType(prod.resources, 'AWS::CloudWatch::Alarm').find(([, alarm]) => alarm.Properties.AlarmName === 'berth-news-prod-api-5xx-rate')![1];
    expect(JSON.stringify(errorRate.Properties.Metrics)).toContain('"Name":"TargetGroup"');
  });

  it('turns ECS Exec on only where exec: true, granting the task role the four SSM messages actions', () => {
    for (const [, service] of ofType(prod.resources, 'AWS::ECS::Service')) expect(service.Properties.EnableExecuteCommand).toBe(false);
    for (const [, service] of ofType(staging.resources, 'AWS::ECS::Service')) expect(service.Properties.EnableExecuteCommand).toBe(true);
    const actions = ofType(staging.resources, 'AWS::IAM::Policy').flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).map((statement) => JSON.stringify(statement.Action)).filter((action) => action.includes('ssmmessages'));
    expect(actions).toHaveLength(3);
    expect(JSON.parse(actions[0]!)).toEqual(['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel']);
    expect(JSON.stringify(ofType(prod.resources, 'AWS::IAM::Policy'))).not.toContain('ssmmessages');
  });
});

describe('jobs', () => {
  it('schedules the job with EventBridge Scheduler -> ECS RunTask of its task definition, in UTC, flexible window off', () => {
    const fetch = taskDefinition(prod.resources, 'berth-news-prod-fetch');
    const [, schedule] = ofType(prod.resources, 'AWS::Scheduler::Schedule')[0]!;
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(*/15 * * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ServiceCluster/), 'Arn'] }, EcsParameters: { TaskDefinitionArn: { Ref: fetch.id }, LaunchType: 'FARGATE' } },
    });
    expect(fetch.container).toMatchObject({ Name: 'fetch', Command: ['python', 'fetch.py'], LogConfiguration: { Options: { 'awslogs-stream-prefix': 'fetch' } } });
    expect(fetch.container.PortMappings).toBeUndefined();
    // A standalone task is no Service Connect client: no <NAME>_URL.
    expect(names(fetch.container.Environment)).not.toContain('WEB_URL');
  });

  it('lets the scheduler role run exactly that task definition and pass exactly its two roles', () => {
    const fetch = taskDefinition(prod.resources, 'berth-news-prod-fetch');
    const [, schedule] = ofType(prod.resources, 'AWS::Scheduler::Schedule')[0]!;
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0] as string;
    const statements = ofType(prod.resources, 'AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId)).flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'iam:PassRole', Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }, Resource: [{ 'Fn::GetAtt': [fetch.properties.TaskRoleArn['Fn::GetAtt'][0], 'Arn'] }, { 'Fn::GetAtt': [fetch.properties.ExecutionRoleArn['Fn::GetAtt'][0], 'Arn'] }] },
      { Effect: 'Allow', Action: 'ecs:RunTask', Resource: { Ref: fetch.id } },
    ]);
    const role = prod.resources[roleId]!;
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
  });

  it('enforces the timeout: a rule on RUNNING tasks of the job starts a timer that stops the task', () => {
    prod.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: Match.objectLike({ group: ['family:berth-news-prod-fetch'], lastStatus: ['RUNNING'] }) },
      Targets: [Match.objectLike({ InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('"timeoutSeconds":600') }) })],
    });
    const [, machine] = ofType(prod.resources, 'AWS::StepFunctions::StateMachine')[0]!;
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('SecondsPath');
    expect(definition).toContain('aws-sdk:ecs:stopTask');
    const stop = ofType(prod.resources, 'AWS::IAM::Policy').flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement).find((statement: { Action: string }) => statement.Action === 'ecs:StopTask');
    expect(JSON.stringify(stop.Resource)).toContain(':task/berth-news-prod/*');
  });
});

describe('release.before', () => {
  it('is its own task definition: the new image, the named service\'s roles, environment and secrets, another command', () => {
    const before = taskDefinition(prod.resources, 'berth-news-prod-release-before');
    const web = taskDefinition(prod.resources, 'berth-news-prod');
    expect(before.container).toMatchObject({ Name: 'release-before', Command: ['python', 'manage.py', 'migrate'], Image: web.container.Image, LogConfiguration: { Options: { 'awslogs-stream-prefix': 'release-before' } } });
    expect(before.properties.ExecutionRoleArn).toEqual(web.properties.ExecutionRoleArn);
    expect(before.properties.TaskRoleArn).toEqual(web.properties.TaskRoleArn);
    expect(names(before.container.Secrets)).toEqual(names(web.container.Secrets));
    expect(names(before.container.Environment)).toEqual(names(web.container.Environment).filter((name) => !name.endsWith('_URL') || name === 'REDIS_URL'));
    expect(prod.outputs).toEqual(expect.arrayContaining(['ReleaseBeforeTaskDefinition', 'TaskSubnets', 'TaskAssignPublicIp', 'SecurityGroupId', 'ServiceFetchSecurityGroupId', 'ServiceApiTargetGroupArn']));
  });

  it('first phase: services keep the deployed task definition, services not deployed yet are left out, new definitions are registered', () => {
    const deployed = 'arn:aws:ecs:us-east-1:123456789012:task-definition/berth-news-prod:41';
    const fetchDeployed = 'arn:aws:ecs:us-east-1:123456789012:task-definition/berth-news-prod-fetch:7';
    const first = synth(FIXTURE, 'prod', { deployedTaskDefinitions: { 'berth-news-prod': deployed, 'berth-news-prod-fetch': fetchDeployed } });
    const services = ofType(first.resources, 'AWS::ECS::Service').map(([, service]) => service.Properties);
    expect(services.map((service) => [service.ServiceName, service.TaskDefinition])).toEqual([['berth-news-prod', deployed]]);
    const [, schedule] = ofType(first.resources, 'AWS::Scheduler::Schedule')[0]!;
    expect(schedule.Properties.Target.EcsParameters.TaskDefinitionArn).toBe(fetchDeployed);
    expect(JSON.stringify(ofType(first.resources, 'AWS::IAM::Policy'))).toContain(fetchDeployed);
    // The new revisions exist for the second phase, the before task's among them.
    expect(ofType(first.resources, 'AWS::ECS::TaskDefinition').map(([, task]) => task.Properties.Family).sort()).toEqual(['berth-news-prod', 'berth-news-prod-api', 'berth-news-prod-fetch', 'berth-news-prod-release-before', 'berth-news-prod-worker']);
    // Scaling and alarms of a service left out wait for the second phase.
    expect(ofType(first.resources, 'AWS::ApplicationAutoScaling::ScalableTarget')).toHaveLength(1);
    expect(ofType(first.resources, 'AWS::ECS::Service').every(([id]) => prod.resources[id] !== undefined)).toBe(true);
  });
});

describe('routes', () => {
  const ROUTED = `
app: shop
image: example/shop:1
services:
  api: { port: 9000, path: /api/* }
  v2: { port: 9001, path: /api/v2/* }
  admin: { port: 9002, host: admin.example.com }
  assets: { port: 9003, host: static.example.com, path: /img/* }
environments: { prod: {} }
`;
  it('orders rules host and path, host, then longer paths first, and answers 404 when every web service has a route', () => {
    const config = configFromYaml(ROUTED, 'prod');
    expect(listenerRouting(config)).toEqual({
      rules: [
        { service: 'assets', priority: 10, host: 'static.example.com', path: '/img/*' },
        { service: 'admin', priority: 20, host: 'admin.example.com' },
        { service: 'v2', priority: 30, path: '/api/v2/*' },
        { service: 'api', priority: 40, path: '/api/*' },
      ],
    });
    const { template, resources } = synth(ROUTED, 'prod');
    // Behind CloudFront: requests from CloudFront that no route takes get the 404 (the last rule), others a 403.
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 50000,
      Actions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '403' }) }],
    });
    expect(ofType(resources, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, rule]) => rule.Properties.Priority).sort((a: number, b: number) => a - b)).toEqual([10, 20, 30, 40, 50000]);
  });

  it('keeps the cluster and log group in the construct Service when no service is named web', () => {
    const { resources, outputs } = synth(ROUTED, 'prod');
    expect(ofType(resources, 'AWS::ECS::Cluster').map(([id]) => id)).toEqual([expect.stringMatching(/^ServiceCluster[0-9A-F]{8}$/)]);
    expect(ofType(resources, 'AWS::Logs::LogGroup').map(([id]) => id)).toEqual([expect.stringMatching(/^ServiceLogs[0-9A-F]{8}$/)]);
    expect(outputs).toEqual(expect.arrayContaining(['TargetGroupArn', 'ServiceAdminTargetGroupArn', 'ServiceName']));
  });

  it('refuses web services that disagree about being public: they share one load balancer', () => {
    expect(() => synth(ROUTED.replace('admin: { port: 9002', 'admin: { public: false, port: 9002'), 'prod')).toThrow(/services\.admin\.public: false, but the web services share one load balancer/);
  });
});
