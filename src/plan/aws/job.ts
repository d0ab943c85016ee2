/**
 * A scheduled job (kind job): its own Fargate task definition, a security group without inbound rules, and an
 * EventBridge Scheduler schedule that starts one task per firing with ECS RunTask — no service is kept running.
 * The schedule runs in UTC with the flexible time window off; its role may run exactly this task definition and
 * pass exactly its two roles. The job's timeout is enforced by job-timeouts.ts.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { Arch, JobSchedule } from '../../config/model.js';
import type { AwsServiceNames } from '../../model/index.js';
import type { EnvironmentCluster } from './cluster.js';
import type { JobTimeouts } from './job-timeouts.js';
import { toAwsCron } from './schedule-cron.js';
import { acknowledgeEcrToken, addTaskDefinition, type TaskImage } from './task-definition.js';

export interface BerthJobProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly assignPublicIp: boolean;
  /** Family, container and log stream names from src/model/aws-names.ts. */
  readonly names: AwsServiceNames;
  /** The berth service name. */
  readonly name: string;
  readonly cluster: EnvironmentCluster;
  readonly image: TaskImage;
  readonly cpu?: number;
  readonly memory?: number;
  readonly arch?: Arch;
  readonly environment?: Record<string, string>;
  readonly secrets?: Record<string, ecs.Secret>;
  readonly command?: string[];
  /** When it runs: five-field UTC cron or a rate. */
  readonly schedule: JobSchedule;
  /** Seconds one run may take before it is stopped. */
  readonly timeoutSeconds: number;
  readonly timeouts: JobTimeouts;
  /** @default false */
  readonly spot?: boolean;
  /** Secrets Manager name of the credentials of a private non-ECR registry. @default - none */
  readonly registryCredentialsSecretName?: string;
  /** @default false */
  readonly readonlyRootFilesystem?: boolean;
}

/** The EventBridge Scheduler expression of a job's schedule, in UTC (pure). */
export function schedulerExpression(schedule: JobSchedule): string {
  if (schedule.kind === 'cron') return `cron(${toAwsCron(schedule.cron)})`;
  return `rate(${schedule.value} ${schedule.unit}${schedule.value === 1 ? '' : 's'})`;
}

export class BerthJob extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly executionRole: iam.Role;
  readonly taskRole: iam.Role;
  readonly securityGroup: ec2.SecurityGroup;
  readonly schedulerRole: iam.Role;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: BerthJobProps) {
    super(scope, id);
    const task = addTaskDefinition(this, {
      family: props.names.family,
      containerName: props.names.container,
      logStreamPrefix: props.names.logStreamPrefix,
      logGroup: props.cluster.logGroup,
      image: props.image,
      ...(props.cpu !== undefined ? { cpu: props.cpu } : {}),
      ...(props.memory !== undefined ? { memory: props.memory } : {}),
      ...(props.arch ? { arch: props.arch } : {}),
      ...(props.environment ? { environment: props.environment } : {}),
      ...(props.secrets ? { secrets: props.secrets } : {}),
      ...(props.command ? { command: props.command } : {}),
      ...(props.registryCredentialsSecretName ? { registryCredentialsSecretName: props.registryCredentialsSecretName } : {}),
      ...(props.readonlyRootFilesystem ? { readonlyRootFilesystem: true } : {}),
    });
    this.taskDefinition = task.taskDefinition;
    this.executionRole = task.executionRole;
    this.taskRole = task.taskRole;
    acknowledgeEcrToken(this.executionRole);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `job ${props.name}: no inbound traffic`,
      allowAllOutbound: true,
    });

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `EventBridge Scheduler: start runs of job ${props.name} (ecs:RunTask of its task definition only)`,
    });
    // Cost: EventBridge Scheduler bills per invocation (see berth cost); the task bills per second while it runs.
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `berth: job ${props.name}, ${props.schedule.kind === 'cron' ? `cron "${props.schedule.cron}"` : 'rate'} (UTC)`,
      schedule: scheduler.ScheduleExpression.expression(schedulerExpression(props.schedule)),
      timeWindow: scheduler.TimeWindow.off(),
      target: new schedulerTargets.EcsRunFargateTask(props.cluster.cluster, {
        taskDefinition: this.taskDefinition,
        role: this.schedulerRole,
        // The scheduler target checks that a public IP goes with public subnets by their type; the tasks' public subnets are the VPC's only ones.
        vpcSubnets: props.assignPublicIp ? { subnetType: ec2.SubnetType.PUBLIC } : props.subnets,
        securityGroups: [this.securityGroup],
        assignPublicIp: props.assignPublicIp,
        ...(props.spot ? { capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] } : {}),
        // A run the scheduler could not start (throttling, no capacity) is retried for up to 15 minutes, then dropped.
        retryAttempts: 3,
        maxEventAge: Duration.minutes(15),
      }),
    });
    props.timeouts.watch(this, 'Timeout', { name: props.name, family: props.names.family, timeoutSeconds: props.timeoutSeconds });
  }
}
