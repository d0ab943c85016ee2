/**
 * `berth status` on AWS from what was read (pure): every service in berth.yml's order — web and worker services with
 * their desired/running/healthy tasks and ECS deployments, jobs with their recent runs and exit codes — plus the
 * single-service fields of output version 1 (deprecated aliases, docs/json-output.md).
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { ResolvedConfig } from '../../config/model.js';
import { describeJobSchedule } from '../../config/job-schedule.js';
import { jobTaskGroup, primaryWebService } from '../../model/index.js';
import type { JobRun, Release, ServiceStatus, StatusReport, TaskState } from '../operations.js';
import { taskId, taskStates } from './environment-reads.js';
import type { DeploymentSnapshot, RolloutSnapshot, TargetSnapshot } from './rollout.js';
import type { ServiceScope } from './service-scopes.js';

/** What berth read about one service. */
export type ServiceReads =
  | { scope: ServiceScope; service: Omit<RolloutSnapshot, 'targets' | 'probe'>; targets?: TargetSnapshot[]; running: Task[] }
  | { scope: ServiceScope; runs: Task[] };

/** A deployment of one service, as status shows it. */
export interface ServiceDeployment {
  id: string;
  status: string;
  rollout: string;
  desired: number;
  running: number;
  release?: number;
  taskDefinition?: string;
}

/** ServiceStatus on AWS: the ECS deployments of web and worker services come with it. */
export interface AwsServiceStatus extends ServiceStatus {
  deployments?: ServiceDeployment[];
  /** Web: target health from the load balancer. */
  targets?: { healthy: number; total: number; unhealthy: string[] };
}

/** The release whose image one of these images is (by digest). */
export function releaseOfImages(history: readonly Release[], images: readonly string[] | undefined): number | undefined {
  return history.find((release) => images?.some((image) => image.endsWith(`@${release.digest}`)))?.number;
}

function deploymentsOf(history: readonly Release[], deployments: readonly DeploymentSnapshot[]): ServiceDeployment[] {
  return deployments.map((deployment) => {
    const number = releaseOfImages(history, deployment.images);
    return {
      id: deployment.id, status: deployment.status, rollout: deployment.rolloutState ?? 'UNKNOWN', desired: deployment.desired, running: deployment.running,
      ...(number ? { release: number } : {}),
      ...(deployment.taskDefinition ? { taskDefinition: deployment.taskDefinition } : {}),
    };
  });
}

/** One run of a job from its ECS task (ECS remembers stopped tasks for about an hour). */
export function jobRun(job: string, family: string, task: Task, history: readonly Release[]): JobRun {
  const container = task.containers?.[0];
  const started = task.startedAt ?? task.createdAt;
  const release = releaseOfImages(history, (task.containers ?? []).map((c) => c.image ?? ''));
  let status: JobRun['status'];
  if (task.lastStatus !== 'STOPPED') status = 'running';
  else if (/^berth: job .* ran longer than its timeout/.test(task.stoppedReason ?? '')) status = 'timed-out';
  else if (/interrupted$/.test(task.stoppedReason ?? '')) status = 'interrupted';
  else if (container?.exitCode === 0) status = 'succeeded';
  else status = 'failed';
  const reason = status === 'succeeded' || status === 'running' ? undefined : task.stoppedReason ?? container?.reason;
  return {
    id: taskId(task.taskArn ?? ''),
    job,
    trigger: task.group === jobTaskGroup(family) && task.startedBy !== 'berth jobs run' ? 'schedule' : 'manual',
    ...(release ? { release } : {}),
    startedAt: started ? new Date(started).toISOString() : '',
    ...(task.stoppedAt ? { endedAt: new Date(task.stoppedAt).toISOString() } : {}),
    ...(container?.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
    status,
    ...(reason ? { reason } : {}),
  };
}

export function serviceStatus(config: Pick<ResolvedConfig, 'services'>, reads: ServiceReads, history: readonly Release[]): AwsServiceStatus {
  const spec = config.services.find((service) => service.name === reads.scope.name)!;
  if ('runs' in reads) {
    const runs = reads.runs.map((task) => jobRun(spec.name, reads.scope.family, task, history)).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return { name: spec.name, kind: spec.kind, ...(spec.kind === 'job' ? { schedule: describeJobSchedule(spec.schedule) } : {}), runs };
  }
  const items: TaskState[] = taskStates(reads.running).map((item) => {
    const task = reads.running.find((candidate) => candidate.taskArn?.endsWith(item.id));
    const number = releaseOfImages(history, task?.containers?.map((container) => container.image ?? ''));
    return { ...item, service: spec.name, ...(number ? { release: number } : {}) };
  });
  const healthy = reads.targets ? reads.targets.filter((target) => target.state === 'healthy').length : items.filter((item) => item.health === 'healthy').length;
  const primary = primaryWebService(config)?.name;
  return {
    name: spec.name,
    kind: spec.kind,
    ...(spec.kind === 'web' && spec.loadBalancer ? { route: { ...(spec.route.path ? { path: spec.route.path } : {}), ...(spec.route.host ? { host: spec.route.host } : {}), default: spec.name === primary && !spec.route.path && !spec.route.host } } : {}),
    tasks: { desired: reads.service.desired, running: reads.service.running, pending: reads.service.deployments.reduce((sum, d) => sum + d.pending, 0), healthy, items },
    deployments: deploymentsOf(history, reads.service.deployments),
    ...(reads.targets ? {
      targets: {
        healthy: reads.targets.filter((target) => target.state === 'healthy').length,
        total: reads.targets.length,
        unhealthy: reads.targets.filter((target) => target.state !== 'healthy').map((target) => `${target.id} ${target.state}${target.reason ? ` (${target.reason})` : ''}`),
      },
    } : {}),
  };
}

/** The whole report: services, plus the deprecated single-service fields (tasks summed, the primary service's deployments). */
export function statusReport(
  config: Pick<ResolvedConfig, 'app' | 'env' | 'services' | 'database' | 'cache'>,
  input: { stackName: string; stackStatus: string; outputs: Record<string, string | undefined>; release?: Release; history: readonly Release[]; reads: ServiceReads[]; alarms: Array<{ name: string; state: string }> },
): StatusReport {
  const services = input.reads.map((reads) => serviceStatus(config, reads, input.history));
  const running = services.filter((service) => service.tasks);
  const sum = (pick: 'desired' | 'running' | 'pending' | 'healthy') => running.reduce((total, service) => total + service.tasks![pick], 0);
  const primaryName = primaryWebService(config)?.name ?? running[0]?.name;
  const primary = services.find((service) => service.name === primaryName);
  const notes = [`stack ${input.stackName}: ${input.stackStatus}`];
  const many = config.services.length > 1;
  for (const service of services) {
    if (!service.targets) continue;
    notes.push(`${many ? `${service.name}: ` : ''}load balancer targets: ${service.targets.healthy}/${service.targets.total} healthy${service.targets.unhealthy.map((text) => `; ${text}`).join('')}`);
  }
  const { outputs } = input;
  return {
    app: config.app,
    env: config.env,
    target: 'aws',
    ...(outputs.Url ? { url: outputs.Url } : {}),
    ...(input.release ? { release: input.release } : {}),
    services,
    tasks: { desired: sum('desired'), running: sum('running'), pending: sum('pending'), healthy: sum('healthy'), items: running.flatMap((service) => service.tasks!.items) },
    deployments: (primary?.deployments ?? []).map(({ taskDefinition: _taskDefinition, ...deployment }) => deployment),
    dependencies: [
      ...(config.database && outputs.DatabaseEndpoint ? [{ kind: 'database' as const, engine: `postgres ${config.database.version}`, endpoint: outputs.DatabaseEndpoint, status: 'deployed' }] : []),
      ...(config.cache && outputs.CacheEndpoint ? [{ kind: 'cache' as const, engine: `redis ${config.cache.version}`, endpoint: outputs.CacheEndpoint, status: 'deployed' }] : []),
    ],
    alarms: input.alarms,
    notes,
  };
}
