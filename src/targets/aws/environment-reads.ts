/**
 * Reads of a deployed AWS environment: stack outputs, the ECS service and its tasks, target health,
 * alarms, CloudFormation failures and a task's last log lines. Each returns plain data for the pure
 * decisions (rollout.ts) and for status, logs and the doctor's failure evidence.
 */
import { DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { FailureEvidence, StoppedTaskEvidence } from '../../doctor/failure-evidence.js';
import type { TaskState } from '../operations.js';
import { awsCall, awsErrorName, isNotFound } from './aws-errors.js';
import type { AwsClients } from './aws-session.js';
import type { DeploymentSnapshot, HealthProbe, RolloutSnapshot, TargetSnapshot } from './rollout.js';

/** The outputs of a deployed environment stack (names from the plan's environment-stack.ts). */
export interface EnvironmentOutputs {
  Url?: string;
  LogGroupName?: string;
  ClusterName?: string;
  ServiceName?: string;
  TargetGroupArn?: string;
  LoadBalancerFullName?: string;
  DatabaseEndpoint?: string;
  DatabaseSecretArn?: string;
  CacheEndpoint?: string;
  AlarmTopicArn?: string;
  RepositoryUri?: string;
  [name: string]: string | undefined;
}

export interface StackState {
  status: string;
  outputs: EnvironmentOutputs;
}

/** The stack's status and outputs, or undefined when it does not exist. */
export async function readStack(clients: Pick<AwsClients, 'cloudformation'>, stackName: string): Promise<StackState | undefined> {
  try {
    const answer = await clients.cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = answer.Stacks?.[0];
    if (!stack) return undefined;
    const outputs: EnvironmentOutputs = {};
    for (const output of stack.Outputs ?? []) if (output.OutputKey) outputs[output.OutputKey] = output.OutputValue;
    return { status: stack.StackStatus ?? 'UNKNOWN', outputs };
  } catch (error) {
    if (awsErrorName(error) === 'ValidationError' && isNotFound(error)) return undefined;
    return awsCall(`reading stack ${stackName} (cloudformation:DescribeStacks)`, () => Promise.reject(error));
  }
}

/** The short task id from an ARN: arn:aws:ecs:...:task/cluster/0123abcd... -> 0123abcd... */
export function taskId(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/** One service to read: its ECS service (none for a job) and target group; default: the stack's `ServiceName` and `TargetGroupArn`. */
export interface ReaderScope {
  ecsService?: string;
  targetGroupArn?: string;
  /** Blue/green and canary: the second target group, where ECS registers every other release's tasks. */
  alternateTargetGroupArn?: string;
  /** A job: its runs are the tasks of this family. */
  family?: string;
}

/** Reads an ECS service (or a job's runs), its deployments (with their images) and target health. */
export class EnvironmentReader {
  private readonly images = new Map<string, string[]>();
  private readonly outputs: EnvironmentOutputs;
  private readonly family: string | undefined;
  private readonly alternateTargetGroupArn: string | undefined;

  constructor(private readonly clients: Pick<AwsClients, 'ecs' | 'elb' | 'logs' | 'cloudformation' | 'cloudwatch'>, outputs: EnvironmentOutputs, scope?: ReaderScope) {
    // A scope replaces the stack's single-service outputs, so the reads below need not know which service they read.
    this.outputs = scope ? { ...outputs, ServiceName: scope.ecsService, TargetGroupArn: scope.targetGroupArn } : outputs;
    this.family = scope?.family;
    this.alternateTargetGroupArn = scope ? scope.alternateTargetGroupArn : outputs.AlternateTargetGroupArn;
  }

  private async imagesOf(taskDefinition: string): Promise<string[]> {
    const known = this.images.get(taskDefinition);
    if (known) return known;
    const answer = await awsCall(`reading task definition ${taskDefinition} (ecs:DescribeTaskDefinition)`, () => this.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition })));
    const images = (answer.taskDefinition?.containerDefinitions ?? []).map((container) => container.image ?? '').filter(Boolean);
    this.images.set(taskDefinition, images);
    return images;
  }

  async service(): Promise<Omit<RolloutSnapshot, 'targets' | 'probe'>> {
    const { ClusterName: cluster, ServiceName: service } = this.outputs;
    if (!cluster || !service) return { deployments: [], desired: 0, running: 0, events: [] };
    const answer = await awsCall(`reading ECS service ${service} (ecs:DescribeServices)`, () => this.clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] })));
    const found = answer.services?.[0];
    if (!found) return { deployments: [], desired: 0, running: 0, events: [] };
    const deployments: DeploymentSnapshot[] = [];
    for (const deployment of found.deployments ?? []) {
      const taskDefinition = deployment.taskDefinition ?? '';
      deployments.push({
        id: deployment.id ?? '',
        status: deployment.status ?? '',
        ...(deployment.rolloutState ? { rolloutState: deployment.rolloutState } : {}),
        ...(deployment.rolloutStateReason ? { rolloutStateReason: deployment.rolloutStateReason } : {}),
        taskDefinition,
        images: taskDefinition ? await this.imagesOf(taskDefinition) : [],
        desired: deployment.desiredCount ?? 0,
        running: deployment.runningCount ?? 0,
        pending: deployment.pendingCount ?? 0,
        failedTasks: deployment.failedTasks ?? 0,
      });
    }
    return {
      deployments,
      desired: found.desiredCount ?? 0,
      running: found.runningCount ?? 0,
      events: (found.events ?? []).slice(0, 20).map((event) => event.message ?? '').filter(Boolean),
    };
  }

  async targets(): Promise<TargetSnapshot[] | undefined> {
    const arn = this.outputs.TargetGroupArn;
    if (!arn) return undefined;
    // Blue/green and canary: the tasks are in whichever of the two target groups ECS put the running set in.
    const arns = [arn, ...(this.alternateTargetGroupArn ? [this.alternateTargetGroupArn] : [])];
    const answers = await Promise.all(arns.map((group) => awsCall('reading target health (elasticloadbalancing:DescribeTargetHealth)', () => this.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group })))));
    return answers.flatMap((answer) => answer.TargetHealthDescriptions ?? []).map((description) => ({
      id: `${description.Target?.Id ?? '?'}:${description.Target?.Port ?? ''}`,
      state: description.TargetHealth?.State ?? 'unknown',
      ...(description.TargetHealth?.Reason ? { reason: description.TargetHealth.Reason } : {}),
      ...(description.TargetHealth?.Description ? { description: description.TargetHealth.Description } : {}),
    }));
  }

  /** Tasks of the service (or of a job's family), RUNNING or STOPPED, newest first. */
  async tasks(desiredStatus: 'RUNNING' | 'STOPPED', limit = 10): Promise<Task[]> {
    const { ClusterName: cluster, ServiceName: serviceName } = this.outputs;
    if (!cluster || (!serviceName && !this.family)) return [];
    const filter = serviceName ? { serviceName } : { family: this.family! };
    const listed = await awsCall('listing tasks (ecs:ListTasks)', () => this.clients.ecs.send(new ListTasksCommand({ cluster, ...filter, desiredStatus, maxResults: limit })));
    const arns = listed.taskArns ?? [];
    if (arns.length === 0) return [];
    const described = await awsCall('reading tasks (ecs:DescribeTasks)', () => this.clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns })));
    const time = (task: Task) => new Date(task.stoppedAt ?? task.startedAt ?? task.createdAt ?? 0).getTime();
    return [...(described.tasks ?? [])].sort((a, b) => time(b) - time(a));
  }

  /** The last CloudFormation failures of the stack: "LogicalId: STATUS: reason". */
  async stackFailures(stackName: string, limit = 8): Promise<string[]> {
    try {
      const answer = await this.clients.cloudformation.send(new DescribeStackEventsCommand({ StackName: stackName }));
      return (answer.StackEvents ?? [])
        .filter((event) => /FAILED$/.test(event.ResourceStatus ?? '') && event.ResourceStatusReason && !/Resource creation cancelled|Resource update cancelled/.test(event.ResourceStatusReason))
        .slice(0, limit)
        .map((event) => `${event.LogicalResourceId}: ${event.ResourceStatus}: ${event.ResourceStatusReason}`);
    } catch (error) {
      if (isNotFound(error)) return [];
      return awsCall(`reading stack events of ${stackName}`, () => Promise.reject(error));
    }
  }

  /** The last lines a task wrote to the log group (its stream name ends with the task id). */
  async taskLogTail(id: string, lines = 20): Promise<string[]> {
    const group = this.outputs.LogGroupName;
    if (!group) return [];
    const streams = await awsCall(`finding the log stream of task ${id} (logs:DescribeLogStreams)`, () => this.clients.logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', descending: true, limit: 50 })));
    const stream = streams.logStreams?.find((candidate) => candidate.logStreamName?.endsWith(`/${id}`));
    if (!stream?.logStreamName) return [];
    const events = await awsCall(`reading the logs of task ${id} (logs:GetLogEvents)`, () => this.clients.logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream.logStreamName, startFromHead: false, limit: lines })));
    return (events.events ?? []).map((event) => (event.message ?? '').replace(/\s+$/, ''));
  }

  /** Alarm names and states of the environment (those notifying its topic). */
  async alarms(): Promise<Array<{ name: string; state: string }>> {
    const topic = this.outputs.AlarmTopicArn;
    if (!topic) return [];
    const answer = await awsCall('reading alarms (cloudwatch:DescribeAlarms)', () => this.clients.cloudwatch.send(new DescribeAlarmsCommand({ ActionPrefix: topic, MaxRecords: 100 })));
    return (answer.MetricAlarms ?? []).map((alarm) => ({ name: alarm.AlarmName ?? '', state: alarm.StateValue ?? 'INSUFFICIENT_DATA' }));
  }
}

/** Stopped tasks as the doctor reads them (pure). */
export function stoppedTaskEvidence(tasks: readonly Task[]): StoppedTaskEvidence[] {
  return tasks.map((task) => ({
    id: taskId(task.taskArn ?? ''),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    containers: (task.containers ?? []).map((container) => ({
      name: container.name ?? '',
      ...(container.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
      ...(container.reason ? { reason: container.reason } : {}),
    })),
  }));
}

/** Running tasks for status (pure). */
export function taskStates(tasks: readonly Task[]): TaskState[] {
  return tasks.map((task) => {
    const health = task.healthStatus === 'HEALTHY' ? 'healthy' : task.healthStatus === 'UNHEALTHY' ? 'unhealthy' : task.lastStatus === 'RUNNING' ? 'unknown' : 'starting';
    const address = task.attachments?.flatMap((attachment) => attachment.details ?? []).find((detail) => detail.name === 'privateIPv4Address')?.value;
    return {
      id: taskId(task.taskArn ?? ''),
      status: task.lastStatus ?? 'UNKNOWN',
      health,
      ...(task.startedAt ? { startedAt: new Date(task.startedAt).toISOString() } : {}),
      ...(address ? { address } : {}),
      ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    };
  });
}

/** One GET of the health path through the public URL, bounded to 5 seconds. */
export async function probeHealth(baseUrl: string, path: string, fetcher: typeof fetch = fetch): Promise<HealthProbe> {
  const url = `${baseUrl.replace(/\/+$/, '')}${path}`;
  try {
    const response = await fetcher(url, { signal: AbortSignal.timeout(5000), redirect: 'follow' });
    await response.body?.cancel();
    return { url, status: response.status };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { url, error: cause ?? (error instanceof Error ? error.message : String(error)) };
  }
}

/** Everything the doctor needs about a failed deploy, free of secret values. */
export async function gatherEvidence(reader: EnvironmentReader, stackName: string, redact: (line: string) => string): Promise<FailureEvidence> {
  const settle = async <T>(work: Promise<T>, fallback: T): Promise<T> => work.catch(() => fallback);
  const [service, targets, stopped, stackEvents] = await Promise.all([
    settle(reader.service(), { deployments: [], desired: 0, running: 0, events: [] }),
    settle(reader.targets(), undefined),
    settle(reader.tasks('STOPPED', 5), []),
    settle(reader.stackFailures(stackName), []),
  ]);
  const failed = stopped[0];
  const logTail = failed ? (await settle(reader.taskLogTail(taskId(failed.taskArn ?? '')), [])).map(redact) : [];
  return {
    target: 'aws',
    stoppedTasks: stoppedTaskEvidence(stopped),
    serviceEvents: service.events.map(redact),
    targetHealth: (targets ?? []).map((target) => ({ target: target.id, state: target.state, ...(target.reason ? { reason: target.reason } : {}), ...(target.description ? { description: target.description } : {}) })),
    stackEvents: stackEvents.map(redact),
    logTail,
  };
}
