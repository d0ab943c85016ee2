/**
 * One Fargate task definition with its two roles: the execution role (the ECS agent pulls the image, writes logs and
 * reads exactly the injected secrets) and the task role (the app's own AWS permissions: none by default). Services,
 * jobs and the `release.before` task each get their own.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { Arch, HealthCheck } from '../../config/model.js';
import { ecsContainerStartPeriod, ecsCpuArchitecture } from '../../model/index.js';
import { containerHealthCommand } from '../container-health-command.js';
import { serviceImage } from './image-pull.js';

/** The container image: a repository and digest, or any image reference. */
export type TaskImage = { repository: ecr.IRepository; digest: string } | { reference: string };

export interface TaskDefinitionProps {
  /** Task family (one revision per release). */
  readonly family: string;
  /** Container name inside the task definition. */
  readonly containerName: string;
  /** awslogs stream prefix: streams are `<prefix>/<container>/<task id>`. */
  readonly logStreamPrefix: string;
  readonly logGroup: logs.ILogGroup;
  readonly image: TaskImage;
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
  /** @default 'x86_64' */
  readonly arch?: Arch;
  /** The port the container listens on, mapped as `http`. @default - no port (a worker or job) */
  readonly port?: number;
  /** Container health check. @default - none: healthy while the process runs */
  readonly healthCheck?: ecs.HealthCheck;
  /** Plain environment (never secret values). @default {} */
  readonly environment?: Record<string, string>;
  /** Variables read from Secrets Manager when a task starts. @default {} */
  readonly secrets?: Record<string, ecs.Secret>;
  /** Overrides the image's CMD. @default - the image's CMD */
  readonly command?: string[];
  /**
   * Secrets Manager name of {"username","password"} for an image in a private registry other than ECR.
   * @default - no repository credentials (berth's repository, another ECR repository, or a public image)
   */
  readonly registryCredentialsSecretName?: string;
  /**
   * Mount the container's root filesystem read-only.
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * Roles to reuse (the `release.before` task runs with its service's roles).
   * @default - an execution role and a task role of its own
   */
  readonly roles?: { executionRole: iam.Role; taskRole: iam.Role };
}

export interface BerthTaskDefinition {
  readonly executionRole: iam.Role;
  readonly taskRole: iam.Role;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
}

/** Adds `ExecutionRole`, `TaskRole` (unless reused) and `Task` to `scope`. */
export function addTaskDefinition(scope: Construct, props: TaskDefinitionProps): BerthTaskDefinition {
  const executionRole = props.roles?.executionRole ?? new iam.Role(scope, 'ExecutionRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: 'ECS agent: pull the image, write logs, read the injected secrets',
  });
  const taskRole = props.roles?.taskRole ?? new iam.Role(scope, 'TaskRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: "the app's own AWS permissions (none by default)",
  });

  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task', {
    family: props.family,
    cpu: props.cpu ?? 256,
    memoryLimitMiB: props.memory ?? 512,
    runtimePlatform: {
      cpuArchitecture: ecs.CpuArchitecture.of(ecsCpuArchitecture(props.arch ?? 'x86_64')),
      operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
    },
    executionRole,
    taskRole,
  });

  // The execution role may pull exactly the repository of this image (image-pull.ts), or uses the registry credentials.
  const { image } = serviceImage(scope, 'Image', {
    image: props.image,
    ...(props.registryCredentialsSecretName ? { registryCredentialsSecretName: props.registryCredentialsSecretName } : {}),
  });
  const container = taskDefinition.addContainer(props.containerName, {
    containerName: props.containerName,
    image,
    essential: true,
    ...(props.port !== undefined ? { portMappings: [{ containerPort: props.port, protocol: ecs.Protocol.TCP, name: 'http' }] } : {}),
    environment: props.environment ?? {},
    secrets: props.secrets ?? {},
    ...(props.command ? { command: props.command } : {}),
    logging: ecs.LogDrivers.awsLogs({ logGroup: props.logGroup, streamPrefix: props.logStreamPrefix }),
    ...(props.healthCheck ? { healthCheck: props.healthCheck } : {}),
    readonlyRootFilesystem: props.readonlyRootFilesystem ?? false,
  });
  if (Object.keys(props.environment ?? {}).length > 0) {
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'Only non-secret settings are plain environment variables; every secret and password is an ECS secret from Secrets Manager.',
    });
  }
  return { executionRole, taskRole, taskDefinition, container };
}

/** A worker's `health.command` as an ECS container health check (the start period capped as ECS requires). */
export function commandHealthCheck(health: { command: string[]; interval: number; timeout: number; unhealthyThreshold: number; startPeriod: number }): ecs.HealthCheck {
  return {
    command: ['CMD', ...health.command],
    interval: Duration.seconds(health.interval),
    timeout: Duration.seconds(health.timeout),
    retries: health.unhealthyThreshold,
    startPeriod: Duration.seconds(health.startPeriod),
  };
}

/** The execution role may pull from ECR; ecr:GetAuthorizationToken has no resource-level permissions. */
export function acknowledgeEcrToken(executionRole: iam.Role): void {
  // Acknowledged on the exact finding, so any other wildcard that appears later is still reported.
  Validations.of(executionRole).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken has no resource-level permissions, so it needs resource "*"; every other statement names its resources.',
  });
}

/**
 * A web service's container health check: GET of its health path from inside the container (the shared command).
 * None for images without a shell (health.container false): the load balancer's checks decide, as locally.
 */
export function httpHealthCheck(port: number, health: HealthCheck): ecs.HealthCheck | undefined {
  const command = containerHealthCommand(port, health);
  if (!command) return undefined;
  return {
    command,
    interval: Duration.seconds(health.interval),
    timeout: Duration.seconds(health.timeout),
    retries: health.unhealthyThreshold,
    // ECS allows at most 300 s; the service's grace period covers longer starts (src/model/health-timing.ts).
    startPeriod: Duration.seconds(ecsContainerStartPeriod(health)),
  };
}
