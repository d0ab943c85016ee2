// Writes the CloudFormation fixtures the cost tests price (src/plan/cost/fixtures/*.template.json),
// synthesized by aws-cdk-lib so they have the shape real stacks have. Run: node scripts/cost-fixtures.mjs
import { writeFileSync } from 'node:fs';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

const out = new URL('../src/plan/cost/fixtures/', import.meta.url);
const env = { account: '111111111111', region: 'us-east-1' };
let app;
/** One app per stack: each synthesizes once. */
function newStack(name) {
  app = new App({ outdir: `/tmp/berth-cost-fixtures/${name}` });
  return new Stack(app, name, { env });
}
const image = ecs.ContainerImage.fromRegistry('111111111111.dkr.ecr.us-east-1.amazonaws.com/berth-demo@sha256:0000000000000000000000000000000000000000000000000000000000000000');

function save(stack, name) {
  const template = app.synth().getStackByName(stack.stackName).template;
  writeFileSync(new URL(`${name}.template.json`, out), `${JSON.stringify(template, null, 1)}\n`);
}

// Public tasks behind an internet-facing ALB, no NAT: berth's default shape.
{
  const stack = newStack('berth-demo-prod');
  const vpc = new ec2.Vpc(stack, 'Network', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const logGroup = new logs.LogGroup(stack, 'Logs', { logGroupName: '/berth/demo/prod', retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDef', { cpu: 256, memoryLimitMiB: 512, runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX } });
  const apiKey = secretsmanager.Secret.fromSecretNameV2(stack, 'ApiKey', 'berth/demo/prod/API_KEY');
  taskDefinition.addContainer('app', {
    image, portMappings: [{ containerPort: 8080 }],
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'app' }),
    secrets: { API_KEY: ecs.Secret.fromSecretsManager(apiKey), API_KEY_AGAIN: ecs.Secret.fromSecretsManager(apiKey) },
  });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition, desiredCount: 2, assignPublicIp: true, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'LoadBalancer', { vpc, internetFacing: true });
  alb.addListener('Http', { port: 80 }).addTargets('App', { port: 8080, targets: [service] });
  new cloudwatch.Alarm(stack, 'CpuHigh', { metric: service.metricCpuUtilization(), threshold: 80, evaluationPeriods: 5 });
  new cloudwatch.Alarm(stack, 'MemoryHigh', { metric: service.metricMemoryUtilization(), threshold: 90, evaluationPeriods: 5 });
  new cloudwatch.Alarm(stack, 'Unhealthy', { metric: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', period: Duration.minutes(1) }), threshold: 1, evaluationPeriods: 2 });
  new s3.Bucket(stack, 'Uploads');
  save(stack, 'public-alb');
}

// Private ARM tasks on Spot with a NAT gateway, scaled 1-4 and to zero at night, RDS Multi-AZ and Redis.
{
  const stack = newStack('berth-demo-dev');
  const vpc = new ec2.Vpc(stack, 'Network', {
    maxAzs: 2, natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, enableFargateCapacityProviders: true });
  const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDef', { cpu: 256, memoryLimitMiB: 1024, runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX } });
  const database = new rds.DatabaseInstance(stack, 'Database', {
    vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
    instanceType: new ec2.InstanceType('t4g.micro'), allocatedStorage: 20, storageType: rds.StorageType.GP3, multiAz: true,
    credentials: rds.Credentials.fromGeneratedSecret('demo'), removalPolicy: RemovalPolicy.DESTROY,
  });
  taskDefinition.addContainer('app', {
    image, portMappings: [{ containerPort: 8501 }],
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'app' }),
    secrets: { PGPASSWORD: ecs.Secret.fromSecretsManager(database.secret, 'password') },
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster, taskDefinition, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
  });
  const scaling = service.autoScaleTaskCount({ minCapacity: 1, maxCapacity: 4 });
  scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70 });
  scaling.scaleOnSchedule('night', { schedule: appscaling.Schedule.expression('cron(0 20 * * ? *)'), minCapacity: 0, maxCapacity: 0 });
  scaling.scaleOnSchedule('morning', { schedule: appscaling.Schedule.expression('cron(0 8 * * ? *)'), minCapacity: 1, maxCapacity: 4 });
  const cacheSubnets = new elasticache.CfnSubnetGroup(stack, 'CacheSubnets', { description: 'cache', subnetIds: vpc.isolatedSubnets.map((s) => s.subnetId) });
  new elasticache.CfnReplicationGroup(stack, 'Cache', { replicationGroupDescription: 'cache', engine: 'redis', cacheNodeType: 'cache.t4g.micro', numCacheClusters: 1, cacheSubnetGroupName: cacheSubnets.ref });
  save(stack, 'private-nat');
}

// Private tasks that reach AWS through VPC endpoints instead of NAT.
{
  const stack = newStack('berth-demo-staging');
  const vpc = new ec2.Vpc(stack, 'Network', {
    maxAzs: 2, natGateways: 0,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  for (const [id, endpoint] of [['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR], ['EcrDocker', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER], ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS]]) {
    vpc.addInterfaceEndpoint(id, { service: endpoint, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  }
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDef', { cpu: 512, memoryLimitMiB: 1024 });
  taskDefinition.addContainer('app', { image, portMappings: [{ containerPort: 8000 }], logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app', logRetention: logs.RetentionDays.TWO_WEEKS }) });
  new ecs.FargateService(stack, 'Service', { cluster, taskDefinition, desiredCount: 1, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
  save(stack, 'private-endpoints');
}

// The app's registry stack.
{
  const stack = newStack('berth-demo-registry');
  new ecr.Repository(stack, 'Repository', { repositoryName: 'berth-demo', imageScanOnPush: true });
  save(stack, 'registry');
}
