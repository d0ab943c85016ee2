/**
 * HTTPS without a domain: a CloudFront distribution in front of the load balancer (https://<id>.cloudfront.net with
 * CloudFront's certificate), built for a dynamic app: nothing cached, every method allowed, every viewer header,
 * cookie and query string forwarded (and CloudFront's own headers, such as CloudFront-Forwarded-Proto), websockets
 * passed through. Only CloudFront may reach the load balancer: its security group admits CloudFront's managed
 * origin-facing prefix list alone, and the listener forwards only requests carrying a secret header CloudFront adds
 * (generated into Secrets Manager; templates hold only a `{{resolve:secretsmanager:...}}` reference).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The header CloudFront adds to every request it forwards; the load balancer forwards nothing without it. */
export const ORIGIN_VERIFY_HEADER = 'X-Origin-Verify';

/** The CloudFront port the load balancer listens on: HTTP, since the load balancer has no certificate without a domain. */
export const CLOUDFRONT_ORIGIN_PORT = 80;

export interface BerthCloudFrontProps {
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The load balancer's security group: it gets the one ingress rule, from CloudFront's prefix list. */
  readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;
  /** CloudFront's origin-facing managed prefix list of the region (cloudfront-prefix-lists.ts). */
  readonly prefixListId: string;
  /**
   * Edge locations: PriceClass_100 (North America, Europe, Israel) near us-/eu-/ca- regions, PriceClass_200 (adds
   * Asia, the Middle East, Africa) elsewhere.
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
  /**
   * Seconds CloudFront waits for the load balancer's answer (CloudFront allows up to 60 without a quota increase).
   * @default 60, the load balancer's own idle timeout
   */
  readonly readTimeout?: number;
  /** A name for the distribution's comment, e.g. `berth-shop-prod`. */
  readonly name: string;
}

/** The price class whose edges are near the app's region (priced by berth cost at that region's rates). */
export function priceClassFor(region: string | undefined): cloudfront.PriceClass {
  if (!region || /^(us|eu|ca)-/.test(region)) return cloudfront.PriceClass.PRICE_CLASS_100;
  return cloudfront.PriceClass.PRICE_CLASS_200;
}

export class BerthCloudFront extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** The generated value of the origin-verify header (never in a template in clear). */
  readonly originSecret: secretsmanager.Secret;
  /** https://<id>.cloudfront.net */
  readonly url: string;

  constructor(scope: Construct, id: string, props: BerthCloudFrontProps) {
    super(scope, id);
    // Cost: $0.40 per month.
    this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: `berth ${props.name}: the header value CloudFront sends to the load balancer (${ORIGIN_VERIFY_HEADER})`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.originSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'CloudFormation copies the value into CloudFront and the listener rule at deploy time; a rotation needs a redeploy to reach both, so berth regenerates it only when the secret is replaced.',
    });

    props.loadBalancerSecurityGroup.addIngressRule(ec2.Peer.prefixList(props.prefixListId), ec2.Port.tcp(CLOUDFRONT_ORIGIN_PORT), 'HTTP from CloudFront only (origin-facing prefix list)');

    const origin = new origins.LoadBalancerV2Origin(props.loadBalancer, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      httpPort: CLOUDFRONT_ORIGIN_PORT,
      readTimeout: Duration.seconds(props.readTimeout ?? 60),
      keepaliveTimeout: Duration.seconds(5),
      customHeaders: { [ORIGIN_VERIFY_HEADER]: this.originSecret.secretValue.unsafeUnwrap() },
    });
    // Cost: $0.085 per GB out and $0.0100 per 10,000 HTTPS requests in North America (data/prices); origin fetches from the load balancer are free.
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `berth ${props.name}`,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // A dynamic app: nothing is cached, so every request reaches the app with everything it sent.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_AND_CLOUDFRONT_2022,
        compress: false,
      },
    });
    const acknowledge = (ruleId: string, reason: string) => Validations.of(this.distribution).acknowledge({ id: ruleId, reason });
    acknowledge('AwsSolutions-CFR1', 'Geo restriction is a business choice the app has not asked for; every country may reach it.');
    acknowledge('AwsSolutions-CFR2', 'AWS WAF costs $5/month plus $1 per rule; berth does not add it uninvited (the load balancer admits only CloudFront).');
    acknowledge('AwsSolutions-CFR3', 'Access logs need an S3 bucket and cost per request; the app and the load balancer metrics record its traffic.');
    acknowledge('AwsSolutions-CFR4', 'Without a domain the distribution uses CloudFront\'s own *.cloudfront.net certificate, whose minimum viewer TLS version CloudFront fixes; with a domain berth serves TLS 1.2+ from the load balancer instead.');
    acknowledge('AwsSolutions-CFR5', 'The load balancer has no certificate without a domain, so CloudFront reaches it over HTTP; only CloudFront\'s addresses and requests carrying the secret origin header are admitted.');
    this.url = `https://${this.distribution.distributionDomainName}`;
  }

  /** The listener-rule condition every forwarding rule carries: the secret header CloudFront adds. */
  originCondition(): elbv2.ListenerCondition {
    return elbv2.ListenerCondition.httpHeader(ORIGIN_VERIFY_HEADER, [this.originSecret.secretValue.unsafeUnwrap()]);
  }
}

/** What the listener answers a request that did not come through CloudFront. */
export function directAccessRefused(): elbv2.ListenerAction {
  return elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'This address answers CloudFront only.' });
}
