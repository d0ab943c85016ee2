import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { domainZone, hostedZoneName } from './domain.js';
import { lookupEnvironment, lookupsNeeded, MissingLookupError, recordedEnvironment } from './lookups.js';
import { BerthNetwork } from './network.js';

const FILE = `
app: shop
service: { port: 8000, image: "nginx:1.27" }
environments:
  prod: { region: eu-west-1, domain: { name: shop.example.com, zone: example.com } }
  byid: { region: eu-west-1, domain: { name: shop.example.com, zoneId: Z0123456789ABCDEFGHIJ } }
  known: { region: eu-west-1, account: "123456789012", domain: shop.example.com }
  shared: { region: eu-west-1, network: { vpc: vpc-0a1b2c3d4e5f60718, tasks: private } }
`;

const ZONE_KEY = 'hosted-zone:account=123456789012:domainName=example.com:privateZone=false:region=eu-west-1';
const VPC_KEY = 'vpc-provider:account=123456789012:filter.vpc-id=vpc-0a1b2c3d4e5f60718:region=eu-west-1:returnAsymmetricSubnets=true:returnVpnGateways=false';
const RECORDED: Record<string, unknown> = {
  [ZONE_KEY]: { Id: '/hostedzone/Z0EXAMPLEZONE1', Name: 'example.com.' },
  [VPC_KEY]: {
    vpcId: 'vpc-0a1b2c3d4e5f60718', vpcCidrBlock: '10.20.0.0/16', ownerAccountId: '123456789012', availabilityZones: [],
    subnetGroups: [
      { name: 'Public', type: 'Public', subnets: [{ subnetId: 'subnet-pub1', cidr: '10.20.0.0/24', availabilityZone: 'eu-west-1a', routeTableId: 'rtb-1' }, { subnetId: 'subnet-pub2', cidr: '10.20.1.0/24', availabilityZone: 'eu-west-1b', routeTableId: 'rtb-2' }] },
      { name: 'Private', type: 'Private', subnets: [{ subnetId: 'subnet-app1', cidr: '10.20.10.0/24', availabilityZone: 'eu-west-1a', routeTableId: 'rtb-3' }, { subnetId: 'subnet-app2', cidr: '10.20.11.0/24', availabilityZone: 'eu-west-1b', routeTableId: 'rtb-4' }] },
    ],
  },
};

describe('what is looked up', () => {
  it('is the hosted zone of a domain without zoneId, and network.vpc', () => {
    expect(lookupsNeeded(configFromYaml(FILE, 'prod')).map((need) => need.what)).toEqual(['the Route 53 hosted zone example.com']);
    expect(lookupsNeeded(configFromYaml(FILE, 'byid'))).toEqual([]);
    expect(lookupsNeeded(configFromYaml(FILE, 'shared')).map((need) => need.field)).toEqual(['network.vpc']);
    expect(hostedZoneName({ name: 'shop.example.com' })).toBe('example.com');
  });

  it('needs no credentials once the answer is recorded, and finds its account and region there', () => {
    const config = configFromYaml(FILE, 'prod');
    expect(recordedEnvironment(RECORDED, lookupsNeeded(config))).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(lookupEnvironment(config, RECORDED, {})).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(lookupEnvironment(config, {}, { account: '999999999999' })).toEqual({ account: '999999999999', region: 'eu-west-1' });
    expect(lookupEnvironment(configFromYaml(FILE, 'byid'), {}, {})).toBeUndefined();
  });

  it('fails without credentials or a recorded answer, with both ways out', () => {
    const config = configFromYaml(FILE, 'prod');
    let error: unknown;
    try {
      lookupEnvironment(config, {}, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MissingLookupError);
    const { message, hint, exitCode } = error as MissingLookupError;
    expect(message).toMatch(/berth\.yml: domain\.zone: the Route 53 hosted zone example\.com is not known yet \(no AWS credentials were used and no answer is recorded for eu-west-1\)$/);
    expect(hint).toBe('run `berth diff --env prod` once with AWS credentials for the environment\'s account: berth looks it up and keeps the answer in cdk.context.json beside berth.yml (commit it; berth deploy does the same); or set domain.zoneId (aws route53 list-hosted-zones-by-name --dns-name example.com --max-items 1 --query \'HostedZones[0].Id\')');
    expect(exitCode).toBe(2);
  });
});

describe('recorded answers', () => {
  let zoneTemplate: Template;
  let missing: string[];
  let networkTemplate: Template;
  let network: BerthNetwork;

  beforeAll(() => {
    // The key CDK asks for is the one berth records: synthesize once without the answer.
    const bare = new App();
    const probe = new Stack(bare, 'Probe', { env: { account: '123456789012', region: 'eu-west-1' } });
    domainZone(probe, 'Zone', { name: 'shop.example.com', zone: 'example.com' });
    new BerthNetwork(probe, 'Network', { availabilityZones: [], existingVpcId: 'vpc-0a1b2c3d4e5f60718', tasks: 'private' });
    missing = (bare.synth().manifest.missing ?? []).map((entry) => entry.key);

    const app = new App({ context: RECORDED });
    const stack = new Stack(app, 'Domain', { env: { account: '123456789012', region: 'eu-west-1' } });
    const zone = domainZone(stack, 'Zone', { name: 'shop.example.com', zone: 'example.com' });
    new acm.Certificate(stack, 'Certificate', { domainName: 'shop.example.com', validation: acm.CertificateValidation.fromDns(zone) });
    zoneTemplate = Template.fromStack(stack);
    const shared = new Stack(new App({ context: RECORDED }), 'Shared', { env: { account: '123456789012', region: 'eu-west-1' } });
    network = new BerthNetwork(shared, 'Network', { availabilityZones: [], existingVpcId: 'vpc-0a1b2c3d4e5f60718', tasks: 'private', dataSubnets: true });
    networkTemplate = Template.fromStack(shared);
  }, 120_000);

  it('are exactly the keys CDK asks for', () => {
    expect(missing.sort()).toEqual([ZONE_KEY, VPC_KEY].sort());
  });

  it('validate the certificate by DNS in the zone found by name', () => {
    zoneTemplate.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'shop.example.com', ValidationMethod: 'DNS', DomainValidationOptions: [{ DomainName: 'shop.example.com', HostedZoneId: 'Z0EXAMPLEZONE1' }],
    });
  });

  it('place an existing VPC\'s subnets by type and create no VPC, NAT gateway or endpoint', () => {
    networkTemplate.resourceCountIs('AWS::EC2::VPC', 0);
    networkTemplate.resourceCountIs('AWS::EC2::NatGateway', 0);
    networkTemplate.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    expect(network.vpc.vpcId).toBe('vpc-0a1b2c3d4e5f60718');
    expect(network.vpc.selectSubnets(network.taskSubnets).subnetIds).toEqual(['subnet-app1', 'subnet-app2']);
    expect(network.vpc.selectSubnets(network.loadBalancerSubnets).subnetIds).toEqual(['subnet-pub1', 'subnet-pub2']);
    // No isolated subnets in this VPC: the database and cache go to the private ones.
    expect(network.vpc.selectSubnets(network.dataSubnets).subnetIds).toEqual(['subnet-app1', 'subnet-app2']);
  });
});
