/**
 * One long-running service (kind web or worker): its Fargate task definition (image by digest, health check, logs,
 * two roles), its security group and the ECS service that keeps its tasks running. The service named `web` also
 * holds the environment's cluster and log group (cluster.ts), where single-service stacks always had them.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Arch, SpotStrategy } from '../../config/model.js';
import type { AwsServiceNames } from '../../model/index.js';
import { addEnvironmentCluster, type EnvironmentCluster, type EnvironmentClusterProps } from './cluster.js';
import { acknowledgeEcrToken, addTaskDefinition, type TaskImage } from './task-definition.js';
import type { SetSwitchDeployment } from './traffic-switch.js';

/** How a service takes part in ECS Service Connect: every service is a client; a web service also answers as `name:port`. */
export interface ServiceConnectRole {
  /** The Cloud Map namespace (ARN or name) of the environment. */
  readonly namespace: string;
  /** Answer as `http://<dnsName>:<port>`: web services only. @default - a client only */
  readonly server?: { dnsName: string; port: number };
}

export interface BerthServiceProps {
  readonly vpc: ec2.IVpc;
  /** Subnets the tasks run in. */
  readonly subnets: ec2.SubnetSelection;
  /** Give each task a public IP (tasks in public subnets need one to reach ECR and the internet without NAT). */
  readonly assignPublicIp: boolean;
  /** Service, family, container and log stream names from src/model/aws-names.ts. */
  readonly names: AwsServiceNames;
  /**
   * The environment's cluster and log group.
   * @default - created inside this construct from `clusterProps` (the service named `web`)
   */
  readonly cluster?: EnvironmentCluster;
  /** How to create the cluster and log group when `cluster` is not given. */
  readonly clusterProps?: Omit<EnvironmentClusterProps, 'vpc'>;
  /** The container image: a repository and digest, or any image reference. */
  readonly image: TaskImage;
  /** Web services: the port the container listens on. @default - none (a worker) */
  readonly port?: number;
  /** The container health check: the HTTP check of a web service, a worker's command. @default - healthy while the process runs */
  readonly healthCheck?: ecs.HealthCheck;
  /** @default 256 */
  readonly cpu?: number;
  /** @default 512 */
  readonly memory?: number;
  /** @default 'x86_64' */
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
  /**
   * Run on Fargate Spot (up to ~70% cheaper, tasks can be stopped with two minutes' notice): `base` tasks always on
   * regular Fargate, `share` % of the rest on Spot (capacityProviders.ts).
   * @default - every task on regular Fargate
   */
  readonly spot?: SpotStrategy;
  /** Secrets Manager name of the credentials of a private non-ECR registry. @default - none */
  readonly registryCredentialsSecretName?: string;
  /** @default false */
  readonly readonlyRootFilesystem?: boolean;
  /**
   * Seconds a new task may fail load balancer health checks before they count (only with a load balancer).
   * @default - none (no load balancer)
   */
  readonly healthCheckGracePeriod?: number;
  /**
   * ECS Exec (`berth exec`, berth.yml `exec: true`): turns on enableExecuteCommand and lets the task role open the
   * four SSM messages channels Session Manager needs.
   * @default false
   */
  readonly exec?: boolean;
  /** @default - no Service Connect (an environment with one service) */
  readonly serviceConnect?: ServiceConnectRole;
  /**
   * Blue/green or canary (traffic-switch.ts): ECS's deployment strategy and bake time.
   * @default - a rolling deploy with the circuit breaker
   */
  readonly deployment?: SetSwitchDeployment;
  /** @default 'tasks: the container port from the load balancer only' */
  readonly securityGroupDescription?: string;
}

export class BerthService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly logGroup: logs.LogGroup;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
  readonly securityGroup: ec2.SecurityGroup;
  /** Pulls the image, writes logs, reads exactly the injected secrets. */
  readonly executionRole: iam.Role;
  /** The app's own AWS permissions: none by default (the SSM messages channels with `exec`). */
  readonly taskRole: iam.Role;
  readonly names: AwsServiceNames;

  constructor(scope: Construct, id: string, props: BerthServiceProps) {
    super(scope, id);
    this.names = props.names;
    const shared = props.cluster ?? addEnvironmentCluster(this, { vpc: props.vpc, ...requireClusterProps(props) });
    this.cluster = shared.cluster;
    this.logGroup = shared.logGroup;

    const task = addTaskDefinition(this, {
      family: props.names.family,
      containerName: props.names.container,
      logStreamPrefix: props.names.logStreamPrefix,
      logGroup: this.logGroup,
      image: props.image,
      ...(props.cpu !== undefined ? { cpu: props.cpu } : {}),
      ...(props.memory !== undefined ? { memory: props.memory } : {}),
      ...(props.arch ? { arch: props.arch } : {}),
      ...(props.port !== undefined ? { port: props.port } : {}),
      ...(props.healthCheck ? { healthCheck: props.healthCheck } : {}),
      ...(props.environment ? { environment: props.environment } : {}),
      ...(props.secrets ? { secrets: props.secrets } : {}),
      ...(props.command ? { command: props.command } : {}),
      ...(props.registryCredentialsSecretName ? { registryCredentialsSecretName: props.registryCredentialsSecretName } : {}),
      ...(props.readonlyRootFilesystem ? { readonlyRootFilesystem: true } : {}),
    });
    this.executionRole = task.executionRole;
    this.taskRole = task.taskRole;
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: props.securityGroupDescription ?? 'tasks: the container port from the load balancer only',
      allowAllOutbound: true,
    });

    // Cost: Fargate x86_64 is ~$0.04048 per vCPU-hour and ~$0.004445 per GB-hour (arm64 ~20% less, Spot up to ~70% less).
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      serviceName: props.names.ecsService,
      taskDefinition: this.taskDefinition,
      ...(props.desiredCount !== undefined ? { desiredCount: props.desiredCount } : {}),
      assignPublicIp: props.assignPublicIp,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      capacityProviderStrategies: capacityProviderStrategies(props.spot),
      enableExecuteCommand: props.exec ?? false,
      ...(props.healthCheckGracePeriod !== undefined ? { healthCheckGracePeriod: Duration.seconds(props.healthCheckGracePeriod) } : {}),
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      ...(props.serviceConnect ? { serviceConnectConfiguration: serviceConnectConfiguration(props.serviceConnect) } : {}),
      ...props.deployment,
    });

    acknowledgeEcrToken(this.executionRole);
    if (props.exec) {
      Validations.of(this.taskRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ECS Exec (exec: true): ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel have no resource-level permissions.',
      });
    }
  }
}

function requireClusterProps(props: BerthServiceProps): Omit<EnvironmentClusterProps, 'vpc'> {
  if (!props.clusterProps) throw new Error(`BerthService ${props.names.ecsService}: give either cluster or clusterProps`);
  return props.clusterProps;
}

function serviceConnectConfiguration(role: ServiceConnectRole): ecs.ServiceConnectProps {
  return {
    namespace: role.namespace,
    ...(role.server ? { services: [{ portMappingName: 'http', dnsName: role.server.dnsName, port: role.server.port, discoveryName: role.server.dnsName }] } : {}),
  };
}

/**
 * Where ECS places a service's tasks: all on regular Fargate without Spot; with Spot, `base` tasks on regular Fargate
 * first, then the rest split `100 - share` : `share` between regular Fargate and Fargate Spot (spot: true is all Spot).
 */
export function capacityProviderStrategies(spot: SpotStrategy | undefined): ecs.CapacityProviderStrategy[] {
  if (!spot) return [{ capacityProvider: 'FARGATE', weight: 1 }];
  if (spot.base === 0 && spot.share === 100) return [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
  return [
    { capacityProvider: 'FARGATE', ...(spot.base > 0 ? { base: spot.base } : {}), weight: 100 - spot.share },
    { capacityProvider: 'FARGATE_SPOT', weight: spot.share },
  ];
}
