/**
 * Alarms on what breaks an environment, each saying in plain words what happened and what to do, all notifying one
 * SNS topic: per ECS service (running tasks below desired, CPU, memory), per target group (no healthy target, app 5xx
 * rate, p99 latency), per load balancer (its own 5xx rate), the database (CPU, free storage, connections) and the
 * cache (memory, evictions); an optional dashboard. A service's error-rate and latency alarms (or, without a load
 * balancer, its running-tasks alarm) are also its ECS deployment alarms: a deploy that trips them is rolled back.
 */
import { Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { formatLatency } from '../../config/latency.js';
import { alarmName, dashboardName } from '../../model/index.js';

export interface BerthAlarmsProps {
  readonly app: string;
  readonly env: string;
  /**
   * Address subscribed to the alarm topic (AWS sends a confirmation mail first).
   * @default - the topic has no subscription
   */
  readonly email?: string;
  /**
   * Seconds of p99 target response time that alarm when exceeded for 5 minutes.
   * @default 2
   */
  readonly latencyP99?: number;
  /**
   * % of requests answered 5xx (by the load balancer, or by the targets of one target group) that alarms.
   * @default 1
   */
  readonly errorRatePercent?: number;
  /**
   * A CloudWatch dashboard of the environment ($3/month).
   * @default false
   */
  readonly dashboard?: boolean;
  /**
   * CPU % (average over a service) that alarms when exceeded for 5 minutes.
   * @default 80
   */
  readonly cpuPercent?: number;
  /**
   * Memory % that alarms when exceeded for 5 minutes.
   * @default 90
   */
  readonly memoryPercent?: number;
}

export interface WatchedService {
  /** The service's name in berth.yml. */
  readonly name: string;
  /** Appended to the alarm construct ids: '' for the service named `web` (its ids stay those of single-service stacks). */
  readonly idSuffix: string;
  readonly service: ecs.BaseService;
  /** Literal names (ECS deployment alarms name their alarms literally: no token may tie the service to them). */
  readonly clusterName: string;
  readonly serviceName: string;
  /** Container Insights on the cluster: running and desired task counts are metrics. */
  readonly containerInsights: boolean;
  /** The fewest tasks the service runs at any time of day (its minimum and its schedules' minimums); 0 turns the outage alarms off. */
  readonly minimumTasks: number;
  /** @default - not behind a load balancer */
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /**
   * Blue/green and canary (berth.yml `deploy`): the second target group ECS starts the new set in on every other deploy.
   * The 5xx-rate and latency alarms then take the higher of the two groups, so the deployment alarm sees the new set
   * whichever group it is in.
   * @default - one target group
   */
  readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
}

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

/** About how many connections PostgreSQL on RDS accepts: LEAST(DBInstanceClassMemory / 9531392, 5000), with ~75% of the RAM as DBInstanceClassMemory. */
export function postgresMaxConnections(instanceClass: string): number | undefined {
  const match = /^db\.([a-z]+)\d*[a-z]*\.(micro|small|medium|large|(\d*)xlarge)$/.exec(instanceClass);
  if (!match) return undefined;
  const family = match[1]!;
  const size = match[2]!;
  const base: Record<string, number> = { micro: 1, small: 2, medium: 4, large: 8 };
  let gib = base[size] ?? 16 * Number(match[3] || 1);
  if (family.startsWith('r') || family.startsWith('x')) gib *= 2;
  return Math.min(5000, Math.floor((0.75 * gib * 1024 ** 3) / 9_531_392));
}

export class BerthAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Alarm names that roll back a deploy, per berth service. */
  readonly deploymentAlarms = new Map<string, string[]>();
  readonly dashboard?: cloudwatch.Dashboard;
  private readonly notify: actions.SnsAction;
  private readonly props: BerthAlarmsProps;
  private readonly where: string;
  private readonly watchedLoadBalancers = new Set<string>();

  constructor(scope: Construct, id: string, props: BerthAlarmsProps) {
    super(scope, id);
    this.props = props;
    this.where = `--env ${props.env}`;
    // Cost: SNS email notifications: the first 1,000 per month are free.
    this.topic = new sns.Topic(this, 'Topic', { displayName: `berth alarms: ${props.app} ${props.env}`, enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and alarm notifications carry no sensitive data.',
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.notify = new actions.SnsAction(this.topic);
    if (props.dashboard) {
      // Cost: $3 per dashboard per month (the first three of an account are free).
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: dashboardName(props.app, props.env), defaultInterval: Duration.hours(3) });
    }
  }

  private add(id: string, what: string, service: string | undefined, options: Omit<cloudwatch.AlarmProps, 'alarmName'>): cloudwatch.Alarm {
    // Cost: $0.10 per alarm metric per month (a metric-math alarm over two metrics counts twice).
    const alarm = new cloudwatch.Alarm(this, id, {
      ...options,
      alarmName: this.literalName(what, service),
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.notify);
    alarm.addOkAction(this.notify);
    this.alarms.push(alarm);
    return alarm;
  }

  /** The alarm's name as a plain string: a token would tie the ECS service to its own deployment alarm (a cycle). */
  private literalName(what: string, service?: string): string {
    return alarmName(this.props.app, this.props.env, what, service);
  }

  private addWidgets(...widgets: cloudwatch.IWidget[]): void {
    this.dashboard?.addWidgets(...widgets);
  }

  /** Outage, saturation and (behind a load balancer) error and latency alarms of one service; enables its deployment alarms. */
  watchService(watched: WatchedService): cloudwatch.Alarm[] {
    const { name, clusterName, serviceName } = watched;
    const id = (base: string) => `${base}${watched.idSuffix}`;
    const dimensions = { ClusterName: clusterName, ServiceName: serviceName };
    const created: cloudwatch.Alarm[] = [];
    const deployment: string[] = [];
    const cpu = this.props.cpuPercent ?? 80;
    const memory = this.props.memoryPercent ?? 90;
    const ecsMetric = (metricName: string, statistic: string) => new cloudwatch.Metric({ namespace: 'AWS/ECS', metricName, dimensionsMap: dimensions, period: MINUTE, statistic });

    created.push(this.add(id('Cpu'), 'cpu', name, {
      alarmDescription: `Service ${name}: CPU above ${cpu}% for 5 minutes. It is running out of CPU: look at what it is doing (berth logs ${this.where} --service ${name}), give it more (cpu in berth.yml) or more tasks (count).`,
      metric: ecsMetric('CPUUtilization', 'Average'),
      threshold: cpu,
      evaluationPeriods: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }));
    created.push(this.add(id('Memory'), 'memory', name, {
      alarmDescription: `Service ${name}: memory above ${memory}% for 5 minutes. Tasks that reach 100% are killed (OutOfMemory): raise memory in berth.yml or find the leak (berth logs ${this.where} --service ${name}).`,
      metric: ecsMetric('MemoryUtilization', 'Average'),
      threshold: memory,
      evaluationPeriods: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }));

    if (watched.minimumTasks > 0) {
      const running = watched.containerInsights
        ? new cloudwatch.MathExpression({
          expression: 'FILL(desired, 0) - FILL(running, 0)',
          usingMetrics: {
            desired: new cloudwatch.Metric({ namespace: 'ECS/ContainerInsights', metricName: 'DesiredTaskCount', dimensionsMap: dimensions, period: MINUTE, statistic: 'Maximum' }),
            running: new cloudwatch.Metric({ namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensionsMap: dimensions, period: MINUTE, statistic: 'Minimum' }),
          },
          period: MINUTE,
          label: 'tasks missing',
        })
        // Without Container Insights: the tasks reporting CPU (one sample each a minute) against the fewest the service runs.
        : new cloudwatch.MathExpression({ expression: `${watched.minimumTasks} - FILL(reporting, 0)`, usingMetrics: { reporting: ecsMetric('CPUUtilization', 'SampleCount') }, period: MINUTE, label: 'tasks missing' });
      const tasksAlarm = this.add(id('RunningTasks'), 'running-tasks', name, {
        alarmDescription: `Service ${name}: fewer tasks running than ${watched.containerInsights ? 'desired' : `its minimum (${watched.minimumTasks})`} for 5 minutes. Tasks are stopping or cannot start (image pull, missing secret, crash): run berth status ${this.where} and berth doctor ${this.where}; berth rollback ${this.where} returns to the previous release.`,
        metric: running,
        threshold: 0,
        evaluationPeriods: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      created.push(tasksAlarm);
      if (!watched.targetGroup) deployment.push(this.literalName('running-tasks', name));
    }

    if (watched.targetGroup) {
      const group = watched.targetGroup;
      const rate = this.props.errorRatePercent ?? 1;
      const latency = this.props.latencyP99 ?? 2;
      if (watched.minimumTasks > 0) {
        created.push(this.add(id('HealthyTargets'), 'healthy-targets', name, {
          alarmDescription: `Service ${name}: no healthy target behind the load balancer for 2 minutes: requests to it fail (503). Run berth status ${this.where} (target health and its reason) and berth logs ${this.where} --service ${name}; berth rollback ${this.where} returns to the previous release.`,
          // Blue/green and canary: the service's tasks are in either group after a switch; healthy ones in both count.
          metric: watched.alternateTargetGroup
            ? new cloudwatch.MathExpression({
              expression: 'FILL(healthy, 0) + FILL(healthyAlternate, 0)',
              usingMetrics: { healthy: group.metrics.healthyHostCount({ period: MINUTE, statistic: 'Minimum' }), healthyAlternate: watched.alternateTargetGroup.metrics.healthyHostCount({ period: MINUTE, statistic: 'Minimum' }) },
              period: MINUTE,
              label: 'healthy targets',
            })
            : group.metrics.healthyHostCount({ period: MINUTE, statistic: 'Minimum' }),
          threshold: 1,
          evaluationPeriods: 2,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        }));
      }
      // Blue/green and canary: the higher of the two target groups, so a failing new set alarms whichever group it is in.
      const alternate = watched.alternateTargetGroup;
      const errors = group.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: FIVE_MINUTES, statistic: 'Sum' });
      const requests = group.metrics.requestCount({ period: FIVE_MINUTES, statistic: 'Sum' });
      const rateOf = (suffix: string) => `IF(requests${suffix} > 0, 100 * FILL(errors${suffix}, 0) / requests${suffix}, 0)`;
      const errorRate = new cloudwatch.MathExpression({
        expression: alternate ? `IF(${rateOf('')} > ${rateOf('Alternate')}, ${rateOf('')}, ${rateOf('Alternate')})` : rateOf(''),
        usingMetrics: {
          errors,
          requests,
          ...(alternate ? {
            errorsAlternate: alternate.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: FIVE_MINUTES, statistic: 'Sum' }),
            requestsAlternate: alternate.metrics.requestCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
          } : {}),
        },
        period: FIVE_MINUTES,
        label: 'app 5xx %',
      });
      const p99 = group.metrics.targetResponseTime({ period: MINUTE, statistic: 'p99' });
      const latencyMetric = alternate
        ? new cloudwatch.MathExpression({
          expression: 'IF(FILL(p99, 0) > FILL(p99Alternate, 0), FILL(p99, 0), FILL(p99Alternate, 0))',
          usingMetrics: { p99, p99Alternate: alternate.metrics.targetResponseTime({ period: MINUTE, statistic: 'p99' }) },
          period: MINUTE,
          label: 'p99 response time (s)',
        })
        : p99;
      const errorAlarm = this.add(id('ErrorRate'), '5xx-rate', name, {
        alarmDescription: `Service ${name}: more than ${rate}% of its requests answered 5xx by the app over 5 minutes. The app is failing requests: read berth logs ${this.where} --service ${name}; if a deploy caused it, ECS rolls it back, else berth rollback ${this.where}.`,
        metric: errorRate,
        threshold: rate,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      const latencyAlarm = this.add(id('Latency'), 'latency-p99', name, {
        alarmDescription: `Service ${name}: the slowest 1% of requests took longer than ${formatLatency(latency)} for 5 minutes. Look for slow queries or calls in berth logs ${this.where} --service ${name}, CPU and memory of the service, the database alarms; more tasks (count) help when it is load.`,
        metric: latencyMetric,
        threshold: latency,
        evaluationPeriods: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      created.push(errorAlarm, latencyAlarm);
      deployment.push(this.literalName('5xx-rate', name), this.literalName('latency-p99', name));
      this.addWidgets(
        new cloudwatch.GraphWidget({ title: `${name}: requests and app 5xx`, left: [requests, errors], width: 8 }),
        new cloudwatch.GraphWidget({ title: `${name}: p99 response time (s)`, left: [group.metrics.targetResponseTime({ period: MINUTE, statistic: 'p99' })], width: 8 }),
        new cloudwatch.GraphWidget({ title: `${name}: healthy targets`, left: [group.metrics.healthyHostCount({ period: MINUTE, statistic: 'Minimum' })], width: 8 }),
      );
    }
    this.addWidgets(new cloudwatch.GraphWidget({ title: `${name}: CPU and memory %`, left: [ecsMetric('CPUUtilization', 'Average'), ecsMetric('MemoryUtilization', 'Average')], width: 12 }));

    if (deployment.length > 0 && watched.service instanceof ecs.BaseService) {
      watched.service.enableDeploymentAlarms(deployment, { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
      this.deploymentAlarms.set(name, deployment);
    }
    return created;
  }

  /** The load balancer's own 5xx answers (no healthy target, timeouts, refused connections) as a share of its requests. */
  watchLoadBalancer(loadBalancer: elbv2.ApplicationLoadBalancer): cloudwatch.Alarm | undefined {
    const key = Stack.of(this).resolve(loadBalancer.loadBalancerArn) as unknown;
    const id = JSON.stringify(key);
    if (this.watchedLoadBalancers.has(id)) return undefined;
    this.watchedLoadBalancers.add(id);
    const rate = this.props.errorRatePercent ?? 1;
    const errors = loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: FIVE_MINUTES, statistic: 'Sum' });
    const requests = loadBalancer.metrics.requestCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    this.addWidgets(new cloudwatch.GraphWidget({ title: 'load balancer: requests and its own 5xx', left: [requests, errors], width: 24 }));
    return this.add('LoadBalancerErrorRate', 'lb-5xx-rate', undefined, {
      alarmDescription: `The load balancer answered more than ${rate}% of requests with 5xx itself over 5 minutes (502/503/504: no healthy target, the app closed the connection, or it timed out). Run berth status ${this.where} for target health and berth logs ${this.where}.`,
      metric: new cloudwatch.MathExpression({ expression: 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)', usingMetrics: { errors, requests }, period: FIVE_MINUTES, label: 'load balancer 5xx %' }),
      threshold: rate,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  /** Database CPU, free storage and connections. */
  watchDatabase(instance: rds.DatabaseInstance, spec: { instance: string; storage: number; maxStorage: number }): cloudwatch.Alarm[] {
    const created: cloudwatch.Alarm[] = [];
    created.push(this.add('DatabaseCpu', 'db-cpu', undefined, {
      alarmDescription: `Database CPU above 80% for 10 minutes. Queries are waiting: find slow ones (RDS Performance Insights or pg_stat_statements), add indexes, or move to a larger database.instance than ${spec.instance}.`,
      metric: instance.metricCPUUtilization({ period: MINUTE, statistic: 'Average' }),
      threshold: 80,
      evaluationPeriods: 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }));
    const grows = spec.maxStorage > spec.storage;
    const fraction = grows ? 0.05 : 0.1;
    created.push(this.add('DatabaseFreeStorage', 'db-free-storage', undefined, {
      alarmDescription: grows
        ? `Database free storage below ${Math.round(fraction * 100)}% of ${spec.storage} GiB although it may grow to ${spec.maxStorage} GiB: storage autoscaling cannot keep up or has reached database.maxStorage. Raise database.maxStorage, or delete data; a full database stops accepting writes.`
        : `Database free storage below ${Math.round(fraction * 100)}% of ${spec.storage} GiB. A full database stops accepting writes: raise database.storage (or set database.maxStorage to let it grow), or delete data.`,
      metric: instance.metricFreeStorageSpace({ period: FIVE_MINUTES, statistic: 'Minimum' }),
      threshold: Math.round(spec.storage * fraction * 1024 ** 3),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    }));
    const maxConnections = postgresMaxConnections(spec.instance);
    if (maxConnections !== undefined) {
      const threshold = Math.floor(maxConnections * 0.8);
      created.push(this.add('DatabaseConnections', 'db-connections', undefined, {
        alarmDescription: `More than ${threshold} database connections for 5 minutes (${spec.instance} accepts about ${maxConnections}). New connections will be refused: lower each task's pool size (tasks × pool must stay below the limit), or use a larger database.instance.`,
        metric: instance.metricDatabaseConnections({ period: MINUTE, statistic: 'Maximum' }),
        threshold,
        evaluationPeriods: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      }));
    }
    this.addWidgets(new cloudwatch.GraphWidget({ title: 'database: CPU % and connections', left: [instance.metricCPUUtilization({ period: MINUTE })], right: [instance.metricDatabaseConnections({ period: MINUTE })], width: 24 }));
    return created;
  }

  /** Cache memory and evictions (the cluster of a one-node replication group is `<group>-001`). */
  watchCache(replicationGroup: elasticache.CfnReplicationGroup): cloudwatch.Alarm[] {
    const dimensionsMap = { CacheClusterId: Fn.join('', [replicationGroup.ref, '-001']) };
    const metric = (metricName: string, statistic: string, period: Duration) => new cloudwatch.Metric({ namespace: 'AWS/ElastiCache', metricName, dimensionsMap, period, statistic });
    const memory = this.add('CacheMemory', 'cache-memory', undefined, {
      alarmDescription: 'Cache memory above 80% for 5 minutes. Redis will start evicting keys (or refusing writes): set expiries on what the app caches, or choose a larger cache.node.',
      metric: metric('DatabaseMemoryUsagePercentage', 'Maximum', MINUTE),
      threshold: 80,
      evaluationPeriods: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    const evictions = this.add('CacheEvictions', 'cache-evictions', undefined, {
      alarmDescription: 'The cache has evicted keys for 15 minutes: it is full, and the app loses cached data (and sessions, if it keeps them there). Choose a larger cache.node, or cache less.',
      metric: metric('Evictions', 'Sum', FIVE_MINUTES),
      threshold: 0,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.addWidgets(new cloudwatch.GraphWidget({ title: 'cache: memory % and evictions', left: [metric('DatabaseMemoryUsagePercentage', 'Maximum', MINUTE)], right: [metric('Evictions', 'Sum', FIVE_MINUTES)], width: 24 }));
    return [memory, evictions];
  }
}
