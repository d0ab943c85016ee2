/**
 * Stack `berth-<app>-<env>`: network, service, load balancer, database, cache, wiring, alarms and scaling for one
 * AWS environment, composed from the constructs beside this file.
 *
 * Outputs (read by deploy, status, logs and cost):
 * - `Url`: where the app answers (https://<domain> or http://<load balancer DNS>); absent with `loadBalancer: false`
 *   (the task's public IP is known only once it runs).
 * - `LogGroupName`, `ClusterName`, `ServiceName`, `TaskDefinitionFamily`.
 * - `LoadBalancerFullName`, `TargetGroupArn`, `TargetGroupFullName`: with a load balancer.
 * - `DatabaseEndpoint` (host:port), `DatabaseSecretArn`: with a database.
 * - `CacheEndpoint` (host:port): with a cache.
 * - `AlarmTopicArn`: unless `alarms: false`.
 * - `CertificateArn`: with a domain.
 */
import { soleWebService } from '../../model/transitional.js';
import { CfnOutput, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from '../../config/model.js';
import { BerthCache } from './cache.js';
import { BerthDatabase } from './database.js';
import { BerthLoadBalancer } from './load-balancer.js';
import { awsServiceNames, clusterName, environmentStackName, IMAGE_CONTEXT_KEY, logGroupName, lowestTaskCount, POSTGRES_PORT, REDIS_PORT, repositoryName } from '../../model/index.js';
import { BerthNetwork } from './network.js';
import { BerthAlarms } from './observability.js';
import { BerthScaling, needsScaling } from './scaling.js';
import { BerthService } from './service.js';
import { AppWiring } from './wiring.js';

export interface EnvironmentStackProps extends StackProps {
  readonly config: ResolvedConfig;
  /**
   * The image to run: `<repositoryUri>@sha256:<digest>`.
   * @default - CDK context `berth:image`, else `service.image`, else the app's repository with a placeholder digest
   */
  readonly image?: string;
  /** The digest used with the app's repository when `image` is not given. */
  readonly placeholderDigest: string;
}

/** Which construct each CloudFormation resource belongs to, for the plan summary. */
export const CONCERNS = ['network', 'registry', 'service', 'load balancer', 'database', 'cache', 'secrets', 'observability', 'scaling'] as const;
export type Concern = (typeof CONCERNS)[number];

export class EnvironmentStack extends Stack {
  readonly network: BerthNetwork;
  readonly service: BerthService;
  readonly loadBalancer?: BerthLoadBalancer;
  readonly database?: BerthDatabase;
  readonly cache?: BerthCache;
  readonly wiring: AppWiring;
  readonly alarms?: BerthAlarms;
  readonly scaling?: BerthScaling;
  private zones: string[] = [];

  /**
   * The zones this stack uses. Stack's own getter does a context lookup when account and region are
   * both set, which `berth plan` (no AWS calls) and toolkit-lib deploys of a saved assembly cannot answer.
   */
  override get availabilityZones(): string[] {
    return this.zones;
  }

  constructor(scope: Construct, props: EnvironmentStackProps) {
    const { config } = props;
    super(scope, environmentStackName(config.app, config.env), {
      ...props,
      description: `berth: ${config.app} (${config.env}${config.production ? ', production' : ''})`,
      terminationProtection: config.production,
    });
    // Zones from berth.yml, or the first two of the region as tokens: never a context lookup, even with account and region set.
    this.zones = config.network.zones ?? [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
    const name = this.stackName;

    this.network = new BerthNetwork(this, 'Network', {
      availabilityZones: this.zones,
      cidr: config.network.cidr,
      tasks: config.network.tasks,
      dataSubnets: config.database !== null || config.cache !== null,
      ...(config.network.egress !== 'none' ? { egress: config.network.egress } : {}),
    });
    const vpc = this.network.vpc;

    if (config.database) {
      this.database = new BerthDatabase(this, 'Database', { vpc, subnets: this.network.dataSubnets, spec: config.database, production: config.production });
    }
    if (config.cache) this.cache = new BerthCache(this, 'Cache', { vpc, subnets: this.network.dataSubnets, spec: config.cache });

    this.wiring = new AppWiring(this, 'Wiring', {
      app: config.app,
      env: config.env,
      environment: soleWebService(config).env,
      secretNames: soleWebService(config).secrets,
      ...(this.database && config.database ? { database: { construct: this.database, spec: config.database } } : {}),
      ...(this.cache ? { cache: this.cache } : {}),
    });

    const repository = ecr.Repository.fromRepositoryName(this, 'Repository', repositoryName(config.app));
    const fromContext = this.node.tryGetContext(IMAGE_CONTEXT_KEY) as string | undefined;
    const reference = props.image ?? fromContext ?? config.image.image;
    const image = reference !== undefined ? { reference } : { repository, digest: props.placeholderDigest };

    this.service = new BerthService(this, 'Service', {
      vpc,
      subnets: this.network.taskSubnets,
      assignPublicIp: this.network.tasksArePublic,
      name,
      image,
      port: soleWebService(config).port,
      health: soleWebService(config).health,
      cpu: soleWebService(config).cpu,
      memory: soleWebService(config).memory,
      arch: soleWebService(config).arch,
      // With autoscaling the count is left to the scalable target: a deploy must not reset a scaled-out service to min.
      ...(needsScaling(soleWebService(config).count) ? {} : { desiredCount: soleWebService(config).count.min }),
      environment: this.wiring.environment,
      secrets: this.wiring.secrets,
      ...(soleWebService(config).command ? { command: soleWebService(config).command } : {}),
      logGroupName: logGroupName(config.app, config.env),
      logRetentionDays: config.logs.retentionDays,
      spot: soleWebService(config).spot && !config.production,
      production: config.production,
      ...(soleWebService(config).loadBalancer ? { healthCheckGracePeriod: soleWebService(config).health.gracePeriod } : {}),
    });
    // An image given by reference in berth.yml's repository still needs pull rights on it.
    if (reference?.includes('.dkr.ecr.')) repository.grantPull(this.service.executionRole);

    const tasks = this.service.securityGroup;
    if (soleWebService(config).loadBalancer) {
      this.loadBalancer = new BerthLoadBalancer(this, 'LoadBalancer', {
        vpc,
        subnets: this.network.loadBalancerSubnets,
        port: soleWebService(config).port,
        health: soleWebService(config).health,
        internetFacing: soleWebService(config).public,
        stickySessions: soleWebService(config).stickySessions,
        ...(config.domain ? { domain: config.domain } : {}),
      });
      this.service.service.attachToApplicationTargetGroup(this.loadBalancer.targetGroup);
      tasks.addIngressRule(this.loadBalancer.securityGroup, ec2.Port.tcp(soleWebService(config).port), 'from the load balancer');
      this.loadBalancer.securityGroup.addEgressRule(tasks, ec2.Port.tcp(soleWebService(config).port), 'to the tasks');
    } else {
      tasks.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(soleWebService(config).port), 'the container port from the internet (no load balancer)');
      Validations.of(tasks).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: 'Without a load balancer (loadBalancer: false) the task answers the internet directly, on the container port only.',
      });
    }
    if (this.database) this.database.securityGroup.addIngressRule(tasks, ec2.Port.tcp(POSTGRES_PORT), 'from the service');
    if (this.cache) this.cache.securityGroup.addIngressRule(tasks, ec2.Port.tcp(REDIS_PORT), 'from the service');

    if (config.alarms.enabled) {
      const web = soleWebService(config);
      this.alarms = new BerthAlarms(this, 'Alarms', {
        app: config.app,
        env: config.env,
        ...(config.alarms.email ? { email: config.alarms.email } : {}),
        latencyP99: config.alarms.latencyP99,
        errorRatePercent: config.alarms.errorRate,
        dashboard: config.alarms.dashboard,
      });
      this.alarms.watchService({
        name: web.name,
        service: this.service.service,
        clusterName: clusterName(config.app, config.env),
        serviceName: awsServiceNames(config.app, config.env, web.name).ecsService,
        containerInsights: config.production,
        minimumTasks: lowestTaskCount(web),
        ...(this.loadBalancer ? { targetGroup: this.loadBalancer.targetGroup } : {}),
      });
      if (this.loadBalancer) this.alarms.watchLoadBalancer(this.loadBalancer.loadBalancer);
      if (this.database && config.database) this.alarms.watchDatabase(this.database.instance, config.database);
      if (this.cache) this.alarms.watchCache(this.cache.replicationGroup);
    }
    if (needsScaling(soleWebService(config).count)) {
      this.scaling = new BerthScaling(this, 'Scaling', {
        service: this.service.service,
        count: soleWebService(config).count,
        ...(this.loadBalancer ? { targetGroup: this.loadBalancer.targetGroup } : {}),
      });
    }
    this.addOutputs();
  }

  private addOutputs(): void {
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    if (this.loadBalancer) {
      output('Url', this.loadBalancer.url, 'where the app answers');
      output('LoadBalancerFullName', this.loadBalancer.loadBalancer.loadBalancerFullName, 'CloudWatch dimension LoadBalancer');
      output('TargetGroupArn', this.loadBalancer.targetGroup.targetGroupArn, 'target health');
      output('TargetGroupFullName', this.loadBalancer.targetGroup.targetGroupFullName, 'CloudWatch dimension TargetGroup');
      if (this.loadBalancer.certificate) output('CertificateArn', this.loadBalancer.certificate.certificateArn, 'the ACM certificate of the domain');
    }
    output('LogGroupName', this.service.logGroup.logGroupName, 'the app logs');
    output('ClusterName', this.service.cluster.clusterName, 'ECS cluster');
    output('ServiceName', this.service.service.serviceName, 'ECS service');
    output('TaskDefinitionFamily', this.service.taskDefinition.family, 'task definition family (one revision per release)');
    if (this.database) {
      output('DatabaseEndpoint', Fn.join(':', [this.database.instance.dbInstanceEndpointAddress, this.database.instance.dbInstanceEndpointPort]), 'PostgreSQL host:port (VPC only)');
      output('DatabaseSecretArn', this.database.secret.secretArn, 'generated credentials (JSON)');
    }
    if (this.cache) output('CacheEndpoint', Fn.join(':', [this.cache.endpoint, this.cache.replicationGroup.attrPrimaryEndPointPort]), 'Redis host:port (VPC only, TLS)');
    if (this.alarms) output('AlarmTopicArn', this.alarms.topic.topicArn, 'SNS topic alarms notify');
  }
}
