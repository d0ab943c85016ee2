/** Task count: target tracking on CPU, memory or requests per target, and scheduled changes of the bounds. */
import { Duration } from 'aws-cdk-lib';
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
    if (count.requests !== undefined && props.targetGroup) {
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
