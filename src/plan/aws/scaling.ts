/**
 * Task count: target tracking on CPU, memory or requests per target, and scheduled changes of the bounds.
 * A service that switches between two target groups (blue/green, canary) tracks requests over both: the ALB's
 * predefined per-target metric names one group, which gets no traffic every other deploy.
 */
import { Duration, Names } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { TaskCount } from '../../config/model.js';
import { toAwsCron } from './schedule-cron.js';

export interface BerthScalingProps {
  readonly service: ecs.FargateService;
  /** Bounds, target-tracking goals and schedules from `service.count`. */
  readonly count: TaskCount;
  /** Needed for `count.requests`. @default - no request-count tracking */
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** The second target group of a blue/green or canary service: requests are tracked over both. @default - none */
  readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /**
   * Seconds after scaling out before scaling in again.
   * @default 300
   */
  readonly scaleInCooldown?: number;
  /**
   * Seconds after scaling out before scaling out again.
   * @default 60
   */
  readonly scaleOutCooldown?: number;
}

/** Whether `count` asks for any scaling at all (otherwise the service keeps a fixed count). */
export function needsScaling(count: TaskCount): boolean {
  return count.max > count.min || count.schedule.length > 0;
}

export class BerthScaling extends Construct {
  readonly scalableTarget: ecs.ScalableTaskCount;

  constructor(scope: Construct, id: string, props: BerthScalingProps) {
    super(scope, id);
    const { count } = props;
    this.scalableTarget = props.service.autoScaleTaskCount({ minCapacity: count.min, maxCapacity: count.max });
    const cooldowns = {
      scaleInCooldown: Duration.seconds(props.scaleInCooldown ?? 300),
      scaleOutCooldown: Duration.seconds(props.scaleOutCooldown ?? 60),
    };
    if (count.cpu !== undefined) this.scalableTarget.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: count.cpu, ...cooldowns });
    if (count.memory !== undefined) this.scalableTarget.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: count.memory, ...cooldowns });
    if (count.requests !== undefined && props.targetGroup && props.alternateTargetGroup) {
      requestsOverBothGroups(this, this.scalableTarget, count.requests, props.targetGroup, props.alternateTargetGroup, cooldowns);
    } else if (count.requests !== undefined && props.targetGroup) {
      this.scalableTarget.scaleOnRequestCount('Requests', { requestsPerTarget: count.requests, targetGroup: props.targetGroup, ...cooldowns });
    }
    for (const entry of count.schedule) {
      this.scalableTarget.scaleOnSchedule(entry.name, {
        schedule: appscaling.Schedule.expression(`cron(${toAwsCron(entry.cron)})`),
        ...(entry.min !== undefined ? { minCapacity: entry.min } : {}),
        ...(entry.max !== undefined ? { maxCapacity: entry.max } : {}),
      });
    }
  }
}

/**
 * Target tracking on (requests to both groups) / (healthy targets in both groups), per minute. The L2 policy takes
 * one metric only, so this is the L1 policy with metric math. While a blue/green deployment bakes, the old tasks are
 * still healthy in the idle group and the figure reads low; ECS does not scale in during a deployment anyway.
 */
function requestsOverBothGroups(
  scope: Construct, target: ecs.ScalableTaskCount, requests: number,
  primary: elbv2.ApplicationTargetGroup, alternate: elbv2.ApplicationTargetGroup,
  cooldowns: { scaleInCooldown: Duration; scaleOutCooldown: Duration },
): void {
  const stat = (id: string, metricName: string, stat: string, group: elbv2.ApplicationTargetGroup) => ({
    id,
    returnData: false,
    metricStat: {
      metric: {
        namespace: 'AWS/ApplicationELB',
        metricName,
        dimensions: [
          { name: 'TargetGroup', value: group.targetGroupFullName },
          { name: 'LoadBalancer', value: group.firstLoadBalancerFullName },
        ],
      },
      stat,
    },
  });
  new appscaling.CfnScalingPolicy(scope, 'Requests', {
    policyName: `${Names.uniqueId(scope)}Requests`.slice(-256),
    policyType: 'TargetTrackingScaling',
    scalingTargetId: target.scalableTargetRef.resourceId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: requests,
      scaleInCooldown: cooldowns.scaleInCooldown.toSeconds(),
      scaleOutCooldown: cooldowns.scaleOutCooldown.toSeconds(),
      customizedMetricSpecification: {
        metrics: [
          stat('requests', 'RequestCount', 'Sum', primary),
          stat('requestsalternate', 'RequestCount', 'Sum', alternate),
          stat('healthy', 'HealthyHostCount', 'Average', primary),
          stat('healthyalternate', 'HealthyHostCount', 'Average', alternate),
          {
            id: 'perTarget',
            label: 'requests per healthy target over both target groups',
            expression: '(FILL(requests, 0) + FILL(requestsalternate, 0)) / MAX([FILL(healthy, 0) + FILL(healthyalternate, 0), 1])',
            returnData: true,
          },
        ],
      },
    },
  });
}
