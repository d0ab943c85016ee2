import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { BerthCloudFront, directAccessRefused, priceClassFor } from './cloudfront.js';
import { cloudFrontPrefixListId, cloudFrontPrefixLists } from './cloudfront-prefix-lists.js';

let template: Template;
let text: string;

beforeAll(() => {
  const stack = new Stack(new App(), 'Edge', { env: { region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }], availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const securityGroup = new ec2.SecurityGroup(stack, 'LbSg', { vpc, allowAllOutbound: false, description: 'load balancer' });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc, internetFacing: true, securityGroup });
  const targetGroup = new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc, port: 8000, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP });
  const edge = new BerthCloudFront(stack, 'Edge', { loadBalancer, loadBalancerSecurityGroup: securityGroup, prefixListId: cloudFrontPrefixListId('eu-west-1'), name: 'berth-shop-prod' });
  const listener = loadBalancer.addListener('Http', { port: 80, open: false, defaultAction: directAccessRefused() });
  listener.addTargetGroups('Web', { targetGroups: [targetGroup], priority: 10, conditions: [edge.originCondition(), elbv2.ListenerCondition.pathPatterns(['/*'])] });
  template = Template.fromStack(stack);
  text = JSON.stringify(template.toJSON());
}, 120_000);

describe('CloudFront in front of the load balancer', () => {
  it('caches nothing, allows every method, forwards viewer headers, cookies and query strings, and redirects to https', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        PriceClass: 'PriceClass_100',
        HttpVersion: 'http2and3',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
          CachePolicyId: cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId,
          OriginRequestPolicyId: cloudfront.OriginRequestPolicy.ALL_VIEWER_AND_CLOUDFRONT_2022.originRequestPolicyId,
        }),
      }),
    });
    expect(cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(cloudfront.OriginRequestPolicy.ALL_VIEWER_AND_CLOUDFRONT_2022.originRequestPolicyId).toBe('33f36d7e-f396-46d9-90e0-52428a34d9dc');
  });

  it('reaches the load balancer over HTTP with a secret header resolved from Secrets Manager, never written in clear', () => {
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!;
    const origin = distribution.Properties.DistributionConfig.Origins[0];
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'http-only', HTTPPort: 80, OriginReadTimeout: 60 });
    expect(origin.OriginCustomHeaders[0].HeaderName).toBe('X-Origin-Verify');
    expect(JSON.stringify(origin.OriginCustomHeaders[0].HeaderValue)).toMatch(/\{\{resolve:secretsmanager:.*:SecretString:::\}\}/);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false } });
    expect(text).not.toMatch(/"SecretString":"/);
  });

  it('lets only CloudFront\'s prefix list reach the load balancer, and refuses requests without the header', () => {
    const group = Object.values(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: 'load balancer' } }))[0]!;
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((rule) => rule.Properties);
    expect(ingress).toEqual([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, SourcePrefixListId: 'pl-4fa04526', Description: 'HTTP from CloudFront only (origin-facing prefix list)', GroupId: expect.anything() }]);
    expect(JSON.stringify([template.findResources('AWS::EC2::SecurityGroup'), template.findResources('AWS::EC2::SecurityGroupIngress')])).not.toContain('0.0.0.0/0');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '403' }) })] });
    const rule = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))[0]!;
    const header = (rule.Properties.Conditions as Array<{ Field: string; HttpHeaderConfig?: { HttpHeaderName: string; Values: unknown[] } }>).find((condition) => condition.Field === 'http-header')!;
    expect(header.HttpHeaderConfig!.HttpHeaderName).toBe('X-Origin-Verify');
    expect(JSON.stringify(header.HttpHeaderConfig!.Values)).toContain('{{resolve:secretsmanager:');
  });
});

describe('prefix lists and price classes', () => {
  it('know the origin-facing prefix list of the regions berth prices, and say how to add another', () => {
    expect(cloudFrontPrefixListId('us-east-1')).toBe('pl-3b927c52');
    expect(cloudFrontPrefixListId('ap-south-1')).toBe('pl-9aa247f3');
    expect(cloudFrontPrefixLists().prefixListName).toBe('com.amazonaws.global.cloudfront.origin-facing');
    expect(() => cloudFrontPrefixListId('mx-central-1')).toThrow(UsageError);
    expect(() => cloudFrontPrefixListId('mx-central-1')).toThrow(/does not know the id of CloudFront's origin-facing prefix list in mx-central-1/);
  });

  it('serve from edges near the region', () => {
    expect([priceClassFor('us-east-1'), priceClassFor('eu-west-1'), priceClassFor('ap-south-1'), priceClassFor(undefined)]).toEqual([
      cloudfront.PriceClass.PRICE_CLASS_100, cloudfront.PriceClass.PRICE_CLASS_100, cloudfront.PriceClass.PRICE_CLASS_200, cloudfront.PriceClass.PRICE_CLASS_100,
    ]);
  });
});
