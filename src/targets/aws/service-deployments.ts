/** ECS service deployments of blue/green and canary services: read the one in flight, and stop it with ROLLBACK. */
import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand, StopServiceDeploymentCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { awsCall } from './aws-errors.js';
import type { ServiceDeploymentState } from './deployment-phases.js';

/** The service's deployment that is still running or rolling back, newest first; undefined when none is. */
export async function activeServiceDeployment(ecs: ECSClient, cluster: string, service: string): Promise<ServiceDeploymentState | undefined> {
  const listed = await awsCall(`listing ECS deployments of ${service} (ecs:ListServiceDeployments)`, () => ecs.send(new ListServiceDeploymentsCommand({
    cluster, service, status: ['PENDING', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'],
  })));
  const newest = [...(listed.serviceDeployments ?? [])].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
  if (!newest?.serviceDeploymentArn) return undefined;
  return serviceDeployment(ecs, newest.serviceDeploymentArn);
}

export async function serviceDeployment(ecs: ECSClient, arn: string): Promise<ServiceDeploymentState | undefined> {
  const described = await awsCall('reading an ECS deployment (ecs:DescribeServiceDeployments)', () => ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })));
  const found = described.serviceDeployments?.[0];
  if (!found) return undefined;
  return {
    arn,
    status: found.status ?? 'UNKNOWN',
    ...(found.lifecycleStage ? { stage: found.lifecycleStage } : {}),
    ...(found.statusReason ? { reason: found.statusReason } : {}),
  };
}

/** ECS moves production traffic back to the old set (still running while the new one bakes) and stops the new one. */
export async function returnTraffic(ecs: ECSClient, arn: string): Promise<void> {
  await awsCall('returning traffic to the old set (ecs:StopServiceDeployment ROLLBACK)', () => ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })));
}
