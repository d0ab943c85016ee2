/**
 * The architecture diagram of an AWS environment, read from its synthesized CloudFormation templates (not from
 * berth.yml, so the picture shows what would really be created) and priced with `berth cost`'s lines: every
 * line lands on exactly one node, so the nodes' prices add up to the cost total. Pure: templates in, data out.
 */
import type { CostEstimate, MonthlyRange, PriceLine } from '../cost/price-template.js';
import { cents } from '../cost/price-template.js';
import type { LocatedResource, StackTemplate } from '../cost/template.js';
import {
  arrayValue, booleanValue, displayName, isRecord, numberValue, pathValue, referencedId, referencedIds, resourcesOf, stringValue,
} from '../cost/template.js';
import type { Diagram, DiagramConcern, DiagramEdge, DiagramEdgeKind, DiagramGroup, DiagramNode, DiagramNodeKind } from './diagram.js';

export interface AwsDiagramInput {
  app: string;
  env: string;
  /** The registry and environment stacks as synthesized. */
  templates: readonly StackTemplate[];
  /** `berth cost`'s estimate of the same templates; without it the nodes carry no price. */
  estimate?: CostEstimate;
}

type Tier = 'public' | 'private' | 'isolated';

const TIER_LABEL: Record<Tier, string> = {
  public: 'public subnets',
  private: 'private subnets (egress through NAT)',
  isolated: 'isolated subnets (no internet)',
};

/** Which concern a resource type's cost belongs to, for lines that no main node owns. */
function concernOfType(type: string): DiagramConcern {
  if (type.startsWith('AWS::ECS::') || type.startsWith('AWS::ApplicationAutoScaling::')) return 'service';
  if (type.startsWith('AWS::ElasticLoadBalancingV2::') || type.startsWith('AWS::CertificateManager::') || type.startsWith('AWS::CloudFront::')) return 'load balancer';
  if (type.startsWith('AWS::RDS::')) return 'database';
  if (type.startsWith('AWS::ElastiCache::')) return 'cache';
  if (type.startsWith('AWS::EC2::') || type.startsWith('AWS::Route53::')) return 'network';
  if (type.startsWith('AWS::SecretsManager::') || type.startsWith('AWS::KMS::') || type.startsWith('AWS::SSM::')) return 'secrets';
  if (type.startsWith('AWS::Logs::') || type.startsWith('AWS::CloudWatch::') || type.startsWith('AWS::SNS::')) return 'observability';
  if (type.startsWith('AWS::ECR::')) return 'registry';
  if (type === 'usage') return 'data transfer';
  return 'other';
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
}

/** The last literal piece of a joined name such as com.amazonaws.<region>.ecr.api -> "ecr.api". */
function endpointService(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const match = /com\.amazonaws\.(?:[^."]+|"\s*,\s*\{[^}]*\}\s*,\s*")\.?([a-z0-9.-]+)/.exec(text) ?? /\.([a-z0-9-]+(?:\.[a-z0-9-]+)?)"?\]*\}*$/.exec(text);
  return match?.[1] ?? 'service';
}

function portsLabel(rule: Record<string, unknown>): string {
  const protocol = String(rule.IpProtocol ?? 'tcp');
  if (protocol === '-1') return 'all traffic';
  const from = numberValue(rule.FromPort);
  const to = numberValue(rule.ToPort);
  if (from === undefined) return protocol;
  return to === undefined || to === from ? `${protocol} ${from}` : `${protocol} ${from}–${to}`;
}

function sumPrices(prices: DiagramNode['prices']): MonthlyRange {
  return {
    min: cents(prices.reduce((sum, line) => sum + line.monthly.min, 0)),
    max: cents(prices.reduce((sum, line) => sum + line.monthly.max, 0)),
  };
}

class DiagramBuilder {
  readonly nodes = new Map<string, DiagramNode>();
  readonly groups = new Map<string, DiagramGroup>();
  private readonly edges = new Map<string, DiagramEdge>();
  /** `stack/logicalId` -> node id: who pays for the resource. */
  readonly owner = new Map<string, string>();
  readonly all: LocatedResource[];
  private readonly byKey: Map<string, LocatedResource>;

  constructor(templates: readonly StackTemplate[]) {
    this.all = resourcesOf(templates).filter(({ resource }) => resource.Type !== 'AWS::CDK::Metadata');
    this.byKey = new Map(this.all.map((located) => [key(located), located]));
  }

  ofType(type: string): LocatedResource[] {
    return this.all.filter(({ resource }) => resource.Type === type);
  }

  lookup(stack: string, value: unknown): LocatedResource | undefined {
    const id = referencedId(value);
    return id ? this.byKey.get(`${stack}/${id}`) : undefined;
  }

  /** Resources of `type` in `stack` whose property `property` references `target`. */
  referencing(type: string, stack: string, property: readonly string[], target: LocatedResource): LocatedResource[] {
    return this.ofType(type).filter((located) => located.stack === stack && referencedIds(pathValue(located.resource.Properties, property)).has(target.logicalId) && target.stack === stack);
  }

  addNode(node: Omit<DiagramNode, 'prices' | 'side'> & { side?: boolean }, owns: readonly (LocatedResource | undefined)[] = []): DiagramNode {
    const existing = this.nodes.get(node.id);
    const made = existing ?? { ...node, side: node.side ?? false, prices: [] };
    if (!existing) this.nodes.set(node.id, made);
    for (const located of owns) if (located && !this.owner.has(key(located))) this.owner.set(key(located), made.id);
    return made;
  }

  addGroup(group: DiagramGroup): void {
    if (!this.groups.has(group.id)) this.groups.set(group.id, group);
  }

  addEdge(from: string, to: string, label: string, kind: DiagramEdgeKind): void {
    if (from === to) return;
    const id = `${from}|${to}|${kind}`;
    const existing = this.edges.get(id);
    if (!existing) {
      this.edges.set(id, { from, to, label, kind });
      return;
    }
    const labels = existing.label.split(', ');
    if (labels.includes(label)) return;
    // "tcp 80" + "tcp 443" -> "tcp 80, 443"
    const [protocol] = label.split(' ');
    const sameProtocol = labels.every((item) => item.split(' ')[0] === protocol) && /^\S+ \d/.test(label);
    existing.label = sameProtocol ? `${existing.label}, ${label.slice(protocol!.length + 1)}` : `${existing.label}, ${label}`;
  }

  edgeList(): DiagramEdge[] {
    return [...this.edges.values()];
  }
}

function key(located: LocatedResource): string {
  return `${located.stack}/${located.logicalId}`;
}

/** Subnet tiers: public (route to an internet gateway), private (route to a NAT gateway), isolated (neither). */
function subnetGroups(builder: DiagramBuilder): Map<string, string> {
  const groupOfSubnet = new Map<string, string>();
  const tierOfRouteTable = new Map<string, Tier>();
  for (const route of builder.ofType('AWS::EC2::Route')) {
    const table = builder.lookup(route.stack, route.resource.Properties?.RouteTableId);
    if (!table) continue;
    const props = route.resource.Properties ?? {};
    const gateway = builder.lookup(route.stack, props.GatewayId);
    const tier: Tier | undefined = gateway?.resource.Type === 'AWS::EC2::InternetGateway' ? 'public' : props.NatGatewayId !== undefined ? 'private' : undefined;
    if (!tier) continue;
    const was = tierOfRouteTable.get(key(table));
    if (was !== 'public') tierOfRouteTable.set(key(table), tier);
  }
  const tierOfSubnet = new Map<string, Tier>();
  for (const association of builder.ofType('AWS::EC2::SubnetRouteTableAssociation')) {
    const subnet = builder.lookup(association.stack, association.resource.Properties?.SubnetId);
    const table = builder.lookup(association.stack, association.resource.Properties?.RouteTableId);
    if (subnet && table) tierOfSubnet.set(key(subnet), tierOfRouteTable.get(key(table)) ?? 'isolated');
  }
  const subnets = builder.ofType('AWS::EC2::Subnet');
  for (const vpc of builder.ofType('AWS::EC2::VPC')) {
    const cidr = stringValue(vpc.resource.Properties?.CidrBlock);
    const vpcGroup = `vpc:${displayName(vpc)}`;
    builder.addGroup({ id: vpcGroup, label: cidr ? `VPC ${cidr}` : 'VPC' });
    const inVpc = subnets.filter((subnet) => subnet.stack === vpc.stack && referencedId(subnet.resource.Properties?.VpcId) === vpc.logicalId);
    for (const tier of ['public', 'private', 'isolated'] as const) {
      const members = inVpc.filter((subnet) => (tierOfSubnet.get(key(subnet)) ?? (booleanValue(subnet.resource.Properties?.MapPublicIpOnLaunch) ? 'public' : 'isolated')) === tier);
      if (members.length === 0) continue;
      const zones = new Set(members.map((subnet) => JSON.stringify(subnet.resource.Properties?.AvailabilityZone ?? subnet.logicalId))).size;
      const id = `subnets:${tier}:${displayName(vpc)}`;
      builder.addGroup({ id, label: `${TIER_LABEL[tier]}, ${plural(zones, 'AZ')}`, parent: vpcGroup });
      for (const subnet of members) groupOfSubnet.set(key(subnet), id);
    }
    // Resources with no subnet of their own (a VPC id only) sit in the VPC group.
    groupOfSubnet.set(key(vpc), vpcGroup);
  }
  return groupOfSubnet;
}

/** The group of the first subnet referenced by a value (a list of Refs), if any. */
function groupOf(builder: DiagramBuilder, groups: Map<string, string>, stack: string, subnets: unknown): string | undefined {
  for (const id of referencedIds(subnets)) {
    const group = groups.get(`${stack}/${id}`);
    if (group) return group;
  }
  return undefined;
}

function taskCountText(builder: DiagramBuilder, service: LocatedResource): string {
  const scalable = builder.ofType('AWS::ApplicationAutoScaling::ScalableTarget').find((located) =>
    located.stack === service.stack && referencedIds(located.resource.Properties?.ResourceId).has(service.logicalId));
  const desired = numberValue(service.resource.Properties?.DesiredCount) ?? 1;
  if (!scalable) return plural(desired, 'task');
  const props = scalable.resource.Properties ?? {};
  const min = numberValue(props.MinCapacity) ?? desired;
  const max = numberValue(props.MaxCapacity) ?? desired;
  const policy = builder.referencing('AWS::ApplicationAutoScaling::ScalingPolicy', service.stack, ['ScalingTargetId'], scalable)[0];
  const target = numberValue(pathValue(policy?.resource.Properties, ['TargetTrackingScalingPolicyConfiguration', 'TargetValue']));
  const metric = stringValue(pathValue(policy?.resource.Properties, ['TargetTrackingScalingPolicyConfiguration', 'PredefinedMetricSpecification', 'PredefinedMetricType'])) ?? '';
  const scheduled = arrayValue(props.ScheduledActions).length;
  const count = min === max ? plural(min, 'task') : `${min}–${max} tasks`;
  const scaling = target !== undefined ? `, scales at ${number(target)}% ${/Memory/.test(metric) ? 'memory' : /Request/.test(metric) ? 'requests' : 'CPU'}` : '';
  return `${count}${scaling}${scheduled ? `, ${plural(scheduled, 'scheduled change')}` : ''}`;
}

function addServices(builder: DiagramBuilder, groups: Map<string, string>): void {
  for (const service of builder.ofType('AWS::ECS::Service')) {
    const props = service.resource.Properties ?? {};
    const taskDefinition = builder.lookup(service.stack, props.TaskDefinition);
    const td = taskDefinition?.resource.Properties ?? {};
    const detail: string[] = [];
    const serviceName = stringValue(props.ServiceName);
    if (serviceName) detail.push(serviceName);
    detail.push(taskCountText(builder, service));
    const cpu = numberValue(td.Cpu);
    const memory = numberValue(td.Memory);
    if (cpu !== undefined && memory !== undefined) {
      const arch = stringValue(pathValue(td, ['RuntimePlatform', 'CpuArchitecture'])) === 'ARM64' ? 'arm64' : 'x86_64';
      detail.push(`${number(cpu / 1024)} vCPU · ${number(memory / 1024)} GB · ${arch}`);
    }
    if (arrayValue(props.CapacityProviderStrategy).some((entry) => isRecord(entry) && entry.CapacityProvider === 'FARGATE_SPOT')) detail.push('Fargate Spot');
    const ports = arrayValue(td.ContainerDefinitions).flatMap((container) => arrayValue(pathValue(container, ['PortMappings'])).map((mapping) => numberValue(pathValue(mapping, ['ContainerPort']))));
    const port = ports.find((value) => value !== undefined);
    if (port !== undefined) detail.push(`container port ${port}`);
    if (pathValue(props, ['NetworkConfiguration', 'AwsvpcConfiguration', 'AssignPublicIp']) === 'ENABLED') detail.push('public IP per task');
    const scalable = builder.ofType('AWS::ApplicationAutoScaling::ScalableTarget').filter((located) =>
      located.stack === service.stack && referencedIds(located.resource.Properties?.ResourceId).has(service.logicalId));
    const policies = scalable.flatMap((target) => builder.referencing('AWS::ApplicationAutoScaling::ScalingPolicy', service.stack, ['ScalingTargetId'], target));
    const cluster = builder.lookup(service.stack, props.Cluster);
    const associations = cluster ? builder.referencing('AWS::ECS::ClusterCapacityProviderAssociations', service.stack, ['Cluster'], cluster) : [];
    const group = groupOf(builder, groups, service.stack, pathValue(props, ['NetworkConfiguration', 'AwsvpcConfiguration', 'Subnets']));
    builder.addNode({
      id: `service:${displayName(service)}`,
      kind: 'service',
      label: displayName(service),
      detail,
      ...(group ? { group } : {}),
      concern: 'service',
    }, [service, taskDefinition, ...scalable, ...policies, cluster, ...associations]);
  }
}

function addLoadBalancers(builder: DiagramBuilder, groups: Map<string, string>): DiagramNode[] {
  return builder.ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').map((balancer) => {
    const props = balancer.resource.Properties ?? {};
    const listeners = builder.referencing('AWS::ElasticLoadBalancingV2::Listener', balancer.stack, ['LoadBalancerArn'], balancer);
    const listenerText = listeners.map((listener) => `${stringValue(listener.resource.Properties?.Protocol) ?? ''} ${numberValue(listener.resource.Properties?.Port) ?? ''}`.trim()).sort();
    const rules = listeners.flatMap((listener) => builder.referencing('AWS::ElasticLoadBalancingV2::ListenerRule', balancer.stack, ['ListenerArn'], listener));
    const certificates = listeners.flatMap((listener) => builder.referencing('AWS::ElasticLoadBalancingV2::ListenerCertificate', balancer.stack, ['ListenerArn'], listener));
    const targetGroups = [...listeners, ...rules].flatMap((item) => [...referencedIds(item.resource.Properties)].map((id) => builder.lookup(item.stack, { Ref: id })))
      .filter((located): located is LocatedResource => located?.resource.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup');
    const scheme = stringValue(props.Scheme) ?? 'internet-facing';
    const type = stringValue(props.Type) ?? 'application';
    const group = groupOf(builder, groups, balancer.stack, props.Subnets ?? props.SubnetMappings);
    return builder.addNode({
      id: `load-balancer:${displayName(balancer)}`,
      kind: 'load-balancer',
      label: displayName(balancer),
      detail: [`${type === 'application' ? 'Application Load Balancer' : `${type} load balancer`}, ${scheme}`, ...(listenerText.length ? [`listeners: ${listenerText.join(', ')}`] : [])],
      ...(group ? { group } : {}),
      concern: 'load balancer',
    }, [balancer, ...listeners, ...rules, ...certificates, ...targetGroups]);
  });
}

/**
 * CloudFront in front of the load balancer (HTTPS without a domain): one node per distribution, reached from the
 * Internet over HTTPS. Its path to the load balancer is the ingress rule from CloudFront's prefix list.
 */
function addDistributions(builder: DiagramBuilder): DiagramNode[] {
  return builder.ofType('AWS::CloudFront::Distribution').map((distribution) => {
    const policies = [
      ...builder.ofType('AWS::CloudFront::OriginRequestPolicy'),
      ...builder.ofType('AWS::CloudFront::CachePolicy'),
      ...builder.ofType('AWS::CloudFront::ResponseHeadersPolicy'),
    ].filter((located) => located.stack === distribution.stack);
    const node = builder.addNode({
      id: `cdn:${displayName(distribution)}`,
      kind: 'cdn',
      label: 'CloudFront',
      detail: ['https://<id>.cloudfront.net', 'caching off, every method and header forwarded'],
      concern: 'load balancer',
    }, [distribution, ...policies]);
    builder.addEdge(internetNode(builder).id, node.id, 'https 443', 'traffic');
    return node;
  });
}

function addDataStores(builder: DiagramBuilder, groups: Map<string, string>): DiagramNode[] {
  const made: DiagramNode[] = [];
  for (const instance of builder.ofType('AWS::RDS::DBInstance')) {
    const props = instance.resource.Properties ?? {};
    const subnetGroup = builder.lookup(instance.stack, props.DBSubnetGroupName);
    const parameterGroup = builder.lookup(instance.stack, props.DBParameterGroupName);
    const group = groupOf(builder, groups, instance.stack, subnetGroup?.resource.Properties?.SubnetIds);
    const engine = [stringValue(props.Engine) ?? 'database', stringValue(props.EngineVersion)].filter(Boolean).join(' ');
    const storage = numberValue(props.AllocatedStorage);
    made.push(builder.addNode({
      id: `database:${displayName(instance)}`,
      kind: 'database',
      label: displayName(instance),
      detail: [
        `${engine} · ${stringValue(props.DBInstanceClass) ?? ''}`,
        [storage !== undefined ? `${storage} GB ${stringValue(props.StorageType) ?? 'gp2'}` : '', booleanValue(props.MultiAZ) ? 'Multi-AZ' : 'single AZ'].filter(Boolean).join(' · '),
        `port ${numberValue(props.Port) ?? 5432}`,
      ],
      ...(group ? { group } : {}),
      concern: 'database',
    }, [instance, subnetGroup, parameterGroup]));
  }
  const caches = [
    ...builder.ofType('AWS::ElastiCache::ReplicationGroup'),
    ...builder.ofType('AWS::ElastiCache::CacheCluster').filter((cluster) => cluster.resource.Properties?.ReplicationGroupId === undefined),
  ];
  for (const cache of caches) {
    const props = cache.resource.Properties ?? {};
    const subnetGroup = builder.lookup(cache.stack, props.CacheSubnetGroupName);
    const group = groupOf(builder, groups, cache.stack, subnetGroup?.resource.Properties?.SubnetIds);
    const nodes = numberValue(props.NumCacheClusters) ?? numberValue(props.NumCacheNodes) ?? 1;
    const engine = [stringValue(props.Engine) ?? 'cache', stringValue(props.EngineVersion)].filter(Boolean).join(' ');
    made.push(builder.addNode({
      id: `cache:${displayName(cache)}`,
      kind: 'cache',
      label: displayName(cache),
      detail: [
        `${engine} · ${stringValue(props.CacheNodeType) ?? ''} × ${nodes}`,
        booleanValue(props.TransitEncryptionEnabled) ? 'TLS in transit' : 'no TLS',
        `port ${numberValue(props.Port) ?? 6379}`,
      ],
      ...(group ? { group } : {}),
      concern: 'cache',
    }, [cache, subnetGroup]));
  }
  return made;
}

function addNetworkNodes(builder: DiagramBuilder, groups: Map<string, string>): { nats: DiagramNode[]; endpoints?: DiagramNode } {
  const nats = builder.ofType('AWS::EC2::NatGateway').map((nat) => {
    const props = nat.resource.Properties ?? {};
    const eip = builder.lookup(nat.stack, props.AllocationId);
    const group = groupOf(builder, groups, nat.stack, [props.SubnetId]);
    return builder.addNode({
      id: `nat:${displayName(nat)}`,
      kind: 'nat',
      label: displayName(nat),
      detail: ['NAT gateway', ...(eip ? ['1 Elastic IP'] : [])],
      ...(group ? { group } : {}),
      concern: 'network',
    }, [nat, eip]);
  });
  const endpoints = builder.ofType('AWS::EC2::VPCEndpoint');
  if (endpoints.length === 0) return { nats };
  const services = endpoints.map((endpoint) => {
    const type = stringValue(endpoint.resource.Properties?.VpcEndpointType) ?? 'Gateway';
    return `${endpointService(endpoint.resource.Properties?.ServiceName)}${type === 'Gateway' ? ' (gateway, free)' : ''}`;
  });
  const interfaceEndpoint = endpoints.find((endpoint) => endpoint.resource.Properties?.SubnetIds !== undefined);
  const vpc = builder.lookup(endpoints[0]!.stack, endpoints[0]!.resource.Properties?.VpcId);
  const group = (interfaceEndpoint ? groupOf(builder, groups, interfaceEndpoint.stack, interfaceEndpoint.resource.Properties?.SubnetIds) : undefined)
    ?? (vpc ? groups.get(key(vpc)) : undefined);
  const node = builder.addNode({
    id: 'endpoints',
    kind: 'endpoints',
    label: 'VPC endpoints',
    detail: [services.join(', ')],
    ...(group ? { group } : {}),
    concern: 'network',
  }, endpoints);
  return { nats, endpoints: node };
}

/** Secrets, logs, alarms and the registry: beside the flow, each with its price. */
function addSideNodes(builder: DiagramBuilder, estimate: CostEstimate | undefined): { secrets?: DiagramNode; logs: Map<string, DiagramNode>; alarms?: DiagramNode; registries: DiagramNode[] } {
  const secretResources = builder.ofType('AWS::SecretsManager::Secret');
  const attachments = builder.ofType('AWS::SecretsManager::SecretTargetAttachment');
  const external = (estimate?.items ?? []).filter((line) => line.type === 'AWS::SecretsManager::Secret' && !line.logicalId).map((line) => line.resource.replace(/^secret /, ''));
  const injected = builder.ofType('AWS::ECS::TaskDefinition').some((td) => arrayValue(td.resource.Properties?.ContainerDefinitions).some((container) => arrayValue(pathValue(container, ['Secrets'])).length > 0));
  let secrets: DiagramNode | undefined;
  if (secretResources.length > 0 || external.length > 0 || injected) {
    const names = [...secretResources.map((secret) => displayName(secret)), ...external];
    secrets = builder.addNode({
      id: 'secrets',
      kind: 'secrets',
      label: 'Secrets Manager',
      detail: [names.length ? `${plural(names.length, 'secret')}: ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}` : 'secrets injected by name'],
      concern: 'secrets',
      side: true,
    }, [...secretResources, ...attachments]);
  }
  const logs = new Map<string, DiagramNode>();
  for (const group of builder.ofType('AWS::Logs::LogGroup')) {
    const retention = numberValue(group.resource.Properties?.RetentionInDays);
    const name = stringValue(group.resource.Properties?.LogGroupName);
    logs.set(key(group), builder.addNode({
      id: `logs:${displayName(group)}`,
      kind: 'logs',
      label: displayName(group),
      detail: [...(name ? [name] : []), retention === undefined ? 'CloudWatch Logs, kept forever' : `CloudWatch Logs, ${retention}-day retention`],
      concern: 'observability',
      side: true,
    }, [group]));
  }
  const alarmResources = [
    ...builder.ofType('AWS::CloudWatch::Alarm'),
    ...builder.ofType('AWS::CloudWatch::Dashboard'),
    ...builder.ofType('AWS::SNS::Topic'),
    ...builder.ofType('AWS::SNS::TopicPolicy'),
    ...builder.ofType('AWS::SNS::Subscription'),
  ];
  let alarms: DiagramNode | undefined;
  if (alarmResources.length > 0) {
    const count = builder.ofType('AWS::CloudWatch::Alarm').length;
    const emails = builder.ofType('AWS::SNS::Subscription').filter((sub) => sub.resource.Properties?.Protocol === 'email').map((sub) => stringValue(sub.resource.Properties?.Endpoint)).filter((email): email is string => Boolean(email));
    alarms = builder.addNode({
      id: 'alarms',
      kind: 'alarms',
      label: 'Alarms',
      detail: [plural(count, 'CloudWatch alarm'), ...(builder.ofType('AWS::CloudWatch::Dashboard').length ? ['dashboard'] : []), emails.length ? `notify ${emails.join(', ')}` : 'SNS topic, no subscriber'],
      concern: 'observability',
      side: true,
    }, alarmResources);
  }
  const registries = builder.ofType('AWS::ECR::Repository').map((repository) => builder.addNode({
    id: `registry:${displayName(repository)}`,
    kind: 'registry',
    label: displayName(repository),
    detail: [`ECR ${stringValue(repository.resource.Properties?.RepositoryName) ?? 'repository'}`, 'shared by the app\'s environments'],
    concern: 'registry',
    side: true,
  }, [repository]));
  return { ...(secrets ? { secrets } : {}), logs, ...(alarms ? { alarms } : {}), registries };
}

function internetNode(builder: DiagramBuilder): DiagramNode {
  return builder.addNode({ id: 'internet', kind: 'internet', label: 'Internet', detail: ['users and outside APIs'], concern: 'data transfer' });
}

/** Security groups -> the nodes that wear them. */
function securityGroupOwners(builder: DiagramBuilder): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  const wear = (located: LocatedResource, groupsValue: unknown) => {
    const nodeId = builder.owner.get(key(located));
    if (!nodeId) return;
    for (const id of referencedIds(groupsValue)) {
      const list = owners.get(`${located.stack}/${id}`) ?? [];
      if (!list.includes(nodeId)) list.push(nodeId);
      owners.set(`${located.stack}/${id}`, list);
    }
  };
  for (const located of builder.all) {
    const props = located.resource.Properties ?? {};
    switch (located.resource.Type) {
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer': wear(located, props.SecurityGroups); break;
      case 'AWS::ECS::Service': wear(located, pathValue(props, ['NetworkConfiguration', 'AwsvpcConfiguration', 'SecurityGroups'])); break;
      case 'AWS::RDS::DBInstance': wear(located, props.VPCSecurityGroups); break;
      case 'AWS::ElastiCache::ReplicationGroup':
      case 'AWS::ElastiCache::CacheCluster': wear(located, props.SecurityGroupIds ?? props.VpcSecurityGroupIds); break;
      case 'AWS::EC2::VPCEndpoint': wear(located, props.SecurityGroupIds); break;
      default: break;
    }
  }
  return owners;
}

const WORLD = new Set(['0.0.0.0/0', '::/0']);

function addSecurityGroupEdges(builder: DiagramBuilder): void {
  const owners = securityGroupOwners(builder);
  const rules: Array<{ stack: string; target: string; rule: Record<string, unknown> }> = [];
  for (const group of builder.ofType('AWS::EC2::SecurityGroup')) {
    for (const rule of arrayValue(group.resource.Properties?.SecurityGroupIngress)) if (isRecord(rule)) rules.push({ stack: group.stack, target: group.logicalId, rule });
  }
  for (const ingress of builder.ofType('AWS::EC2::SecurityGroupIngress')) {
    const target = referencedId(ingress.resource.Properties?.GroupId);
    if (target) rules.push({ stack: ingress.stack, target, rule: ingress.resource.Properties ?? {} });
  }
  for (const { stack, target, rule } of rules) {
    const targets = owners.get(`${stack}/${target}`) ?? [];
    if (targets.length === 0) continue;
    const label = portsLabel(rule);
    let sources: string[] = [];
    const sourceGroup = referencedId(rule.SourceSecurityGroupId);
    const cidr = stringValue(rule.CidrIp) ?? stringValue(rule.CidrIpv6);
    if (sourceGroup) sources = owners.get(`${stack}/${sourceGroup}`) ?? [];
    else if (cidr !== undefined && WORLD.has(cidr)) sources = [internetNode(builder).id];
    else if (rule.SourcePrefixListId !== undefined && [...builder.nodes.values()].some((node) => node.kind === 'cdn')) {
      // CloudFront's origin-facing prefix list: only the distribution reaches the load balancer.
      sources = [...builder.nodes.values()].filter((node) => node.kind === 'cdn').map((node) => node.id);
    }
    else if (rule.CidrIp !== undefined || rule.CidrIpv6 !== undefined) {
      // A VPC-wide rule: the endpoints answer whatever runs in the VPC (drawn as egress below); anything else gets "clients in the VPC".
      if (targets.every((id) => builder.nodes.get(id)?.kind === 'endpoints')) continue;
      const vpcGroup = targets.map((id) => builder.nodes.get(id)?.group).map((group) => (group ? builderGroupRoot(builder, group) : undefined)).find(Boolean);
      const clients = builder.addNode({ id: 'clients', kind: 'clients', label: 'Clients in the VPC', detail: [cidr ?? 'the VPC\'s address range'], ...(vpcGroup ? { group: vpcGroup } : {}), concern: 'network' });
      sources = [clients.id];
    }
    for (const from of sources) for (const to of targets) builder.addEdge(from, to, label, 'traffic');
  }
}

function builderGroupRoot(builder: DiagramBuilder, group: string): string {
  let current = builder.groups.get(group);
  while (current?.parent) current = builder.groups.get(current.parent);
  return current?.id ?? group;
}

function addEgressAndUses(builder: DiagramBuilder, network: { nats: DiagramNode[]; endpoints?: DiagramNode }, side: ReturnType<typeof addSideNodes>): void {
  for (const service of builder.ofType('AWS::ECS::Service')) {
    const nodeId = builder.owner.get(key(service));
    if (!nodeId) continue;
    const props = service.resource.Properties ?? {};
    if (pathValue(props, ['NetworkConfiguration', 'AwsvpcConfiguration', 'AssignPublicIp']) === 'ENABLED') {
      builder.addEdge(nodeId, internetNode(builder).id, 'egress through the task\'s public IP', 'egress');
    } else if (network.nats.length > 0) {
      for (const nat of network.nats) builder.addEdge(nodeId, nat.id, 'egress', 'egress');
    } else if (network.endpoints) {
      builder.addEdge(nodeId, network.endpoints.id, 'AWS APIs, tcp 443', 'egress');
    }
    const taskDefinition = builder.lookup(service.stack, props.TaskDefinition);
    const containers = arrayValue(taskDefinition?.resource.Properties?.ContainerDefinitions);
    if (side.secrets && containers.some((container) => arrayValue(pathValue(container, ['Secrets'])).length > 0)) builder.addEdge(nodeId, side.secrets.id, 'reads secrets at start', 'uses');
    for (const container of containers) {
      const group = builder.lookup(service.stack, pathValue(container, ['LogConfiguration', 'Options', 'awslogs-group']));
      const logs = group ? side.logs.get(key(group)) : undefined;
      if (logs) builder.addEdge(nodeId, logs.id, 'writes logs', 'uses');
    }
    for (const registry of side.registries) builder.addEdge(nodeId, registry.id, 'pulls the image', 'uses');
  }
  for (const nat of network.nats) builder.addEdge(nat.id, internetNode(builder).id, 'egress', 'egress');
}

/** Every price line lands on one node; lines no node owns get a side node of their own. */
function attachPrices(builder: DiagramBuilder, estimate: CostEstimate, side: ReturnType<typeof addSideNodes>): void {
  const byType = (type: string, stack: string): DiagramNode | undefined => {
    if (type === 'AWS::CloudWatch::Alarm') return side.alarms;
    if (type === 'AWS::SecretsManager::Secret') return side.secrets;
    const owned = builder.all.find((located) => located.resource.Type === type && located.stack === stack && builder.owner.has(key(located)));
    return owned ? builder.nodes.get(builder.owner.get(key(owned))!) : undefined;
  };
  const place = (line: PriceLine): DiagramNode => {
    if (line.logicalId) {
      const owner = builder.owner.get(`${line.stack}/${line.logicalId}`);
      if (owner) return builder.nodes.get(owner)!;
      const located = builder.all.find((resource) => resource.stack === line.stack && resource.logicalId === line.logicalId);
      if (located) {
        return builder.addNode({ id: `other:${displayName(located)}`, kind: 'other', label: displayName(located), detail: [located.resource.Type.replace(/^AWS::/, '')], concern: concernOfType(located.resource.Type), side: true }, [located]);
      }
    }
    const found = byType(line.type, line.stack);
    if (found) return found;
    return builder.addNode({
      id: `charge:${line.resource}`,
      kind: 'charge',
      label: line.resource.charAt(0).toUpperCase() + line.resource.slice(1),
      detail: [line.type === 'usage' ? 'usage, assumed' : line.type.replace(/^AWS::/, '')],
      concern: concernOfType(line.type),
      side: true,
    });
  };
  for (const line of estimate.items) place(line).prices.push({ resource: line.resource, monthly: line.monthly, basis: line.basis });
  for (const node of builder.nodes.values()) if (node.prices.length > 0) node.monthly = sumPrices(node.prices);
  // What berth cannot price is still drawn, saying so.
  for (const item of estimate.unpriced) {
    const located = builder.all.find((resource) => resource.stack === item.stack && resource.resource.Type === item.type && displayName(resource) === item.resource);
    const owner = located ? builder.owner.get(key(located)) : undefined;
    if (owner) {
      builder.nodes.get(owner)!.detail.push(`${item.resource}: not priced`);
      continue;
    }
    builder.addNode({ id: `other:${item.resource}`, kind: 'other', label: item.resource, detail: [item.type.replace(/^AWS::/, ''), 'not priced'], concern: concernOfType(item.type), side: true }, [located]);
  }
}

const ORDER: DiagramNodeKind[] = ['internet', 'clients', 'cdn', 'load-balancer', 'service', 'database', 'cache', 'nat', 'endpoints', 'secrets', 'logs', 'alarms', 'registry', 'other', 'charge'];

/** The diagram of one AWS environment from its templates, priced with `estimate` when given. */
export function diagramFromTemplates(input: AwsDiagramInput): Diagram {
  const builder = new DiagramBuilder(input.templates);
  const groups = subnetGroups(builder);
  const hasPublicBalancer = builder.ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').some((lb) => (stringValue(lb.resource.Properties?.Scheme) ?? 'internet-facing') === 'internet-facing');
  if (hasPublicBalancer) internetNode(builder);
  addDistributions(builder);
  addLoadBalancers(builder, groups);
  addServices(builder, groups);
  addDataStores(builder, groups);
  const network = addNetworkNodes(builder, groups);
  const side = addSideNodes(builder, input.estimate);
  addSecurityGroupEdges(builder);
  addEgressAndUses(builder, network, side);
  if (input.estimate) attachPrices(builder, input.estimate, side);

  const nodes = [...builder.nodes.values()].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  const used = new Set<string>();
  for (const node of nodes) {
    for (let group = node.group ? builder.groups.get(node.group) : undefined; group; group = group.parent ? builder.groups.get(group.parent) : undefined) used.add(group.id);
  }
  return {
    app: input.app,
    env: input.env,
    target: 'aws',
    nodes,
    groups: [...builder.groups.values()].filter((group) => used.has(group.id)),
    edges: builder.edgeList(),
    ...(input.estimate ? { monthly: input.estimate.monthly, currency: input.estimate.currency, region: input.estimate.region } : {}),
    unpriced: (input.estimate?.unpriced ?? []).map((item) => `${item.resource} (${item.type.replace(/^AWS::/, '')}): ${item.reason}`),
  };
}
