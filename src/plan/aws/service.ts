/** The Fargate task definition (image by digest, health check, logs, two roles) and the ECS service that keeps it running. */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Arch, HealthCheck } from '../../config/model.js';
import { ecsContainerStartPeriod, ecsCpuArchitecture } from '../../model/index.js';
import { containerHealthCommand } from '../container-health-command.js';

export interface BerthServiceProps {
  readonly vpc: ec2.IVpc;
  /** Subnets the tasks run in. */
  readonly subnets: ec2.SubnetSelection;
  /** Give each task a public IP (tasks in public subnets need one to reach ECR and the internet without NAT). */
  readonly assignPublicIp: boolean;
  /** ECS cluster name and task family prefix, e.g. `berth-news-api-prod`. */
  readonly name: string;
  /** The container image: a repository and digest, or any image reference. */
  readonly image: { repository: ecr.IRepository; digest: string } | { reference: string };
  readonly port: number;
  /** Container health check (path and timeout; interval, retries from the thresholds) and the grace period. */
  readonly health: HealthCheck;
  /**
   * Fargate CPU units (1024 = 1 vCPU).
   * @default 256
   */
  readonly cpu?: number;
  /**
   * MiB, a valid Fargate combination with cpu.
   * @default 512
   */
  readonly memory?: number;
  /**
   * CPU architecture of the image.
   * @default 'x86_64'
   */
  readonly arch?: Arch;
  /**
   * Tasks to run. Leave it out when autoscaling manages the count, so deploys keep the current count.
   * @default - ECS starts one task and the scalable target's minimum applies
   */
  readonly desiredCount?: number;
  /** Plain environment (never secret values). @default {} */
  readonly environment?: Record<string, string>;
  /** Variables read from Secrets Manager when a task starts. @default {} */
  readonly secrets?: Record<string, ecs.Secret>;
  /** Overrides the image's CMD. @default - the image's CMD */
  readonly command?: string[];
  /** Log group name, e.g. `/berth/<app>/<env>`. */
  readonly logGroupName: string;
  /**
   * Days logs are kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Run on Fargate Spot (up to ~70% cheaper, tasks can be stopped with two minutes' notice). Non-production only.
   * @default false
   */
  readonly spot?: boolean;
  /**
   * Production: keep the log group when the stack is removed, and turn on Container Insights.
   * @default false
   */
  readonly production?: boolean;
  /**
   * Seconds a new task may fail load balancer health checks before they count (only with a load balancer).
   * @default - none (no load balancer)
   */
  readonly healthCheckGracePeriod?: number;
}

export class BerthService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
  readonly securityGroup: ec2.SecurityGroup;
  readonly logGroup: logs.LogGroup;
  /** Pulls the image, writes logs, reads exactly the injected secrets. */
  readonly executionRole: iam.Role;
  /** The app's own AWS permissions: none by default. */
  readonly taskRole: iam.Role;

  constructor(scope: Construct, id: string, props: BerthServiceProps) {
    super(scope, id);
    const production = props.production ?? false;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName: props.name,
      enableFargateCapacityProviders: true,
      containerInsightsV2: production ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
    });
    if (!production) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-ECS4',
        reason: 'Container Insights bills custom metrics per task; it is on in production environments, and the CPU/memory alarms use the free service metrics.',
      });
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: props.logGroupName,
      retention: (props.logRetentionDays ?? 30) as logs.RetentionDays,
      removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'ECS agent: pull the image, write logs, read the injected secrets',
    });
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: "the app's own AWS permissions (none by default)",
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family: props.name,
      cpu: props.cpu ?? 256,
      memoryLimitMiB: props.memory ?? 512,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.of(ecsCpuArchitecture(props.arch ?? 'x86_64')),
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      executionRole: this.executionRole,
      taskRole: this.taskRole,
    });

    const image = 'repository' in props.image
      ? ecs.ContainerImage.fromEcrRepository(props.image.repository, props.image.digest)
      : ecs.ContainerImage.fromRegistry(props.image.reference);
    const health = props.health;
    // None for images without a shell (health.container false): the load balancer's checks decide, as locally.
    const healthCommand = containerHealthCommand(props.port, health);
    this.container = this.taskDefinition.addContainer('app', {
      containerName: 'app',
      image,
      essential: true,
      portMappings: [{ containerPort: props.port, protocol: ecs.Protocol.TCP, name: 'http' }],
      environment: props.environment ?? {},
      secrets: props.secrets ?? {},
      ...(props.command ? { command: props.command } : {}),
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'app' }),
      ...(healthCommand ? {
        healthCheck: {
          command: healthCommand,
          interval: Duration.seconds(health.interval),
          timeout: Duration.seconds(health.timeout),
          retries: health.unhealthyThreshold,
          // ECS allows at most 300 s; the service's grace period covers longer starts (src/model/health-timing.ts).
          startPeriod: Duration.seconds(ecsContainerStartPeriod(health)),
        },
      } : {}),
      readonlyRootFilesystem: false,
    });
    if (Object.keys(props.environment ?? {}).length > 0) {
      Validations.of(this.taskDefinition).acknowledge({
        id: 'AwsSolutions-ECS2',
        reason: 'Only non-secret settings are plain environment variables; every secret and password is an ECS secret from Secrets Manager.',
      });
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'tasks: the container port from the load balancer only',
      allowAllOutbound: true,
    });

    // Cost: Fargate x86_64 is ~$0.04048 per vCPU-hour and ~$0.004445 per GB-hour (arm64 ~20% less, Spot up to ~70% less).
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      serviceName: props.name,
      taskDefinition: this.taskDefinition,
      ...(props.desiredCount !== undefined ? { desiredCount: props.desiredCount } : {}),
      assignPublicIp: props.assignPublicIp,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      capacityProviderStrategies: [{ capacityProvider: props.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1 }],
      enableExecuteCommand: false,
      ...(props.healthCheckGracePeriod !== undefined ? { healthCheckGracePeriod: Duration.seconds(props.healthCheckGracePeriod) } : {}),
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    // Acknowledged on the exact finding, so any other wildcard that appears later is still reported.
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken has no resource-level permissions, so it needs resource "*"; every other statement names its resources.',
    });
  }
}
