/** Alarms on what breaks each service (CPU, memory, 5xx, unhealthy targets) and the database (storage), and the SNS topic they notify. */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** One long-running service's alarms: CPU and memory, plus 5xx rate and unhealthy targets behind the load balancer. */
export interface ServiceAlarms {
  readonly service: ecs.FargateService;
  /** Prefix of the alarm names: the ECS service name, e.g. `berth-news-api-prod` or `berth-news-api-prod-worker`. */
  readonly name: string;
  /** Appended to the alarm construct ids: '' for the service named `web` (single-service stacks keep their ids). */
  readonly idSuffix: string;
  /**
   * The 5xx rate over the whole load balancer (the only web service) or over the service's target group (one of several).
   * @default - no load balancer alarms (a worker, or loadBalancer: false)
   */
  readonly loadBalancer?: { loadBalancer: elbv2.ApplicationLoadBalancer; targetGroup: elbv2.ApplicationTargetGroup; scope: 'load balancer' | 'target group' };
}

export interface BerthAlarmsProps {
  /** Every web and worker service, in berth.yml's order. */
  readonly services: ServiceAlarms[];
  /** Prefix of the environment's own alarm and topic names, e.g. `berth-news-api-prod`. */
  readonly name: string;
  /** @default - no storage alarm */
  readonly database?: { instance: rds.DatabaseInstance; storageGiB: number };
  /**
   * Address subscribed to the alarm topic (AWS sends a confirmation mail first).
   * @default - the topic has no subscription
   */
  readonly email?: string;
  /**
   * CPU % (average over the service) that alarms when exceeded for 5 minutes.
   * @default 80
   */
  readonly cpuPercent?: number;
  /**
   * Memory % that alarms when exceeded for 5 minutes.
   * @default 90
   */
  readonly memoryPercent?: number;
  /**
   * % of requests answered 5xx by the targets over 5 minutes.
   * @default 5
   */
  readonly errorRatePercent?: number;
  /**
   * Free database storage, as a fraction of allocated storage, below which an alarm fires.
   * @default 0.1
   */
  readonly freeStorageFraction?: number;
}

export class BerthAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: BerthAlarmsProps) {
    super(scope, id);
    // Cost: SNS email notifications: the first 1,000 per month are free.
    this.topic = new sns.Topic(this, 'Topic', { displayName: `berth alarms: ${props.name}`, enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and alarm notifications carry no sensitive data.',
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    const notify = new actions.SnsAction(this.topic);
    const minute = Duration.minutes(1);

    // Cost: each alarm is $0.10 per month.
    const add = (alarmId: string, options: cloudwatch.AlarmProps) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, { ...options, treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      this.alarms.push(alarm);
    };
    for (const service of props.services) this.addServiceAlarms(service, props, add, minute);
    if (props.database) {
      const fraction = props.freeStorageFraction ?? 0.1;
      const bytes = Math.round(props.database.storageGiB * fraction * 1024 ** 3);
      add('DatabaseFreeStorage', {
        alarmName: `${props.name}-db-free-storage`,
        alarmDescription: `database free storage below ${Math.round(fraction * 100)}% of ${props.database.storageGiB} GiB`,
        metric: props.database.instance.metricFreeStorageSpace({ period: Duration.minutes(5), statistic: 'Minimum' }),
        threshold: bytes,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      });
    }
  }

  private addServiceAlarms(target: ServiceAlarms, props: BerthAlarmsProps, add: (alarmId: string, options: cloudwatch.AlarmProps) => void, minute: Duration): void {
    const id = (base: string) => `${base}${target.idSuffix}`;
    add(id('Cpu'), {
      alarmName: `${target.name}-cpu`,
      alarmDescription: `CPU above ${props.cpuPercent ?? 80}% for 5 minutes`,
      metric: target.service.metricCpuUtilization({ period: minute, statistic: 'Average' }),
      threshold: props.cpuPercent ?? 80,
      evaluationPeriods: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    add(id('Memory'), {
      alarmName: `${target.name}-memory`,
      alarmDescription: `memory above ${props.memoryPercent ?? 90}% for 5 minutes`,
      metric: target.service.metricMemoryUtilization({ period: minute, statistic: 'Average' }),
      threshold: props.memoryPercent ?? 90,
      evaluationPeriods: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    if (!target.loadBalancer) return;
    const { loadBalancer, targetGroup, scope } = target.loadBalancer;
    const period = Duration.minutes(5);
    // With several web services each alarms on its own target group; the only one keeps the load balancer's totals.
    const errors = scope === 'load balancer'
      ? loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' })
      : targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' });
    const requests = scope === 'load balancer' ? loadBalancer.metrics.requestCount({ period, statistic: 'Sum' }) : targetGroup.metrics.requestCount({ period, statistic: 'Sum' });
    add(id('ErrorRate'), {
      alarmName: `${target.name}-5xx-rate`,
      alarmDescription: `more than ${props.errorRatePercent ?? 5}% of requests answered 5xx by the app over 5 minutes`,
      metric: new cloudwatch.MathExpression({ expression: 'IF(requests > 0, 100 * errors / requests, 0)', usingMetrics: { errors, requests }, period, label: '5xx %' }),
      threshold: props.errorRatePercent ?? 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    add(id('UnhealthyTargets'), {
      alarmName: `${target.name}-unhealthy-targets`,
      alarmDescription: 'a target failed its health checks for 3 minutes',
      metric: targetGroup.metrics.unhealthyHostCount({ period: minute, statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }
}
