/**
 * Reads back what a release's task definitions ran (ecs:DescribeTaskDefinition): each service's app container env,
 * secret names and command, and the task's cpu, memory and architecture, for a rollback to restore (src/plan/aws/rollback-env.ts decides what to do with them).
 */
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { awsServiceNames, type Release } from '../../model/index.js';
import type { RecordedTaskEnv } from '../../plan/aws/rollback-env.js';
import { awsCall } from './aws-errors.js';

/** One entry per service the release recorded; throws (an OperationError naming the call) when one cannot be read. */
export async function readReleaseTaskEnv(ecs: ECSClient, app: string, env: string, release: Pick<Release, 'services'>): Promise<RecordedTaskEnv[]> {
  return Promise.all((release.services ?? []).map(async (service): Promise<RecordedTaskEnv> => {
    const answer = await awsCall(`reading task definition ${service.taskDefinition} (ecs:DescribeTaskDefinition)`, () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition })));
    const name = awsServiceNames(app, env, service.name).container;
    const container = answer.taskDefinition?.containerDefinitions?.find((entry) => entry.name === name);
    if (!container) throw new Error(`task definition ${service.taskDefinition} has no container ${name}`);
    const task = answer.taskDefinition!;
    return {
      service: service.name,
      environment: container.environment ?? [],
      secrets: container.secrets ?? [],
      ...(task.cpu ? { cpu: task.cpu } : {}),
      ...(task.memory ? { memory: task.memory } : {}),
      ...(task.runtimePlatform?.cpuArchitecture ? { cpuArchitecture: task.runtimePlatform.cpuArchitecture } : {}),
      command: container.command?.length ? container.command : null,
    };
  }));
}
