/**
 * Blue/green and canary deploys on ECS, in words (pure): which phase an ECS service deployment is in (its lifecycle
 * stage from ecs:DescribeServiceDeployments) and whether `berth rollback` can hand traffic back to the old set at once.
 */
import type { DeployStrategy } from '../../config/model.js';
import { TEST_TRAFFIC_HEADER, TEST_TRAFFIC_VALUE } from '../../model/index.js';

/** One ECS service deployment as berth reads it. */
export interface ServiceDeploymentState {
  arn: string;
  /** PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED, ... */
  status: string;
  /** RECONCILE_SERVICE, PRE_SCALE_UP, SCALE_UP, ..., BAKE_TIME, CLEAN_UP. */
  stage?: string;
  reason?: string;
}

const TIME = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`);

/** The phase a deploy is in, for `berth deploy`'s progress: green up, test traffic, shifting, baking, cleaning up. */
export function describePhase(state: ServiceDeploymentState, deploy: DeployStrategy, env: string): string {
  if (state.status.startsWith('ROLLBACK')) return `rolling back: production traffic returns to the old set (${state.status}${state.reason ? `: ${state.reason}` : ''})`;
  switch (state.stage) {
    case 'RECONCILE_SERVICE':
    case 'PRE_SCALE_UP':
    case 'SCALE_UP':
    case 'POST_SCALE_UP':
      return 'green up: the new set of tasks starts beside the old one, which keeps all traffic';
    case 'TEST_TRAFFIC_SHIFT':
    case 'POST_TEST_TRAFFIC_SHIFT':
      return `test traffic: requests with ${TEST_TRAFFIC_HEADER}: ${TEST_TRAFFIC_VALUE} reach the new set; production traffic stays on the old one`;
    case 'PRODUCTION_TRAFFIC_SHIFT':
    case 'POST_PRODUCTION_TRAFFIC_SHIFT':
      return deploy.strategy === 'canary'
        ? `shifting: ${deploy.canary.percent}% of requests on the new set for ${TIME(deploy.canary.for)}, then all of them`
        : 'shifting: all production traffic moves to the new set at once';
    case 'BAKE_TIME':
      return `baking: the new set has all traffic; the old set stays ready for ${TIME(deploy.bake)} (\`berth rollback --env ${env}\` returns traffic to it at once)`;
    case 'CLEAN_UP':
      return 'cleaning up: the old set stops';
    default:
      return `ECS deployment ${state.status.toLowerCase().replace(/_/g, ' ')}`;
  }
}

/** Whether the deployment is still moving (not finished, not already rolling back): ECS can stop it with ROLLBACK. */
export function canReturnTraffic(state: ServiceDeploymentState): boolean {
  return state.status === 'PENDING' || state.status === 'IN_PROGRESS';
}

/** Whether ECS has finished handing traffic back (or failed to). */
export function rollbackEnded(state: ServiceDeploymentState): 'returned' | 'failed' | undefined {
  if (state.status === 'ROLLBACK_SUCCESSFUL' || state.status === 'STOPPED') return 'returned';
  if (state.status === 'ROLLBACK_FAILED') return 'failed';
  return undefined;
}
