/** The environment's ECS cluster and its log group, shared by every service, job and one-off task of the environment. */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface EnvironmentClusterProps {
  readonly vpc: ec2.IVpc;
  /** Cluster name, e.g. `berth-news-api-prod`. */
  readonly clusterName: string;
  /** Log group name, e.g. `/berth/<app>/<env>`: every task writes here under its own stream prefix. */
  readonly logGroupName: string;
  /**
   * Days logs are kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Production: keep the log group when the stack is removed, and turn on Container Insights.
   * @default false
   */
  readonly production?: boolean;
}

export interface EnvironmentCluster {
  readonly cluster: ecs.Cluster;
  readonly logGroup: logs.LogGroup;
}

/**
 * Adds the cluster (`Cluster`) and the log group (`Logs`) to `scope`. The environment stack adds them to the
 * construct of the service named `web`, where single-service stacks always had them, so those stacks update in place.
 */
export function addEnvironmentCluster(scope: Construct, props: EnvironmentClusterProps): EnvironmentCluster {
  const production = props.production ?? false;
  const cluster = new ecs.Cluster(scope, 'Cluster', {
    vpc: props.vpc,
    clusterName: props.clusterName,
    enableFargateCapacityProviders: true,
    containerInsightsV2: production ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
  });
  if (!production) {
    Validations.of(cluster).acknowledge({
      id: 'AwsSolutions-ECS4',
      reason: 'Container Insights bills custom metrics per task; it is on in production environments, and the CPU/memory alarms use the free service metrics.',
    });
  }
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    logGroupName: props.logGroupName,
    retention: (props.logRetentionDays ?? 30) as logs.RetentionDays,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  return { cluster, logGroup };
}
