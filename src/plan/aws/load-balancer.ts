/**
 * The Application Load Balancer shared by every web service: one target group per web service with its health check,
 * the listener (HTTP, or HTTPS with HTTP redirected on a domain) whose rules route by host and path in the order of
 * routes.ts, the default action, and the domain's certificate and record.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { DomainSpec, HealthCheck } from '../../config/model.js';
import { CATCH_ALL_RULE_PRIORITY, TEST_TRAFFIC_HEADER, TEST_TRAFFIC_VALUE, testRulePriority, trafficSwitchIds } from '../../model/index.js';
import { BerthCloudFront, directAccessRefused } from './cloudfront.js';
import { domainZone } from './domain.js';
import type { ListenerRouting } from './routes.js';

/** Construct id of the default route's listener rule (behind CloudFront, or a blue/green default service): `RouteDefaultRule`. */
const DEFAULT_ROUTE_ID = 'RouteDefault';

/** One web service behind the load balancer. */
export interface WebTarget {
  /** The berth service name. */
  readonly service: string;
  /** Construct id of its target group: `TargetGroup` for the service named web, `TargetGroup<Name>` otherwise. */
  readonly targetGroupId: string;
  /** The container port targets listen on. */
  readonly port: number;
  /** The target group health check (path, interval, timeout, thresholds); `gracePeriod` is the service's. */
  readonly health: HealthCheck;
  /**
   * Sticky-session cookie duration in seconds, or false.
   * @default false
   */
  readonly stickySessions?: number | false;
  /**
   * Blue/green or canary (berth.yml `deploy`): a second target group, and listener rules ECS moves traffic with —
   * the production rule (a catch-all `/*` rule for the default route) and a test rule that sends requests carrying
   * `x-berth-test-traffic: green` to the new set first (src/model/deploy-strategy.ts).
   * @default false (rolling: one target group)
   */
  readonly switchesSets?: boolean;
}

/** What ECS needs to switch a web service between two target groups. */
export interface TrafficSwitchRules {
  readonly alternateTargetGroup: elbv2.ApplicationTargetGroup;
  readonly production: elbv2.ApplicationListenerRule;
  readonly test: elbv2.ApplicationListenerRule;
}

export interface BerthLoadBalancerProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the load balancer (public subnets for an internet-facing one). */
  readonly subnets: ec2.SubnetSelection;
  /** The web services, in berth.yml's order. */
  readonly targets: WebTarget[];
  /** Which requests go to which service (routes.ts). */
  readonly routing: ListenerRouting;
  /**
   * Internet-facing (true) or internal to the VPC (false).
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * A domain served over HTTPS: an ACM certificate validated by DNS in the domain's Route 53 zone (by `zoneId`, or
   * looked up by name: the stack needs an account and region), an HTTPS listener, HTTP redirected to HTTPS and an alias record.
   * @default - HTTP on the load balancer's DNS name
   */
  readonly domain?: DomainSpec;
  /**
   * CloudFront in front (cloudfront.ts): the load balancer admits CloudFront's origin-facing prefix list only, forwards
   * only requests carrying CloudFront's secret origin header and answers every other request 403. Without a domain.
   * @default - the load balancer answers the internet itself
   */
  readonly cloudFront?: { prefixListId: string; name: string; priceClass?: cloudfront.PriceClass };
  /**
   * Seconds the load balancer lets in-flight requests finish on a deregistering target: deploys wait this long per task.
   * @default 30
   */
  readonly deregistrationDelay?: number;
}

export class BerthLoadBalancer extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  /** Target groups by berth service name. */
  readonly targetGroups = new Map<string, elbv2.ApplicationTargetGroup>();
  /** Blue/green and canary services: the second target group and the production and test rules, by service name. */
  readonly trafficSwitches = new Map<string, TrafficSwitchRules>();
  /** The listener requests arrive on (HTTPS with a domain). */
  readonly listener: elbv2.ApplicationListener;
  readonly certificate?: acm.Certificate;
  /** The URL the app answers on. */
  readonly url: string;
  /** CloudFront in front of the load balancer, when it serves https:// without a domain. */
  readonly cloudFront?: BerthCloudFront;

  constructor(scope: Construct, id: string, props: BerthLoadBalancerProps) {
    super(scope, id);
    const internetFacing = props.internetFacing ?? true;
    const domain = props.domain;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'load balancer: HTTP(S) from the internet (or the VPC when internal)',
      allowAllOutbound: false,
    });
    const viaCloudFront = props.cloudFront !== undefined && !domain && internetFacing;
    const peer = internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(props.vpc.vpcCidrBlock);
    // Behind CloudFront the only ingress rule is CloudFront's prefix list (added by BerthCloudFront).
    if (!viaCloudFront) this.securityGroup.addIngressRule(peer, ec2.Port.tcp(80), 'HTTP');
    if (domain) this.securityGroup.addIngressRule(peer, ec2.Port.tcp(443), 'HTTPS');
    if (internetFacing && !viaCloudFront) {
      Validations.of(this.securityGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: 'An internet-facing load balancer must admit 0.0.0.0/0 on its listener ports; it forwards only to the tasks on the container port.',
      });
    }

    // Cost: ~$0.0225/hour (~$16.40/month) plus ~$0.008 per LCU-hour, shared by every web service.
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      internetFacing,
      securityGroup: this.securityGroup,
      // Sticky sessions usually mean long-lived connections (websockets): a longer idle timeout for all of them.
      idleTimeout: Duration.seconds(props.targets.some((target) => target.stickySessions) ? 300 : 60),
      dropInvalidHeaderFields: true,
      deletionProtection: false,
    });
    this.loadBalancer.applyRemovalPolicy(RemovalPolicy.DESTROY);
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'Access logs need an S3 bucket and cost per GB; request metrics and 5xx alarms come from CloudWatch and the app logs its requests.',
    });

    const targetGroup = (target: WebTarget, id: string) => new elbv2.ApplicationTargetGroup(this, id, {
      vpc: props.vpc,
      port: target.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(props.deregistrationDelay ?? 30),
      healthCheck: {
        path: target.health.path,
        interval: Duration.seconds(target.health.interval),
        timeout: Duration.seconds(target.health.timeout),
        healthyThresholdCount: target.health.healthyThreshold,
        unhealthyThresholdCount: target.health.unhealthyThreshold,
        healthyHttpCodes: '200-299',
      },
      ...(target.stickySessions ? { stickinessCookieDuration: Duration.seconds(target.stickySessions) } : {}),
    });
    const alternates = new Map<string, elbv2.ApplicationTargetGroup>();
    for (const target of props.targets) {
      this.targetGroups.set(target.service, targetGroup(target, target.targetGroupId));
      // Target groups are free; the second one holds the new set during a blue/green or canary deploy.
      if (target.switchesSets) alternates.set(target.service, targetGroup(target, trafficSwitchIds(target.targetGroupId).alternateTargetGroup));
    }

    const fallback = props.routing.defaultService !== undefined ? this.targetGroup(props.routing.defaultService) : undefined;
    const notFound = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found: no service of this app answers this host and path' });
    // Behind CloudFront a request without the origin header matches no rule: the default action refuses it.
    const defaults = viaCloudFront ? { defaultAction: directAccessRefused() } : fallback ? { defaultTargetGroups: [fallback] } : { defaultAction: notFound };

    let zone: route53.IHostedZone | undefined;
    if (!domain) {
      this.listener = this.loadBalancer.addListener('Http', { port: 80, open: false, ...defaults });
      if (viaCloudFront) {
        this.cloudFront = new BerthCloudFront(this, 'CloudFront', {
          loadBalancer: this.loadBalancer,
          loadBalancerSecurityGroup: this.securityGroup,
          prefixListId: props.cloudFront!.prefixListId,
          name: props.cloudFront!.name,
          ...(props.cloudFront!.priceClass ? { priceClass: props.cloudFront!.priceClass } : {}),
        });
        this.url = this.cloudFront.url;
      } else {
        this.url = `http://${this.loadBalancer.loadBalancerDnsName}`;
      }
    } else {
      // By zoneId, or by a (recorded) context lookup of the zone's name (domain.ts, lookups.ts).
      zone = domainZone(this, 'Zone', domain);
      // Cost: public ACM certificates are free.
      this.certificate = new acm.Certificate(this, 'Certificate', {
        domainName: domain.name,
        validation: acm.CertificateValidation.fromDns(zone),
      });
      this.listener = this.loadBalancer.addListener('Https', {
        port: 443,
        open: false,
        certificates: [this.certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        ...defaults,
      });
      this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });
      this.url = `https://${domain.name}`;
    }

    const origin = this.cloudFront ? [this.cloudFront.originCondition()] : [];
    for (const rule of props.routing.rules) {
      const conditions: elbv2.ListenerCondition[] = [...origin];
      if (rule.host !== undefined) conditions.push(elbv2.ListenerCondition.hostHeaders([rule.host]));
      if (rule.path !== undefined) conditions.push(elbv2.ListenerCondition.pathPatterns([rule.path]));
      const target = props.targets.find((candidate) => candidate.service === rule.service)!;
      const alternate = alternates.get(rule.service);
      if (alternate) this.addTrafficSwitch(target, alternate, rule.priority, conditions);
      else this.listener.addTargetGroups(`Route${target.targetGroupId.replace(/^TargetGroup/, '')}`, { priority: rule.priority, conditions, targetGroups: [this.targetGroup(rule.service)] });
    }
    // The default route as a rule after every routed one (ALB's last priority): behind CloudFront only requests carrying
    // the origin header match it; a blue/green or canary default service needs a rule anyway, since ECS moves traffic by
    // changing a rule's weights, never the listener's default action (a catch-all `/*` without CloudFront).
    const fallbackTarget = props.targets.find((candidate) => candidate.service === props.routing.defaultService);
    const fallbackAlternate = fallbackTarget ? alternates.get(fallbackTarget.service) : undefined;
    const catchAll = this.cloudFront ? origin : [elbv2.ListenerCondition.pathPatterns(['/*'])];
    if (fallbackTarget && fallbackAlternate) {
      this.addTrafficSwitch(fallbackTarget, fallbackAlternate, CATCH_ALL_RULE_PRIORITY, catchAll, { route: DEFAULT_ROUTE_ID, testRoute: `Test${DEFAULT_ROUTE_ID}` });
    } else if (this.cloudFront) {
      const last = { priority: CATCH_ALL_RULE_PRIORITY, conditions: catchAll };
      if (fallback) this.listener.addTargetGroups(DEFAULT_ROUTE_ID, { ...last, targetGroups: [fallback] });
      else this.listener.addAction(DEFAULT_ROUTE_ID, { ...last, action: notFound });
    }

    if (zone && domain) {
      // Cost: alias queries to an ALB are free; the hosted zone itself is $0.50/month (already yours).
      new route53.ARecord(this, 'Alias', {
        zone,
        recordName: domain.name,
        target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
      });
    }
  }

  /**
   * The production rule forwards to both target groups (the running set weighted 100, the other 0) so ECS can move the
   * weights; the test rule is the same rule one priority earlier that also needs the test header.
   */
  private addTrafficSwitch(target: WebTarget, alternate: elbv2.ApplicationTargetGroup, priority: number, conditions: elbv2.ListenerCondition[], ids: { route: string; testRoute: string } = trafficSwitchIds(target.targetGroupId)): void {
    const running = this.targetGroup(target.service);
    const forward = () => elbv2.ListenerAction.weightedForward([{ targetGroup: running, weight: 100 }, { targetGroup: alternate, weight: 0 }]);
    const production = new elbv2.ApplicationListenerRule(this.listener, `${ids.route}Rule`, { listener: this.listener, priority, conditions, action: forward() });
    const test = new elbv2.ApplicationListenerRule(this.listener, `${ids.testRoute}Rule`, {
      listener: this.listener,
      priority: testRulePriority(priority),
      conditions: [...conditions, elbv2.ListenerCondition.httpHeader(TEST_TRAFFIC_HEADER, [TEST_TRAFFIC_VALUE])],
      action: forward(),
    });
    this.trafficSwitches.set(target.service, { alternateTargetGroup: alternate, production, test });
  }

  /** The target group of a web service. */
  targetGroup(service: string): elbv2.ApplicationTargetGroup {
    const group = this.targetGroups.get(service);
    if (!group) throw new Error(`no target group for service ${service}`);
    return group;
  }
}
