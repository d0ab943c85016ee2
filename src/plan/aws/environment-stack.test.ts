import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { EnvironmentStack } from './environment-stack.js';
import { PLACEHOLDER_DIGEST } from '../../model/index.js';
import { RegistryStack } from './registry.js';

const CANARY = 'canary-Zq8xV3-secret-value';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/shop@sha256:' + 'ab'.repeat(32);

const FILE = `
app: shop
region: us-east-1
service:
  port: 8000
  image: ${IMAGE}
  health: { path: /healthz, interval: 20, timeout: 4, healthyThreshold: 3, unhealthyThreshold: 4, gracePeriod: 45 }
  count: 2
  secrets: [API_KEY]
  env: { LOG_LEVEL: info }
database: postgres
cache: redis
environments:
  prod:
    account: "123456789012"
    domain: { name: shop.example.com, zoneId: Z0123456789ABCDEFGHIJ }
    database: { multiAz: true }
    alarms: { email: ops@example.com }
    service:
      stickySessions: 1h
      count:
        min: 2
        max: 10
        cpu: 70
        requests: 500
        schedule: [{ name: night, cron: "0 22 * * 1-5", min: 1, max: 2 }]
  dev:
    network: { tasks: private, egress: endpoints }
    service: { spot: true }
  edge:
    network: { tasks: private, egress: nat }
    database: false
    cache: false
    alarms: false
  solo:
    database: false
    cache: false
    alarms: false
    service: { loadBalancer: false, count: 1 }
`;

let prod: Template;
let dev: Template;
let edge: Template;
let solo: Template;
let registry: Template;
let prodText: string;
let all: string;

// The assertions here read templates; CDK's own validator is off as it is in synthesizeEnvironment.
process.env.CDK_VALIDATION = 'false';

beforeAll(() => {
  // Secrets live in the environment of whoever runs berth; none may leak into a template.
  process.env.API_KEY = CANARY;
  process.env.PGPASSWORD = CANARY;
  process.env.AWS_SECRET_ACCESS_KEY = CANARY;
  const app = new App();
  const make = (env: string) => new EnvironmentStack(app, { config: configFromYaml(FILE, env), placeholderDigest: PLACEHOLDER_DIGEST });
  const stacks = { prod: make('prod'), dev: make('dev'), edge: make('edge'), solo: make('solo'), registry: new RegistryStack(app, { app: 'shop', retention: configFromYaml(FILE, 'prod').registry.retention }) };
  prod = Template.fromStack(stacks.prod);
  dev = Template.fromStack(stacks.dev);
  edge = Template.fromStack(stacks.edge);
  solo = Template.fromStack(stacks.solo);
  registry = Template.fromStack(stacks.registry);
  prodText = JSON.stringify(prod.toJSON());
  all = [prod, dev, edge, solo, registry].map((template) => JSON.stringify(template.toJSON())).join('\n');
});

describe('network', () => {
  it('has no NAT gateway by default, nor with VPC endpoints', () => {
    prod.resourceCountIs('AWS::EC2::NatGateway', 0);
    dev.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  it('spreads subnets over two zones taken as tokens, never a context lookup', () => {
    expect(prodText).toContain('Fn::GetAZs');
    expect(prodText).not.toContain('dummy1a');
  });

  it('gives private tasks VPC endpoints for ECR, logs and secrets plus an S3 gateway', () => {
    dev.resourceCountIs('AWS::EC2::VPCEndpoint', 5);
    dev.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    dev.hasResourceProperties('AWS::ECS::Service', { NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } } });
  });

  it('creates one NAT gateway only when private tasks ask for egress nat', () => {
    edge.resourceCountIs('AWS::EC2::NatGateway', 1);
    edge.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });
});

describe('registry', () => {
  it('survives destroy (its lifecycle rules and tag immutability: registry.test.ts)', () => {
    registry.hasResource('AWS::ECR::Repository', { Properties: Match.objectLike({ RepositoryName: 'berth/shop' }), DeletionPolicy: 'Retain' });
  });
});

describe('service', () => {
  it('runs the image by digest with cpu, memory and architecture', () => {
    prod.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [Match.objectLike({ Image: IMAGE })],
    });
  });

  it('health-checks the container on the configured path with the shared command', () => {
    prod.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        HealthCheck: { Command: ['CMD', '/bin/sh', '-c', Match.anyValue(), 'berth-health', 'http://127.0.0.1:8000/healthz', '4'], Interval: 20, Timeout: 4, Retries: 4, StartPeriod: 45 },
      })],
    });
  });

  it('turns the circuit breaker with rollback on, keeps 100% healthy and may double during deploys', () => {
    prod.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100, MaximumPercent: 200 },
      HealthCheckGracePeriodSeconds: 45,
    });
    // Autoscaling owns the count in prod (a deploy must not reset it); a fixed count is set as is.
    expect(Object.values(prod.findResources('AWS::ECS::Service'))[0]!.Properties.DesiredCount).toBeUndefined();
    dev.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2 });
  });

  it('keeps the execution role apart from an empty task role', () => {
    const roles = prod.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(2);
    const policies = Object.values(prod.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0]!.Properties.Roles)).toContain('ExecutionRole');
  });

  it('writes logs to /berth/<app>/<env> with the retention', () => {
    prod.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/berth/shop/prod', RetentionInDays: 30 });
  });

  it('uses Fargate Spot only where asked and never in production', () => {
    dev.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] });
    prod.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }] });
  });
});

describe('load balancer', () => {
  it('health-checks targets with the configured path and thresholds and a short deregistration delay', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Port: 8000,
      HealthCheckPath: '/healthz',
      HealthCheckIntervalSeconds: 20,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 4,
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
        { Key: 'stickiness.enabled', Value: 'true' },
        { Key: 'stickiness.lb_cookie.duration_seconds', Value: '3600' },
      ]),
    });
  });

  it('chains internet -> load balancer -> tasks on the container port only', () => {
    prod.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^load balancer'),
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })]),
    });
    prod.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8000, ToPort: 8000, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LoadBalancerSecurityGroup'), 'GroupId'] },
    });
    const tasks = Object.values(prod.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^tasks') } }));
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('serves the domain over HTTPS with a Route 53 validated certificate, redirect and alias', () => {
    prod.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'shop.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'shop.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) })],
    });
    prod.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'shop.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '300' }]),
    });
  });

  it('without a domain, serves https:// through CloudFront and admits only CloudFront\'s prefix list on port 80', () => {
    edge.resourceCountIs('AWS::CloudFront::Distribution', 1);
    edge.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    const [groupId, group] = Object.entries(edge.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^load balancer') } }))[0]!;
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(edge.findResources('AWS::EC2::SecurityGroupIngress')).map((rule) => rule.Properties).filter((rule) => JSON.stringify(rule.GroupId).includes(`"${groupId}"`));
    expect(ingress).toEqual([expect.objectContaining({ SourcePrefixListId: 'pl-3b927c52', FromPort: 80, ToPort: 80 })]);
    // The default route forwards only what carries CloudFront's header; the listener refuses the rest.
    edge.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 50000,
      Conditions: [Match.objectLike({ Field: 'http-header', HttpHeaderConfig: Match.objectLike({ HttpHeaderName: 'X-Origin-Verify' }) })],
      Actions: [Match.objectLike({ Type: 'forward' })],
    });
    edge.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '403' }) })] });
    expect(JSON.stringify(edge.toJSON().Outputs.Url.Value)).toContain('DomainName');
  });

  it('without a load balancer, gives one task a public IP and opens only the container port', () => {
    solo.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    solo.hasResourceProperties('AWS::EC2::SecurityGroup', {
      // Says where traffic comes from: there is no load balancer (issue 12: the radio example said "from the load balancer only").
      GroupDescription: 'tasks: port 8000 from the internet (no load balancer)',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 8000, ToPort: 8000 })],
    });
    solo.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 1, NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) } });
    expect(solo.toJSON().Outputs.Url).toBeUndefined();
    // Neither database nor cache: no isolated subnets either.
    solo.resourceCountIs('AWS::EC2::Subnet', 2);
  });
});

describe('database', () => {
  it('is private, encrypted, backed up, and protected in production', () => {
    prod.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({
        Engine: 'postgres', EngineVersion: '16', PubliclyAccessible: false, StorageEncrypted: true, MultiAZ: true,
        BackupRetentionPeriod: 7, DeletionProtection: true, DBName: 'shop', AllocatedStorage: '20',
      }),
      DeletionPolicy: 'Snapshot',
    });
  });

  it('outside production can be deleted, and still leaves a final snapshot', () => {
    dev.hasResource('AWS::RDS::DBInstance', { Properties: Match.objectLike({ DeletionProtection: false, MultiAZ: false }), DeletionPolicy: 'Snapshot' });
  });

  it('lives in isolated subnets and admits only the service', () => {
    prod.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ServiceSecurityGroup'), 'GroupId'] },
    });
    const db = prod.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^database') } });
    expect(Object.values(db)[0]!.Properties.SecurityGroupIngress).toBeUndefined();
    const subnetGroup = Object.values(prod.findResources('AWS::RDS::DBSubnetGroup'))[0]!;
    expect(JSON.stringify(subnetGroup.Properties.SubnetIds)).toMatch(/NetworkVpcdataSubnet/);
  });
});

describe('cache', () => {
  it('is encrypted in transit and at rest, in isolated subnets, admitting only the service', () => {
    prod.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'redis', EngineVersion: '7.1', CacheNodeType: 'cache.t4g.micro', TransitEncryptionEnabled: true, AtRestEncryptionEnabled: true,
    });
    prod.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 6379, ToPort: 6379, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ServiceSecurityGroup'), 'GroupId'] },
    });
    const subnetGroup = Object.values(prod.findResources('AWS::ElastiCache::SubnetGroup'))[0]!;
    expect(JSON.stringify(subnetGroup.Properties.SubnetIds)).toMatch(/NetworkVpcdataSubnet/);
  });
});

describe('wiring', () => {
  function container(template: Template) {
    const task = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0]!;
    return task.Properties.ContainerDefinitions[0] as { Environment: Array<{ Name: string; Value: unknown }>; Secrets: Array<{ Name: string; ValueFrom: unknown }> };
  }

  it('gives the app DATABASE_URL, PGPASSWORD and the declared secrets as ECS secrets, the rest as plain variables', () => {
    const { Environment, Secrets } = container(prod);
    expect(Secrets.map((secret) => secret.Name).sort()).toEqual(['API_KEY', 'DATABASE_URL', 'PGPASSWORD', 'REDIS_URL']);
    expect(Environment.map((variable) => variable.Name).sort()).toEqual(['LOG_LEVEL', 'PGDATABASE', 'PGHOST', 'PGPORT', 'PGUSER']);
    expect(JSON.stringify(Secrets.find((secret) => secret.Name === 'API_KEY')!.ValueFrom)).toContain(':secret:berth/shop/prod/API_KEY');
    expect(JSON.stringify(Secrets.find((secret) => secret.Name === 'REDIS_URL')!.ValueFrom)).toContain('CacheUrl');
  });

  it('assembles DATABASE_URL from a dynamic reference, never a literal password', () => {
    const secrets = Object.values(prod.findResources('AWS::SecretsManager::Secret'));
    const url = secrets.find((secret) => JSON.stringify(secret.Properties.SecretString ?? '').includes('postgresql://'))!;
    const text = JSON.stringify(url.Properties.SecretString);
    expect(text).toContain('postgresql://berth:{{resolve:secretsmanager:');
    expect(text).toContain(':SecretString:password::}}@');
    const generated = secrets.find((secret) => secret.Properties.GenerateSecretString !== undefined)!;
    expect(generated.Properties.SecretString).toBeUndefined();
  });

  it('lets the execution role read exactly the injected secrets', () => {
    const policy = Object.values(prod.findResources('AWS::IAM::Policy'))[0]!;
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>;
    const secretReads = statements.filter((statement) => JSON.stringify(statement.Action).includes('secretsmanager:GetSecretValue'));
    expect(secretReads).toHaveLength(4);
    expect(JSON.stringify(secretReads)).toContain(':secret:berth/shop/prod/API_KEY-??????');
    expect(JSON.stringify(secretReads)).not.toMatch(/"Resource":"\*"/);
  });

  it('puts no secret value or password in any template', () => {
    expect(all).not.toContain(CANARY);
    expect(all).not.toMatch(/"MasterUserPassword":"[^{]/);
    for (const template of [prod, dev]) {
      const { Environment } = container(template);
      expect(Environment.map((variable) => variable.Name)).not.toEqual(expect.arrayContaining(['DATABASE_URL']));
      expect(Environment.map((variable) => variable.Name)).not.toContain('PGPASSWORD');
    }
  });
});

describe('observability', () => {
  it('alarms and notifies the email, and not where alarms are off (the alarms themselves: observability.test.ts)', () => {
    expect(Object.keys(prod.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(5);
    prod.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    edge.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  it('outputs what deploy, status and logs read', () => {
    expect(Object.keys(prod.toJSON().Outputs)).toEqual(expect.arrayContaining([
      'Url', 'LogGroupName', 'ClusterName', 'ServiceName', 'TargetGroupArn', 'LoadBalancerFullName', 'DatabaseEndpoint', 'DatabaseSecretArn', 'CacheEndpoint', 'AlarmTopicArn',
    ]));
    expect(Object.keys(registry.toJSON().Outputs)).toContain('RepositoryUri');
    prod.hasOutput('Url', { Value: 'https://shop.example.com' });
  });
});

describe('scaling', () => {
  it('tracks CPU and requests per target between min and max, and schedules the night bounds in AWS cron', () => {
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2, MaxCapacity: 10,
      ScheduledActions: [{ ScheduledActionName: 'night', Schedule: 'cron(0 22 ? * MON-FRI *)', ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 2 } }],
    });
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 70, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }),
    });
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 500, PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }) }),
    });
    dev.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });
});

describe('image', () => {
  it('runs the image given as CDK context berth:image, ahead of service.image', () => {
    const pinned = '123456789012.dkr.ecr.us-east-1.amazonaws.com/berth/shop@sha256:' + 'cd'.repeat(32);
    const app = new App({ context: { 'berth:image': pinned } });
    const stack = new EnvironmentStack(app, { config: configFromYaml(FILE, 'solo'), placeholderDigest: PLACEHOLDER_DIGEST });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Image: pinned })] });
  });
});
