/**
 * One-off ECS tasks berth starts itself — the `release.before` task and `berth run` — run to completion: RunTask with
 * the task definition, the network of the environment's tasks and an optional command override, the task's log
 * stream followed while it runs, and its exit code when it stops. Aborting stops the task (StopTask) and still
 * waits for its end, so nothing keeps running behind the user's back.
 */
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { OperationError } from '../../errors.js';
import { awsCall, awsErrorName } from './aws-errors.js';
import { taskId } from './environment-reads.js';

export interface TaskNetwork {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED';
}

export interface OneOffTask {
  cluster: string;
  /** Family, family:revision or ARN. */
  taskDefinition: string;
  container: string;
  network: TaskNetwork;
  /** Replaces the container's command; absent: the task definition's own. */
  command?: string[];
  /** ECS task group (src/model/aws-names.ts `oneOffTaskGroup`): keeps one-off tasks apart from job runs. */
  group: string;
  /** Shown in the console as who started it, e.g. "berth run". */
  startedBy: string;
  logGroup: string;
  /** The container's awslogs stream prefix: its stream is `<prefix>/<container>/<task id>`. */
  logStreamPrefix: string;
  /** Fargate Spot for a non-production environment's service that runs on it. @default false */
  spot?: boolean;
}

export interface OneOffResult {
  taskId: string;
  /** The container's exit code; undefined when it never ran (the task could not start). */
  exitCode?: number;
  stopCode?: string;
  stoppedReason?: string;
  /** Why the container itself stopped, e.g. "CannotPullContainerError: ...". */
  containerReason?: string;
  /** The last lines the task wrote (as given to onLine, after redaction). */
  logTail: string[];
  /** True when the task was stopped because of the abort signal. */
  interrupted: boolean;
}

export interface OneOffOptions {
  /** Each log line as it arrives. */
  onLine?(line: string): void;
  /** Called once with the task id when ECS accepted the task. */
  onStarted?(taskId: string): void;
  /** Every line passes through it before onLine or the tail (masks secret-looking values). */
  redact?(line: string): string;
  signal?: AbortSignal;
  /** Milliseconds between polls. @default 2000 */
  pollMs?: number;
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  /** Lines kept for the tail. @default 20 */
  tailLines?: number;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

/** Starts the task, follows its log stream and resolves when it has stopped. */
export async function runOneOffTask(clients: { ecs: ECSClient; logs: CloudWatchLogsClient }, task: OneOffTask, options: OneOffOptions = {}): Promise<OneOffResult> {
  const sleep = options.sleep ?? defaultSleep;
  const redact = options.redact ?? ((line: string) => line);
  const started = await awsCall(`starting a task of ${task.taskDefinition} (ecs:RunTask)`, () => clients.ecs.send(new RunTaskCommand({
    cluster: task.cluster,
    taskDefinition: task.taskDefinition,
    count: 1,
    group: task.group,
    startedBy: task.startedBy.slice(0, 36),
    ...(task.spot ? { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] } : { launchType: 'FARGATE' }),
    networkConfiguration: { awsvpcConfiguration: { subnets: task.network.subnets, securityGroups: task.network.securityGroups, assignPublicIp: task.network.assignPublicIp } },
    ...(task.command ? { overrides: { containerOverrides: [{ name: task.container, command: task.command }] } } : {}),
  })));
  const arn = started.tasks?.[0]?.taskArn;
  if (!arn) {
    const failure = started.failures?.[0];
    throw new OperationError(`ECS did not start the task of ${task.taskDefinition}: ${failure?.reason ?? 'no task and no reason given'}${failure?.detail ? ` (${failure.detail})` : ''}`, 'check `berth status` and the ECS console (capacity, subnets, the task definition)');
  }
  const id = taskId(arn);
  options.onStarted?.(id);
  const stream = `${task.logStreamPrefix}/${task.container}/${id}`;
  const tail: string[] = [];
  const keep = options.tailLines ?? 20;
  let nextToken: string | undefined;
  let interrupted = false;

  const readLog = async () => {
    for (;;) {
      let page;
      try {
        page = await clients.logs.send(new GetLogEventsCommand({ logGroupName: task.logGroup, logStreamName: stream, startFromHead: true, ...(nextToken ? { nextToken } : {}) }));
      } catch (error) {
        // The stream exists only once the container has written its first line.
        if (awsErrorName(error) === 'ResourceNotFoundException') return;
        throw error;
      }
      for (const event of page.events ?? []) {
        const line = redact((event.message ?? '').replace(/\s+$/, ''));
        options.onLine?.(line);
        tail.push(line);
        if (tail.length > keep) tail.shift();
      }
      const moved = page.nextForwardToken !== undefined && page.nextForwardToken !== nextToken;
      nextToken = page.nextForwardToken ?? nextToken;
      if (!moved || (page.events ?? []).length === 0) return;
    }
  };

  let described: Task | undefined;
  const stop = async () => {
    if (interrupted) return;
    interrupted = true;
    await awsCall(`stopping task ${id} (ecs:StopTask)`, () => clients.ecs.send(new StopTaskCommand({ cluster: task.cluster, task: arn, reason: `${task.startedBy}: interrupted` })));
  };
  for (;;) {
    if (options.signal?.aborted) await stop();
    const answer = await awsCall(`reading task ${id} (ecs:DescribeTasks)`, () => clients.ecs.send(new DescribeTasksCommand({ cluster: task.cluster, tasks: [arn] })));
    described = answer.tasks?.[0];
    await readLog().catch(() => undefined);
    if (described?.lastStatus === 'STOPPED') break;
    await sleep(options.pollMs ?? 2000, options.signal);
  }
  // Lines written just before the end may reach CloudWatch a moment after ECS reports STOPPED.
  await sleep(Math.min(options.pollMs ?? 2000, 1000));
  await readLog().catch(() => undefined);

  const container = described?.containers?.find((candidate) => candidate.name === task.container) ?? described?.containers?.[0];
  return {
    taskId: id,
    ...(container?.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
    ...(described?.stopCode ? { stopCode: described.stopCode } : {}),
    ...(described?.stoppedReason ? { stoppedReason: described.stoppedReason } : {}),
    ...(container?.reason ? { containerReason: container.reason } : {}),
    logTail: tail,
    interrupted,
  };
}
