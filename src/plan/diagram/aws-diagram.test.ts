import { describe, expect, it } from 'vitest';
import { fixture, single } from '../../test-support/cost-templates.js';
import { loadPriceTable } from '../cost/price-table.js';
import { cents, priceTemplates } from '../cost/price-template.js';
import { DEFAULT_USAGE } from '../cost/usage.js';
import { diagramFromTemplates } from './aws-diagram.js';
import type { Diagram } from './diagram.js';
import { diagramFacts } from './diagram.js';

const table = loadPriceTable('us-east-1');

function priced(name: Parameters<typeof fixture>[0]): Diagram {
  const templates = [fixture(name)];
  return diagramFromTemplates({ app: 'demo', env: name, templates, estimate: priceTemplates(templates, table, DEFAULT_USAGE) });
}

function nodeSum(diagram: Diagram): { min: number; max: number } {
  return {
    min: cents(diagram.nodes.reduce((sum, node) => sum + (node.monthly?.min ?? 0), 0)),
    max: cents(diagram.nodes.reduce((sum, node) => sum + (node.monthly?.max ?? 0), 0)),
  };
}

describe('diagramFromTemplates', () => {
  it('public ALB: internet -> load balancer -> service on the security-group ports, in the public subnets of the VPC', () => {
    const diagram = priced('public-alb');
    const facts = diagramFacts(diagram);
    expect(facts.nodes).toEqual(expect.arrayContaining([
      'internet Internet',
      'load-balancer LoadBalancer [VPC 10.0.0.0/16 > public subnets, 2 AZs] $29.57',
      'service Service [VPC 10.0.0.0/16 > public subnets, 2 AZs] $25.32',
    ]));
    expect(facts.edges).toEqual(expect.arrayContaining([
      'Internet -> LoadBalancer: tcp 80 (traffic)',
      'LoadBalancer -> Service: tcp 8080 (traffic)',
      'Service -> Secrets Manager: reads secrets at start (uses)',
    ]));
  });

  it('every price line lands on one node: the node prices add up to the cost total', () => {
    for (const name of ['public-alb', 'private-nat', 'private-endpoints', 'registry'] as const) {
      const templates = [fixture(name)];
      const estimate = priceTemplates(templates, table, DEFAULT_USAGE);
      const diagram = diagramFromTemplates({ app: 'demo', env: name, templates, estimate });
      expect(nodeSum(diagram)).toEqual(estimate.monthly);
      expect(diagram.nodes.flatMap((node) => node.prices.map((line) => line.resource)).sort()).toEqual(estimate.items.map((line) => line.resource).sort());
    }
  });

  it('lines without a single resource get a side node of their own (data transfer out)', () => {
    const node = priced('public-alb').nodes.find((item) => item.id === 'charge:data transfer out');
    expect(node).toMatchObject({ kind: 'charge', side: true, concern: 'data transfer', monthly: { min: 0.9, max: 0.9 } });
  });

  it('private tasks reach the internet through the NAT gateway, which carries its data-processing line', () => {
    const diagram = priced('private-nat');
    const facts = diagramFacts(diagram);
    expect(facts.nodes).toContain('service Service [VPC 10.0.0.0/16 > private subnets (egress through NAT), 2 AZs] $1.28–$5.10');
    expect(facts.edges).toEqual(expect.arrayContaining([
      'Service -> NetworkpublicSubnet1NATGateway: egress (egress)',
      'NetworkpublicSubnet1NATGateway -> Internet: egress (egress)',
    ]));
    const nat = diagram.nodes.find((node) => node.kind === 'nat')!;
    expect(nat.prices.map((line) => line.resource)).toContain('NAT gateways (data processed)');
  });

  it('isolated tasks call AWS through the VPC endpoints, one node listing them', () => {
    const diagram = priced('private-endpoints');
    const endpoints = diagram.nodes.find((node) => node.kind === 'endpoints')!;
    expect(endpoints.detail).toEqual(['s3 (gateway, free), ecr.api, ecr.dkr, logs']);
    expect(diagramFacts(diagram).edges).toContain('Service -> VPC endpoints: AWS APIs, tcp 443 (egress)');
    expect(diagram.nodes.some((node) => node.kind === 'internet')).toBe(false);
  });

  it('what berth cannot price is still drawn, saying so, and listed', () => {
    const diagram = priced('public-alb');
    expect(diagram.nodes.find((node) => node.label === 'Uploads')).toMatchObject({ kind: 'other', detail: ['S3::Bucket', 'not priced'] });
    expect(diagram.unpriced).toEqual(['Uploads (S3::Bucket): berth has no price rule for this resource type']);
  });

  it('without an estimate the nodes carry no price', () => {
    const diagram = diagramFromTemplates({ app: 'demo', env: 'x', templates: [fixture('public-alb')] });
    expect(diagram.nodes.every((node) => node.monthly === undefined)).toBe(true);
    expect(diagram.monthly).toBeUndefined();
  });

  it('merges several ports between the same two nodes into one label', () => {
    const templates = [{
      stack: 's',
      template: {
        Resources: {
          Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing', SecurityGroups: [{ 'Fn::GetAtt': ['LbSg', 'GroupId'] }] } },
          LbSg: {
            Type: 'AWS::EC2::SecurityGroup',
            Properties: { SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 80, ToPort: 80 }, { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }] },
          },
        },
      },
    }];
    expect(diagramFacts(diagramFromTemplates({ app: 'a', env: 'e', templates })).edges).toEqual(['Internet -> Lb: tcp 80, 443 (traffic)']);
  });

  it('a resource type no node knows, when priced, becomes a side node with its price', () => {
    const templates = [single('AWS::KMS::Key', {}, 'Key')];
    const diagram = diagramFromTemplates({ app: 'a', env: 'e', templates, estimate: priceTemplates(templates, table, DEFAULT_USAGE) });
    expect(diagramFacts(diagram).nodes).toEqual(['other Key $1.00']);
  });
});
