/**
 * Stack `berth-<app>-<env>`: network, database, cache, one ECS service per web and worker service (each with its own
 * task definition, roles, security group, log stream prefix, scaling and alarms), one load balancer shared by the web
 * services, ECS Service Connect between services, one EventBridge Scheduler schedule per job and the task of
 * `release.before`, composed from the constructs beside this file.
 *
 * The service named `web` keeps the construct ids and names of single-service stacks (construct `Service`, ECS service
 * and family `berth-<app>-<env>`, container `app`, target group `TargetGroup`), so those stacks update in place.
 *
 * Outputs (read by deploy, status, logs, run and cost):
 * - `Url`: where the app answers (https://<domain>, https://<id>.cloudfront.net without a domain, or
 *   http://<load balancer DNS> with `https: false`); absent with `loadBalancer: false`
 *   (the task's public IP is known only once it runs) and for apps without web services.
 * - `LogGroupName`, `ClusterName`; `ServiceName`, `TaskDefinitionFamily`: of the primary service (the web service
 *   answering the default route, else the first long-running service).
 * - `LoadBalancerFullName`, `TargetGroupArn`, `TargetGroupFullName`: with a load balancer (`TargetGroupArn` is the
 *   target group of the service named `web`, or of the primary web service); other web services:
 *   `<ConstructId>TargetGroupArn`, `<ConstructId>TargetGroupFullName` (src/model/aws-names.ts `serviceOutputName`).
 * - With more than one service or a `release.before`: `<ConstructId>SecurityGroupId` per service, `TaskSubnets`
 *   (comma-separated) and `TaskAssignPublicIp` (ENABLED/DISABLED) for tasks berth starts itself.
 * - `ReleaseBeforeTaskDefinition`: with `release.before`. `ServiceConnectNamespace`: with Service Connect.
 * - `DatabaseEndpoint` (host:port), `DatabaseSecretArn`: with a database. `CacheEndpoint` (host:port): with a cache.
 * - `AlarmTopicArn`: unless `alarms: false`. `CertificateArn`: with a domain.
 */
import { Aws, CfnMapping, CfnOutput, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import type { JobServiceSpec, ResolvedConfig, ServiceSpec, WebServiceSpec, WorkerServiceSpec } from '../../config/model.js';
import { UsageError } from '../../errors.js';
import {
  awsServiceNames, clusterName, ecsContainerStartPeriod, environmentStackName, IMAGE_CONTEXT_KEY, jobServices, logGroupName, longRunningServices,
  lowestTaskCount, POSTGRES_PORT, PRIMARY_SERVICE_NAME, primaryWebService, REDIS_PORT, releaseBeforeTaskNames, repositoryName, secretName, serviceDiscoveryNamespace, serviceOutputName, switchesTrafficSets,
  webServices,
} from '../../model/index.js';
import { BerthCache } from './cache.js';
import { priceClassFor } from './cloudfront.js';
import { cloudFrontPrefixListId, cloudFrontPrefixLists } from './cloudfront-prefix-lists.js';
import { addEnvironmentCluster, type EnvironmentCluster } from './cluster.js';
import { BerthDatabase } from './database.js';
import { BerthJob } from './job.js';
import { JobTimeouts } from './job-timeouts.js';
import { BerthLoadBalancer, type WebTarget } from './load-balancer.js';
import { BerthNetwork } from './network.js';
import { grantAppPermissions } from './permissions.js';
import { BerthAlarms } from './observability.js';
import { listenerRouting } from './routes.js';
import { BerthScaling, needsScaling } from './scaling.js';
import { BerthService } from './service.js';
import { attachWithAlternateTarget, setSwitchDeployment } from './traffic-switch.js';
import { addTaskDefinition, commandHealthCheck, httpHealthCheck, type TaskImage } from './task-definition.js';
import { AppWiring, type EnvironmentVariableSource } from './wiring.js';

type LongRunningSpec = WebServiceSpec | WorkerServiceSpec;

export interface EnvironmentStackProps extends StackProps {
  readonly config: ResolvedConfig;
  /**
   * The image to run: `<repositoryUri>@sha256:<digest>`.
   * @default - CDK context `berth:image`, else berth.yml's `image`, else the app's repository with a placeholder digest
   */
  readonly image?: string;
  /** The digest used with the app's repository when `image` is not given. */
  readonly placeholderDigest: string;
  /**
   * The first phase of a deploy with `release.before` (docs/aws.md): every service and job keeps running the task
   * definition revision the deployed stack runs (family -> task definition ARN), services not deployed yet are left out, and the
   * new task definitions — the `release.before` task's among them — are registered for the second phase.
   * @default - the release itself: every service runs its new task definition
   */
  readonly prepare?: { deployedTaskDefinitions: Record<string, string> };
}

/** Which construct each CloudFormation resource belongs to, for the plan summary. */
export const CONCERNS = ['network', 'registry', 'service', 'load balancer', 'database', 'cache', 'secrets', 'observability', 'scaling', 'jobs', 'discovery'] as const;
export type Concern = (typeof CONCERNS)[number];

/** What the plan summary says about one service as the stack realizes it. */
export interface RealizedService {
  name: string;
  kind: ServiceSpec['kind'];
  /** ECS service (web, worker) or none (job). */
  ecsService?: string;
  family: string;
  container: string;
  logStreamPrefix: string;
  environment: EnvironmentVariableSource[];
  /** Top-level construct ids of the service's resources (for the per-concern counts). */
  constructIds: string[];
}

/** Whether services reach each other through ECS Service Connect: a web service and at least one other long-running service. */
export function usesServiceConnect(config: Pick<ResolvedConfig, 'services'>): boolean {
  return webServices(config).length > 0 && longRunningServices(config).length > 1;
}

/** Whether the stack carries the outputs that only many services (or `release.before`) need. */
export function hasServiceOutputs(config: Pick<ResolvedConfig, 'services' | 'release'>): boolean {
  return config.services.length > 1 || config.release.before !== undefined;
}

export class EnvironmentStack extends Stack {
  readonly network: BerthNetwork;
  readonly cluster: EnvironmentCluster;
  readonly services = new Map<string, BerthService>();
  readonly jobs = new Map<string, BerthJob>();
  readonly loadBalancer?: BerthLoadBalancer;
  readonly database?: BerthDatabase;
  readonly cache?: BerthCache;
  readonly wiring: AppWiring;
  readonly alarms?: BerthAlarms;
  readonly scaling = new Map<string, BerthScaling>();
  readonly serviceConnect?: servicediscovery.HttpNamespace;
  readonly jobTimeouts?: JobTimeouts;
  /** The task definition `release.before` runs. */
  readonly releaseBefore?: ecs.FargateTaskDefinition;
  /** Every service as realized, in berth.yml's order. */
  readonly realized: RealizedService[] = [];
  private zones: string[] = [];
  private readonly config: ResolvedConfig;
  private readonly securityGroups = new Map<string, ec2.SecurityGroup>();

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
    this.config = config;
    checkRealizable(config);
    // Zones from berth.yml, or the first two of the region as tokens: never a context lookup, even with account and region set.
    this.zones = config.network.zones ?? [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];

    this.network = new BerthNetwork(this, 'Network', {
      ...(config.network.vpcId ? { existingVpcId: config.network.vpcId } : {}),
      availabilityZones: this.zones,
      cidr: config.network.cidr,
      tasks: config.network.tasks,
      dataSubnets: config.database !== null || config.cache !== null,
      ...(config.network.egress !== 'none' ? { egress: config.network.egress } : {}),
    });
    const vpc = this.network.vpc;
    // ECS Exec from private tasks without NAT needs the SSM messages endpoint beside the others.
    if (config.exec && this.network.endpoints.length > 0) {
      this.network.endpoints.push(vpc.addInterfaceEndpoint('SsmMessages', { service: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES, subnets: this.network.taskSubnets, privateDnsEnabled: true }));
    }

    if (config.database) {
      this.database = new BerthDatabase(this, 'Database', { vpc, subnets: this.network.dataSubnets, spec: config.database, production: config.production });
    }
    if (config.cache) this.cache = new BerthCache(this, 'Cache', { vpc, subnets: this.network.dataSubnets, spec: config.cache, label: `${config.app}/${config.env}` });

    this.wiring = new AppWiring(this, 'Wiring', {
      app: config.app,
      env: config.env,
      ...(this.database && config.database ? { database: { construct: this.database, spec: config.database } } : {}),
      ...(this.cache ? { cache: this.cache } : {}),
    });

    const repository = ecr.Repository.fromRepositoryName(this, 'Repository', repositoryName(config.app));
    const fromContext = this.node.tryGetContext(IMAGE_CONTEXT_KEY) as string | undefined;
    const reference = props.image ?? fromContext ?? config.image.image;
    const appImage: TaskImage = reference !== undefined ? { reference } : { repository, digest: props.placeholderDigest };
    const imageOf = (service: ServiceSpec): { image: TaskImage; reference?: string } =>
      service.ownImage && service.image ? { image: { reference: service.image }, reference: service.image } : { image: appImage, ...(reference ? { reference } : {}) };

    const longRunning = longRunningServices(config);
    if (usesServiceConnect(config)) {
      // Cost: the namespace itself is free; Cloud Map bills each registered task (see berth cost).
      this.serviceConnect = new servicediscovery.HttpNamespace(this, 'ServiceConnect', {
        name: serviceDiscoveryNamespace(config.app, config.env),
        description: `berth ${config.app}/${config.env}: services reach each other as http://<service>:<port> (ECS Service Connect)`,
      });
    }

    // The service named web holds the cluster and log group, where single-service stacks had them; without one, a
    // construct of the same id does, so adding a web service later moves nothing.
    const named = config.services.find((service) => service.name === PRIMARY_SERVICE_NAME);
    const host = named && named.kind !== 'job' ? undefined : new Construct(this, awsServiceNames(config.app, config.env, PRIMARY_SERVICE_NAME).constructId);
    let cluster: EnvironmentCluster | undefined = host
      ? addEnvironmentCluster(host, { vpc, clusterName: clusterName(config.app, config.env), logGroupName: logGroupName(config.app, config.env), logRetentionDays: config.logs.retentionDays, production: config.production })
      : undefined;
    const ordered = [...longRunning].sort((a, b) => Number(b.name === PRIMARY_SERVICE_NAME) - Number(a.name === PRIMARY_SERVICE_NAME));
    for (const service of ordered) {
      const created = this.addService(service, imageOf(service), cluster, props.prepare);
      cluster ??= { cluster: created.cluster, logGroup: created.logGroup };
    }
    this.cluster = cluster!;

    this.loadBalancer = this.addLoadBalancer(vpc);
    this.connectServices();
    const jobs = jobServices(config);
    if (jobs.length > 0) {
      this.jobTimeouts = new JobTimeouts(this, 'JobTimeouts', { cluster: this.cluster.cluster, clusterName: clusterName(config.app, config.env) });
      for (const job of jobs) {
        this.addJob(job, imageOf(job).image, host, props.prepare);
      }
    }
    if (config.release.before) this.releaseBefore = this.addReleaseBefore(config.release.before, appImage);
    for (const [serviceName, group] of this.securityGroups) {
      const from = serviceName === PRIMARY_SERVICE_NAME && config.services.length === 1 ? 'from the service' : `from ${serviceName}`;
      if (this.database) this.database.securityGroup.addIngressRule(group, ec2.Port.tcp(POSTGRES_PORT), from);
      if (this.cache) this.cache.securityGroup.addIngressRule(group, ec2.Port.tcp(REDIS_PORT), from);
    }

    if (config.alarms.enabled) {
      this.alarms = new BerthAlarms(this, 'Alarms', {
        app: config.app,
        env: config.env,
        ...(config.alarms.email ? { email: config.alarms.email } : {}),
        latencyP99: config.alarms.latencyP99,
        errorRatePercent: config.alarms.errorRate,
        dashboard: config.alarms.dashboard,
      });
      for (const service of ordered) {
        const created = this.services.get(service.name);
        if (!created || !hasEcsService(created)) continue;
        this.alarms.watchService({
          name: service.name,
          idSuffix: alarmSuffix(created.names.constructId),
          service: created.service,
          clusterName: clusterName(config.app, config.env),
          serviceName: created.names.ecsService,
          containerInsights: config.production,
          minimumTasks: lowestTaskCount(service),
          ...(this.loadBalancer?.targetGroups.has(service.name) ? { targetGroup: this.loadBalancer.targetGroup(service.name) } : {}),
          ...this.alternateTargetGroupOf(service.name),
        });
      }
      if (this.loadBalancer) this.alarms.watchLoadBalancer(this.loadBalancer.loadBalancer);
      if (this.database && config.database) this.alarms.watchDatabase(this.database.instance, config.database);
      if (this.cache) this.alarms.watchCache(this.cache.replicationGroup);
    }
    for (const service of ordered) {
      const created = this.services.get(service.name);
      if (!created || !hasEcsService(created) || !needsScaling(service.count)) continue;
      const group = this.loadBalancer?.targetGroups.get(service.name);
      this.scaling.set(service.name, new BerthScaling(this, `Scaling${alarmSuffix(created.names.constructId)}`, {
        service: created.service,
        count: service.count,
        ...(group ? { targetGroup: group } : {}),
        ...this.alternateTargetGroupOf(service.name),
      }));
    }
    this.addOutputs();
    this.realized.sort((a, b) => config.services.findIndex((s) => s.name === a.name) - config.services.findIndex((s) => s.name === b.name));
  }

  /** The second target group of a blue/green or canary web service, as an optional prop (alarms and scaling watch both). */
  private alternateTargetGroupOf(service: string): { alternateTargetGroup?: elbv2.ApplicationTargetGroup } {
    const alternate = this.loadBalancer?.trafficSwitches.get(service)?.alternateTargetGroup;
    return alternate ? { alternateTargetGroup: alternate } : {};
  }

  private addService(service: LongRunningSpec, image: { image: TaskImage }, cluster: EnvironmentCluster | undefined, prepare: EnvironmentStackProps['prepare']): BerthService {
    const { config } = this;
    const names = awsServiceNames(config.app, config.env, service.name);
    const wiring = this.wiring.forService(config, service);
    const web = service.kind === 'web' ? service : undefined;
    const created = new BerthService(this, names.constructId, {
      vpc: this.network.vpc,
      subnets: this.network.taskSubnets,
      assignPublicIp: this.network.tasksArePublic,
      names,
      ...(cluster ? { cluster } : { clusterProps: { clusterName: clusterName(config.app, config.env), logGroupName: logGroupName(config.app, config.env), logRetentionDays: config.logs.retentionDays, production: config.production } }),
      image: image.image,
      ...(web ? { port: web.port, healthCheck: httpHealthCheck(web.port, web.health) } : {}),
      ...(service.kind === 'worker' && service.health ? { healthCheck: commandHealthCheck({ ...service.health, startPeriod: ecsContainerStartPeriod(service.health) }) } : {}),
      cpu: service.cpu,
      memory: service.memory,
      arch: service.arch,
      // With autoscaling the count is left to the scalable target: a deploy must not reset a scaled-out service to min.
      ...(needsScaling(service.count) ? {} : { desiredCount: service.count.min }),
      environment: wiring.environment,
      secrets: wiring.secrets,
      ...(service.command ? { command: service.command } : {}),
      ...(usesSpot(service, config.production) && service.spotStrategy ? { spot: service.spotStrategy } : {}),
      ...this.imageAccess(service),
      exec: config.exec,
      ...(web?.loadBalancer ? { healthCheckGracePeriod: web.health.gracePeriod } : {}),
      ...(this.serviceConnect ? { serviceConnect: { namespace: this.serviceConnect.namespaceArn, ...(web ? { server: { dnsName: web.name, port: web.port } } : {}) } } : {}),
      ...(switchesTrafficSets(config, service) ? { deployment: setSwitchDeployment(config.deploy) } : {}),
      ...securityGroupDescription(service, this.serviceConnect !== undefined),
    });
    grantAppPermissions(created.taskRole, service);
    if (prepare) this.pinOrOmit(created, prepare);
    this.services.set(service.name, created);
    this.securityGroups.set(service.name, created.securityGroup);
    this.realized.push({ name: service.name, kind: service.kind, ecsService: names.ecsService, family: names.family, container: names.container, logStreamPrefix: names.logStreamPrefix, environment: wiring.sources, constructIds: [names.constructId, `Scaling${alarmSuffix(names.constructId)}`] });
    return created;
  }

  /** How a service's tasks get its image and mount it: registry credentials (a berth secret) and a read-only root filesystem. */
  private imageAccess(service: ServiceSpec): { registryCredentialsSecretName?: string; readonlyRootFilesystem?: boolean } {
    const { config } = this;
    return {
      ...(service.registryCredentials ? { registryCredentialsSecretName: secretName(config.app, config.env, service.registryCredentials) } : {}),
      ...(service.readonlyRootFilesystem ? { readonlyRootFilesystem: true } : {}),
    };
  }

  /** Phase one of a deploy with `release.before`: keep the deployed task definition, or leave out a service not deployed yet. */
  private pinOrOmit(created: BerthService, prepare: NonNullable<EnvironmentStackProps['prepare']>): void {
    const deployed = prepare.deployedTaskDefinitions[created.names.family];
    const cfnService = created.service.node.defaultChild as ecs.CfnService;
    if (deployed) cfnService.taskDefinition = deployed;
    else created.node.tryRemoveChild(created.service.node.id);
  }

  private addLoadBalancer(vpc: ec2.IVpc): BerthLoadBalancer | undefined {
    const { config } = this;
    const web = webServices(config).filter((service) => service.loadBalancer);
    if (web.length === 0) {
      for (const service of webServices(config)) {
        const tasks = this.services.get(service.name)?.securityGroup;
        if (!tasks) continue;
        tasks.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(service.port), 'the container port from the internet (no load balancer)');
        Validations.of(tasks).acknowledge({
          id: 'AwsSolutions-EC23',
          reason: 'Without a load balancer (loadBalancer: false) the task answers the internet directly, on the container port only.',
        });
      }
      return undefined;
    }
    const targets: WebTarget[] = web.map((service) => ({
      service: service.name,
      targetGroupId: `TargetGroup${alarmSuffix(awsServiceNames(config.app, config.env, service.name).constructId)}`,
      port: service.port,
      health: service.health,
      stickySessions: service.stickySessions,
      switchesSets: switchesTrafficSets(config, service),
    }));
    const loadBalancer = new BerthLoadBalancer(this, 'LoadBalancer', {
      vpc,
      subnets: this.network.loadBalancerSubnets,
      targets,
      routing: listenerRouting(config),
      internetFacing: web.some((service) => service.public),
      ...(config.domain ? { domain: config.domain } : {}),
      ...(servesThroughCloudFront(config) ? { cloudFront: { prefixListId: this.cloudFrontPrefixList(), name: this.stackName, priceClass: priceClassFor(config.region) } } : {}),
    });
    for (const service of web) {
      const created = this.services.get(service.name);
      if (!created) continue;
      const target = targets.find((candidate) => candidate.service === service.name)!;
      const rules = loadBalancer.trafficSwitches.get(service.name);
      if (hasEcsService(created) && rules) attachWithAlternateTarget(created, loadBalancer.targetGroup(service.name), rules, service.port, target.targetGroupId);
      else if (hasEcsService(created)) created.service.attachToApplicationTargetGroup(loadBalancer.targetGroup(service.name));
      created.securityGroup.addIngressRule(loadBalancer.securityGroup, ec2.Port.tcp(service.port), 'from the load balancer');
      loadBalancer.securityGroup.addEgressRule(created.securityGroup, ec2.Port.tcp(service.port), 'to the tasks');
    }
    return loadBalancer;
  }

  /** CloudFront's origin-facing prefix list: the region's id, or a mapping over every known region when the stack has none. */
  private cloudFrontPrefixList(): string {
    if (this.config.region) return cloudFrontPrefixListId(this.config.region);
    const mapping = new CfnMapping(this, 'CloudFrontPrefixLists', {
      mapping: Object.fromEntries(Object.entries(cloudFrontPrefixLists().regions).map(([region, id]) => [region, { id }])),
    });
    return mapping.findInMap(Aws.REGION, 'id');
  }

  /** Service Connect: each web service admits the other long-running services on its port. */
  private connectServices(): void {
    if (!this.serviceConnect) return;
    for (const server of webServices(this.config)) {
      const group = this.securityGroups.get(server.name);
      if (!group) continue;
      for (const [client, clientGroup] of this.securityGroups) {
        if (client !== server.name) group.addIngressRule(clientGroup, ec2.Port.tcp(server.port), `from ${client} (Service Connect)`);
      }
    }
  }

  private addJob(job: JobServiceSpec, image: TaskImage, host: Construct | undefined, prepare: EnvironmentStackProps['prepare']): BerthJob {
    const { config } = this;
    const names = awsServiceNames(config.app, config.env, job.name);
    const wiring = this.wiring.forService(config, job);
    // A job named web lives beside the cluster it shares the construct id with.
    const [scope, id] = job.name === PRIMARY_SERVICE_NAME && host ? [host, 'Job'] : [this, names.constructId];
    const created = new BerthJob(scope, id, {
      vpc: this.network.vpc,
      subnets: this.network.taskSubnets,
      assignPublicIp: this.network.tasksArePublic,
      names,
      name: job.name,
      cluster: this.cluster,
      image,
      cpu: job.cpu,
      memory: job.memory,
      arch: job.arch,
      environment: wiring.environment,
      secrets: wiring.secrets,
      ...(job.command ? { command: job.command } : {}),
      schedule: job.schedule,
      timeoutSeconds: job.timeout,
      timeouts: this.jobTimeouts!,
      spot: usesSpot(job, config.production),
      ...this.imageAccess(job),
    });
    grantAppPermissions(created.taskRole, job);
    if (prepare) {
      const deployed = prepare.deployedTaskDefinitions[names.family];
      if (deployed) {
        (created.schedule.node.defaultChild as scheduler.CfnSchedule).addPropertyOverride('Target.EcsParameters.TaskDefinitionArn', deployed);
        created.schedulerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: [deployed] }));
      } else {
        created.node.tryRemoveChild(created.schedule.node.id);
      }
    }
    this.jobs.set(job.name, created);
    this.securityGroups.set(job.name, created.securityGroup);
    this.realized.push({ name: job.name, kind: 'job', family: names.family, container: names.container, logStreamPrefix: names.logStreamPrefix, environment: wiring.sources, constructIds: [id === 'Job' ? names.constructId : id] });
    return created;
  }

  /** The task `release.before` runs: the named service's roles, environment and secrets, the new image, another command. */
  private addReleaseBefore(before: NonNullable<ResolvedConfig['release']['before']>, image: TaskImage): ecs.FargateTaskDefinition {
    const { config } = this;
    const service = config.services.find((candidate) => candidate.name === before.service)!;
    const owner = this.services.get(service.name) ?? this.jobs.get(service.name)!;
    const names = releaseBeforeTaskNames(config.app, config.env);
    // A standalone task is no Service Connect client: it gets the service's environment without the <NAME>_URL variables.
    const wiring = this.wiring.forService(config, service, { serviceUrls: false });
    const scope = new Construct(this, names.constructId);
    const task = addTaskDefinition(scope, {
      family: names.family,
      containerName: names.container,
      logStreamPrefix: names.logStreamPrefix,
      logGroup: this.cluster.logGroup,
      image,
      cpu: service.cpu,
      memory: service.memory,
      arch: service.arch,
      environment: wiring.environment,
      secrets: wiring.secrets,
      command: before.command,
      // The app's image: the service's registry credentials apply when the service runs that image too.
      ...(service.ownImage ? { ...(service.readonlyRootFilesystem ? { readonlyRootFilesystem: true } : {}) } : this.imageAccess(service)),
      roles: { executionRole: owner.executionRole, taskRole: owner.taskRole },
    });
    return task.taskDefinition;
  }

  private addOutputs(): void {
    const { config } = this;
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    const primaryName = primaryWebService(config)?.name;
    const primary = (primaryName ? this.services.get(primaryName) : undefined) ?? [...this.services.values()][0];
    if (this.loadBalancer) {
      output('Url', this.loadBalancer.url, 'where the app answers');
      output('LoadBalancerFullName', this.loadBalancer.loadBalancer.loadBalancerFullName, 'CloudWatch dimension LoadBalancer');
      const [firstService, firstGroup] = this.loadBalancer.targetGroups.has(PRIMARY_SERVICE_NAME)
        ? [PRIMARY_SERVICE_NAME, this.loadBalancer.targetGroup(PRIMARY_SERVICE_NAME)]
        : [...this.loadBalancer.targetGroups.entries()].find(([service]) => service === primaryName) ?? [...this.loadBalancer.targetGroups.entries()][0]!;
      output('TargetGroupArn', firstGroup.targetGroupArn, 'target health');
      output('TargetGroupFullName', firstGroup.targetGroupFullName, 'CloudWatch dimension TargetGroup');
      for (const [service, group] of this.loadBalancer.targetGroups) {
        if (service === firstService) continue;
        output(serviceOutputName(config.app, config.env, service, 'TargetGroupArn'), group.targetGroupArn, `target health of ${service}`);
        output(serviceOutputName(config.app, config.env, service, 'TargetGroupFullName'), group.targetGroupFullName, `CloudWatch dimension TargetGroup of ${service}`);
      }
      for (const [service, rules] of this.loadBalancer.trafficSwitches) {
        output(serviceOutputName(config.app, config.env, service, 'AlternateTargetGroupArn'), rules.alternateTargetGroup.targetGroupArn, `the second target group of ${service} (blue/green, canary)`);
      }
      if (this.loadBalancer.certificate) output('CertificateArn', this.loadBalancer.certificate.certificateArn, 'the ACM certificate of the domain');
    }
    output('LogGroupName', this.cluster.logGroup.logGroupName, 'the app logs');
    output('ClusterName', this.cluster.cluster.clusterName, 'ECS cluster');
    if (primary) {
      output('ServiceName', primary.service.serviceName, 'ECS service');
      output('TaskDefinitionFamily', primary.taskDefinition.family, 'task definition family (one revision per release)');
    }
    if (hasServiceOutputs(config)) {
      for (const [service, group] of this.securityGroups) {
        output(serviceOutputName(config.app, config.env, service, 'SecurityGroupId'), group.securityGroupId, `security group of ${service}'s tasks`);
      }
      output('TaskSubnets', Fn.join(',', this.network.vpc.selectSubnets(this.network.taskSubnets).subnetIds), 'subnets of tasks berth starts itself (release.before, berth run)');
      output('TaskAssignPublicIp', this.network.tasksArePublic ? 'ENABLED' : 'DISABLED', 'whether such tasks get a public IP');
    }
    if (this.releaseBefore) output('ReleaseBeforeTaskDefinition', this.releaseBefore.taskDefinitionArn, 'the task release.before runs (this release\'s image)');
    if (this.serviceConnect) output('ServiceConnectNamespace', this.serviceConnect.namespaceName, 'Cloud Map namespace of Service Connect');
    if (this.database) {
      output('DatabaseEndpoint', Fn.join(':', [this.database.instance.dbInstanceEndpointAddress, this.database.instance.dbInstanceEndpointPort]), 'PostgreSQL host:port (VPC only)');
      output('DatabaseSecretArn', this.database.secret.secretArn, 'generated credentials (JSON)');
    }
    if (this.cache) output('CacheEndpoint', Fn.join(':', [this.cache.endpoint, this.cache.replicationGroup.attrPrimaryEndPointPort]), 'Redis host:port (VPC only, TLS)');
    if (this.alarms) output('AlarmTopicArn', this.alarms.topic.topicArn, 'SNS topic alarms notify');
  }
}

/**
 * Whether a service's tasks may run on Fargate Spot: outside production when it asks for Spot; in production only for
 * a web or worker service that keeps an on-demand base (`spot: { base: 1 }` or more; config validation says so).
 */
export function usesSpot(service: Pick<ServiceSpec, 'kind' | 'spot' | 'spotStrategy'>, production: boolean): boolean {
  if (!service.spot) return false;
  return !production || (service.kind !== 'job' && (service.spotStrategy?.base ?? 0) > 0);
}

/**
 * What a service's security group admits, in its description. The service named web keeps the single-service wording
 * (BerthService's default) where it is behind the load balancer, so that group is not replaced.
 */
function securityGroupDescription(service: LongRunningSpec, serviceConnect: boolean): { securityGroupDescription?: string } {
  const others = serviceConnect ? ' and the other services' : '';
  if (service.kind === 'web' && !service.loadBalancer) return { securityGroupDescription: `tasks${service.name === PRIMARY_SERVICE_NAME ? '' : ` of ${service.name}`}: port ${service.port} from the internet (no load balancer)${others}` };
  if (service.name === PRIMARY_SERVICE_NAME && service.kind === 'web') return {};
  if (service.kind === 'web') return { securityGroupDescription: `tasks of ${service.name}: port ${service.port} from the load balancer${others}` };
  return { securityGroupDescription: `tasks${service.name === PRIMARY_SERVICE_NAME ? '' : ` of ${service.name}`}: no inbound traffic` };
}

/**
 * Whether the environment serves https:// through CloudFront: no domain, `https` not turned off, and a public load balancer.
 */
export function servesThroughCloudFront(config: Pick<ResolvedConfig, 'domain' | 'https' | 'services'>): boolean {
  const web = webServices(config).filter((service) => service.loadBalancer);
  return !config.domain && config.https && web.length > 0 && web.some((service) => service.public);
}

/** A service left out of the first phase of a release (not deployed yet) has no ECS service. */
function hasEcsService(created: BerthService): boolean {
  return created.node.tryFindChild(created.service.node.id) !== undefined;
}

/** '' for the service named web (construct id `Service`), `Api` for `ServiceApi`: the suffix of its other construct ids. */
function alarmSuffix(constructId: string): string {
  return constructId.replace(/^Service/, '');
}

/** What one load balancer and one set of names cannot express, refused before synthesis with the fix. */
function checkRealizable(config: ResolvedConfig): void {
  const web = webServices(config).filter((service) => service.loadBalancer);
  const publics = new Set(web.map((service) => service.public));
  if (publics.size > 1) {
    const internal = web.filter((service) => !service.public).map((service) => service.name);
    throw new UsageError(
      `${config.file}: services.${internal[0]}.public: false, but the web services share one load balancer, and ${web.filter((service) => service.public).map((service) => service.name).join(', ')} ${web.filter((service) => service.public).length === 1 ? 'is' : 'are'} public`,
      'give every web service the same `public` setting (a public load balancer, or an internal one for all of them)',
    );
  }
  const before = releaseBeforeTaskNames(config.app, config.env).family;
  const clash = config.services.find((service) => awsServiceNames(config.app, config.env, service.name).family === before);
  if (clash) throw new UsageError(`${config.file}: services.${clash.name}: its AWS task family ${before} is the one berth uses for release.before`, 'rename the service');
}
