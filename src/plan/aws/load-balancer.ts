/** The Application Load Balancer: listeners, the target group and its health check, and the domain's certificate and record. */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { DomainSpec, HealthCheck } from '../../config/model.js';

export interface BerthLoadBalancerProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the load balancer (public subnets for an internet-facing one). */
  readonly subnets: ec2.SubnetSelection;
  /** The container port targets listen on. */
  readonly port: number;
  /** The target group health check (path, interval, timeout, thresholds); `gracePeriod` is the service's. */
  readonly health: HealthCheck;
  /**
   * Internet-facing (true) or internal to the VPC (false).
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * Sticky-session cookie duration in seconds (which also raises the idle timeout to 300 s for long-lived connections), or false.
   * @default false
   */
  readonly stickySessions?: number | false;
  /**
   * A domain served over HTTPS: an ACM certificate (validated through the Route 53 zone when `zoneId` is given,
   * otherwise by DNS records the user adds), an HTTPS listener, HTTP redirected to HTTPS and an alias record.
   * @default - HTTP on the load balancer's DNS name
   */
  readonly domain?: DomainSpec;
  /**
   * Seconds the load balancer lets in-flight requests finish on a deregistering target: deploys wait this long per task.
   * @default 30
   */
  readonly deregistrationDelay?: number;
}

export class BerthLoadBalancer extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly securityGroup: ec2.SecurityGroup;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly certificate?: acm.Certificate;
  /** The URL the app answers on. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: BerthLoadBalancerProps) {
    super(scope, id);
    const internetFacing = props.internetFacing ?? true;
    const domain = props.domain;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'load balancer: HTTP(S) from the internet (or the VPC when internal)',
      allowAllOutbound: false,
    });
    const peer = internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(props.vpc.vpcCidrBlock);
    this.securityGroup.addIngressRule(peer, ec2.Port.tcp(80), 'HTTP');
    if (domain) this.securityGroup.addIngressRule(peer, ec2.Port.tcp(443), 'HTTPS');
    if (internetFacing) {
      Validations.of(this.securityGroup).acknowledge({
        id: 'AwsSolutions-EC23',
        reason: 'An internet-facing load balancer must admit 0.0.0.0/0 on its listener ports; it forwards only to the tasks on the container port.',
      });
    }

    // Cost: ~$0.0225/hour (~$16.40/month) plus ~$0.008 per LCU-hour.
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      internetFacing,
      securityGroup: this.securityGroup,
      idleTimeout: Duration.seconds(props.stickySessions ? 300 : 60),
      dropInvalidHeaderFields: true,
      deletionProtection: false,
    });
    this.loadBalancer.applyRemovalPolicy(RemovalPolicy.DESTROY);
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'Access logs need an S3 bucket and cost per GB; request metrics and 5xx alarms come from CloudWatch and the app logs its requests.',
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      port: props.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(props.deregistrationDelay ?? 30),
      healthCheck: {
        path: props.health.path,
        interval: Duration.seconds(props.health.interval),
        timeout: Duration.seconds(props.health.timeout),
        healthyThresholdCount: props.health.healthyThreshold,
        unhealthyThresholdCount: props.health.unhealthyThreshold,
        healthyHttpCodes: '200-299',
      },
      ...(props.stickySessions ? { stickinessCookieDuration: Duration.seconds(props.stickySessions) } : {}),
    });

    if (!domain) {
      this.loadBalancer.addListener('Http', { port: 80, open: false, defaultTargetGroups: [this.targetGroup] });
      this.url = `http://${this.loadBalancer.loadBalancerDnsName}`;
      return;
    }

    const zone = domain.zoneId
      ? route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: domain.zoneId, zoneName: domain.zone ?? parentZone(domain.name) })
      : undefined;
    // Cost: public ACM certificates are free.
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: domain.name,
      validation: zone ? acm.CertificateValidation.fromDns(zone) : acm.CertificateValidation.fromDns(),
    });
    this.loadBalancer.addListener('Https', {
      port: 443,
      open: false,
      certificates: [this.certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultTargetGroups: [this.targetGroup],
    });
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443, open: false });
    if (zone) {
      // Cost: alias queries to an ALB are free; the hosted zone itself is $0.50/month (already yours).
      new route53.ARecord(this, 'Alias', {
        zone,
        recordName: domain.name,
        target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
      });
    }
    this.url = `https://${domain.name}`;
  }
}

/** The hosted zone a domain lives in when berth.yml does not say: the name without its first label. */
export function parentZone(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(dot + 1);
}
