import { describe, expect, it } from 'vitest';
import { fixture, single } from '../../test-support/cost-templates.js';
import { cents, fargateTaskRate, priceTemplates, spotTasks } from './price-template.js';
import type { PriceTable } from './price-table.js';
import { HOURS_PER_MONTH, loadPriceTable } from './price-table.js';
import { DEFAULT_USAGE } from './usage.js';

const usEast1 = loadPriceTable('us-east-1');
const euWest1 = loadPriceTable('eu-west-1');

function line(estimate: ReturnType<typeof priceTemplates>, resource: string) {
  const found = estimate.items.find((item) => item.resource === resource);
  if (!found) throw new Error(`no line "${resource}" in ${estimate.items.map((item) => item.resource).join(', ')}`);
  return found;
}

describe('pinned us-east-1 figures at 730 h/month', () => {
  it('a 0.25 vCPU / 0.5 GB x86 task costs $9.01', () => {
    const rate = fargateTaskRate({ vcpu: 0.25, memoryGb: 0.5, arch: 'x86_64', spot: false }, usEast1);
    expect(cents(rate.hourly * HOURS_PER_MONTH)).toBe(9.01);
    expect(rate.basis).toBe('0.25 vCPU × $0.04048 + 0.5 GB × $0.004445');
  });

  it('a 0.25 vCPU / 1 GB ARM task costs $8.51', () => {
    expect(cents(fargateTaskRate({ vcpu: 0.25, memoryGb: 1, arch: 'arm64', spot: false }, usEast1).hourly * HOURS_PER_MONTH)).toBe(8.51);
  });

  it('an ALB costs $16.43 before LCUs, and each public IPv4 address $3.65', () => {
    const estimate = priceTemplates([fixture('public-alb')], usEast1, DEFAULT_USAGE);
    expect(line(estimate, 'LoadBalancer').monthly).toEqual({ min: 16.43, max: 16.43 });
    expect(line(estimate, 'LoadBalancer').basis).toBe('730 h × $0.0225');
    // internet-facing over two AZs: two addresses
    expect(line(estimate, 'LoadBalancer (public IPv4)').monthly.max).toBe(7.3);
    expect(line(estimate, 'LoadBalancer (public IPv4)').basis).toBe('2 addresses (one per AZ) × 730 h × $0.005');
  });

  it('a NAT gateway costs $32.85 before data, and its Elastic IP $3.65', () => {
    const estimate = priceTemplates([fixture('private-nat')], usEast1, DEFAULT_USAGE);
    const nat = estimate.items.filter((item) => item.type === 'AWS::EC2::NatGateway' && item.logicalId);
    expect(nat.map((item) => item.monthly.max)).toEqual([32.85]);
    expect(estimate.items.find((item) => item.type === 'AWS::EC2::EIP')?.monthly).toEqual({ min: 3.65, max: 3.65 });
  });

  it('one interface endpoint in one AZ costs $7.30', () => {
    const estimate = priceTemplates([single('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.logs', SubnetIds: [{ Ref: 'SubnetA' }] })], usEast1, DEFAULT_USAGE);
    expect(estimate.items).toHaveLength(1);
    expect(estimate.items[0]!.monthly).toEqual({ min: 7.3, max: 7.3 });
    expect(estimate.items[0]!.basis).toBe('730 h × $0.01 (before data processed)');
  });
});

describe('priceTemplates on a public ALB service', () => {
  const estimate = priceTemplates([fixture('public-alb'), fixture('registry')], usEast1, DEFAULT_USAGE);

  it('prices the tasks with their count and says how', () => {
    const service = line(estimate, 'Service');
    expect(service.monthly).toEqual({ min: 18.02, max: 18.02 });
    expect(service.basis).toBe('2 tasks × 730 h × (0.25 vCPU × $0.04048 + 0.5 GB × $0.004445)');
    expect(line(estimate, 'Service (task public IPv4)').monthly.max).toBe(7.3);
  });

  it('prices usage from the stated assumptions', () => {
    expect(line(estimate, 'LoadBalancer (LCUs)').basis).toBe('1 LCU (assumed, --lcus) × 730 h × $0.008');
    expect(line(estimate, 'LoadBalancer (LCUs)').monthly.max).toBe(5.84);
    expect(line(estimate, 'Logs').basis).toMatch(/^1 GB ingested \(assumed, --logs-gb\) × \$0\.50 \+ 0\.986 GB stored \(30-day retention\) × \$0\.03$/);
    expect(line(estimate, 'data transfer out').monthly.max).toBe(0.9);
    expect(line(estimate, 'Repository').monthly.max).toBe(0.1);
  });

  it('counts alarms and the secret the task injects once, even when injected twice', () => {
    expect(line(estimate, 'alarms (3)').monthly.max).toBe(0.3);
    expect(estimate.items.filter((item) => item.type === 'AWS::SecretsManager::Secret').map((item) => item.resource)).toEqual(['secret berth/demo/prod/API_KEY']);
  });

  it('lists what it cannot price instead of dropping it, and nothing free', () => {
    expect(estimate.unpriced).toEqual([{ resource: 'Uploads', type: 'AWS::S3::Bucket', stack: 'berth-demo-public-alb', reason: 'berth has no price rule for this resource type' }]);
    expect(estimate.items.some((item) => item.type.startsWith('AWS::IAM') || item.type === 'AWS::EC2::SecurityGroup')).toBe(false);
  });

  it('totals the lines', () => {
    const sum = estimate.items.reduce((total, item) => total + item.monthly.max, 0);
    expect(estimate.monthly.max).toBe(cents(sum));
    expect(estimate.monthly).toEqual({ min: 57.12, max: 57.12 });
  });

  it('uses the region\'s figures', () => {
    const ireland = priceTemplates([fixture('public-alb')], euWest1, DEFAULT_USAGE);
    expect(line(ireland, 'LoadBalancer').monthly.max).toBe(18.4);
    expect(ireland.region).toBe('eu-west-1');
  });
});

describe('priceTemplates on a private, scaled, Spot service with NAT, RDS and Redis', () => {
  const estimate = priceTemplates([fixture('private-nat')], usEast1, DEFAULT_USAGE);

  it('prices the minimum and the maximum, through the night-time schedule, on Spot', () => {
    const service = line(estimate, 'Service');
    // 1-4 ARM Spot tasks by day (12 h), none at night
    expect(service.basis).toBe('(0 tasks × 365 h + 1–4 tasks × 365 h) × Fargate Spot (0.25 vCPU × $0.009714 + 1 GB × $0.001068)');
    expect(service.monthly).toEqual({ min: 1.28, max: 5.1 });
  });

  it('doubles a Multi-AZ database and prices its gp3 storage', () => {
    const database = line(estimate, 'Database');
    expect(database.basis).toBe('2 (Multi-AZ) × (730 h × $0.016 db.t4g.micro + 20 GB gp3 × $0.115)');
    expect(database.monthly.max).toBe(27.96);
  });

  it('prices cache nodes, the generated database secret and NAT data', () => {
    expect(line(estimate, 'Cache').basis).toBe('1 node × 730 h × $0.016 cache.t4g.micro');
    expect(estimate.items.filter((item) => item.type === 'AWS::SecretsManager::Secret')).toHaveLength(1);
    expect(line(estimate, 'NAT gateways (data processed)').basis).toBe('10 GB (assumed, --nat-gb) × $0.045');
  });

  it('ranges from min to max', () => {
    expect(estimate.monthly.max - estimate.monthly.min).toBeCloseTo(5.1 - 1.28, 2);
  });
});

describe('edge cases', () => {
  it('reports a resource as not priced when the table lacks its figure', () => {
    const estimate = priceTemplates([single('AWS::RDS::DBInstance', { Engine: 'postgres', DBInstanceClass: 'db.x2iedn.32xlarge', AllocatedStorage: '20' })], usEast1, DEFAULT_USAGE);
    expect(estimate.items).toEqual([]);
    expect(estimate.unpriced[0]!.reason).toMatch(/no price for RDS PostgreSQL db\.x2iedn\.32xlarge in data\/prices\/us-east-1\.json/);
  });

  it('does not price gateway endpoints, and counts interface endpoints per AZ', () => {
    const gateway = priceTemplates([single('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: 's3' })], usEast1, DEFAULT_USAGE);
    expect(gateway.items).toEqual([]);
    expect(gateway.unpriced).toEqual([]);
    const twoZones = priceTemplates([single('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] })], usEast1, DEFAULT_USAGE);
    expect(twoZones.items[0]!.monthly.max).toBe(14.6);
  });

  it('has no public addresses for an internal ALB', () => {
    const estimate = priceTemplates([single('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Subnets: ['a', 'b'] }, 'Lb')], usEast1, { ...DEFAULT_USAGE, lcus: 0 });
    expect(estimate.items.map((item) => item.resource)).toEqual(['Lb', 'Lb (LCUs)']);
    expect(estimate.monthly.max).toBe(16.43);
  });

  it('reports a service whose task definition it cannot see', () => {
    const estimate = priceTemplates([single('AWS::ECS::Service', { TaskDefinition: 'arn:aws:ecs:elsewhere' })], usEast1, DEFAULT_USAGE);
    expect(estimate.unpriced[0]!.reason).toBe('its task definition is not in the template');
  });

  it('places tasks on Spot by base then weight', () => {
    const strategy = [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 3 }];
    expect(spotTasks(strategy, 1)).toBe(0);
    expect(spotTasks(strategy, 5)).toBe(3);
    expect(spotTasks(undefined, 5)).toBe(0);
  });

  it('rounds half-cents up despite binary fractions', () => {
    expect(cents(0.0225 * 730)).toBe(16.43);
    expect(cents(16.424999)).toBe(16.42);
  });

  it('uses only the table given', () => {
    const cheap: PriceTable = { ...usEast1, prices: { ...usEast1.prices, 'alb.hour': { ...usEast1.prices['alb.hour']!, usd: 0.01 } } };
    const estimate = priceTemplates([single('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' }, 'Lb')], cheap, { ...DEFAULT_USAGE, lcus: 0 });
    expect(estimate.monthly.max).toBe(7.3);
  });
});

describe('what production hardening adds (issue 12)', () => {
  it('prices a CloudWatch dashboard at $3 a month', () => {
    const estimate = priceTemplates([single('AWS::CloudWatch::Dashboard', { DashboardName: 'berth-shop-prod' }, 'AlarmsDashboard')], usEast1, DEFAULT_USAGE);
    expect(line(estimate, 'AlarmsDashboard').monthly).toEqual({ min: 3, max: 3 });
    expect(line(estimate, 'AlarmsDashboard').basis).toBe('1 dashboard × $3.00/month');
  });

  it('prices CloudFront by requests and data out, and the viewers\' traffic is not priced again as data transfer out', () => {
    const template = {
      stack: 'berth-test',
      template: {
        Resources: {
          Edge: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { Enabled: true } } },
          Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing', Subnets: ['a', 'b'] } },
        },
      },
    };
    const estimate = priceTemplates([template], usEast1, { ...DEFAULT_USAGE, requestsMillion: 5, egressGb: 100 });
    expect(line(estimate, 'Edge requests').monthly.max).toBe(5);
    expect(line(estimate, 'Edge data out').monthly.max).toBe(8.5);
    expect(estimate.items.map((item) => item.resource)).not.toContain('data transfer out');
    expect(priceTemplates([template], euWest1, DEFAULT_USAGE).items.find((item) => item.resource === 'Edge requests')!.monthly.max).toBe(1.2);
  });

  it('prices Container Insights per cluster, per service and per task, only when it is on', () => {
    const service = (count: number) => ({ Type: 'AWS::ECS::Service', Properties: { Cluster: { Ref: 'Cluster' }, DesiredCount: count, TaskDefinition: { Ref: 'Task' } } });
    const resources = (insights: string) => ({
      Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterSettings: [{ Name: 'containerInsights', Value: insights }] } },
      Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: '256', Memory: '512' } },
      Web: service(4),
      Worker: service(1),
    });
    const on = priceTemplates([{ stack: 'berth-test', template: { Resources: resources('enabled') } }], usEast1, DEFAULT_USAGE);
    // 12 + 25 × 2 services = 62 metrics × $0.30; 5 tasks × 0.0438 GB × $0.50.
    expect(line(on, 'Cluster Container Insights metrics').monthly.max).toBe(18.6);
    expect(line(on, 'Cluster Container Insights logs').monthly.max).toBe(0.11);
    const off = priceTemplates([{ stack: 'berth-test', template: { Resources: resources('disabled') } }], usEast1, DEFAULT_USAGE);
    expect(off.items.map((item) => item.resource).filter((resource) => resource.includes('Insights'))).toEqual([]);
  });
});
