/**
 * What each example in examples/ costs per month, synthesized as `berth cost` does and priced at the
 * default usage assumptions: the expected total and every line that makes it up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { estimateEnvironment } from '../src/cli/commands/cost-estimate.js';
import { loadConfig } from '../src/config/load.js';
import { DEFAULT_USAGE } from '../src/plan/cost/usage.js';

const out = mkdtempSync(join(tmpdir(), 'berth-examples-cost-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

type Lines = Record<string, number | [number, number]>;

async function price(example: string, env: string, file = `examples/${example}/berth.yml`) {
  const config = loadConfig({ config: file, env });
  const cost = await estimateEnvironment(config, DEFAULT_USAGE, join(out, example, env));
  const lines: Lines = Object.fromEntries(cost.estimate.items.map((item) => [
    item.resource,
    item.monthly.min === item.monthly.max ? item.monthly.max : [item.monthly.min, item.monthly.max],
  ]));
  return { cost, lines };
}

/**
 * The lines every public ALB environment has in us-east-1 at the default assumptions: the load balancer, and CloudFront
 * in front of it (https:// without a domain), through which the 10 GB out leave instead of the load balancer's data transfer.
 */
const ALB_US_EAST_1: Lines = {
  LoadBalancer: 16.43,
  'LoadBalancer (LCUs)': 5.84,
  'LoadBalancer (public IPv4)': 7.3,
  LoadBalancerCloudFrontOriginSecret: 0.4,
  'LoadBalancerCloudFrontDistribution requests': 1,
  'LoadBalancerCloudFrontDistribution data out': 0.85,
  RegistryRepository: 0.1,
  ServiceLogs: 0.53,
};

/** Container Insights in production: 37 metrics for one cluster with one service, and the performance events per task-month. */
const INSIGHTS_ONE_SERVICE = 11.1;

/** Redis AUTH: the token and the REDIS_URL assembled from it, one secret each. */
const REDIS_AUTH: Lines = { CacheAuthToken: 0.4, CacheUrl: 0.4 };

describe('cost of the examples', () => {
  it('flask-hello prod: 2 x86 tasks of 0.25 vCPU / 0.5 GB behind CloudFront and an ALB, Container Insights, $69.91', async () => {
    const { cost, lines } = await price('flask-hello', 'prod');
    expect(lines).toEqual({
      ...ALB_US_EAST_1,
      Service: 18.02,
      'Service (task public IPv4)': 7.3,
      'ServiceCluster Container Insights metrics': INSIGHTS_ONE_SERVICE,
      'ServiceCluster Container Insights logs': 0.04,
      'alarms (7)': 1,
    });
    expect(cost.estimate.monthly).toEqual({ min: 69.91, max: 69.91 });
    const basis = (resource: string) => cost.estimate.items.find((item) => item.resource === resource)!.basis;
    expect(basis('LoadBalancerCloudFrontDistribution requests')).toBe('1 million HTTPS requests (assumed, --requests-million) × $0.01/10,000');
    expect(basis('LoadBalancerCloudFrontDistribution data out')).toBe("10 GB to viewers (assumed, --egress-gb) × $0.085/GB; before CloudFront's free tier");
    expect(basis('ServiceCluster Container Insights metrics')).toBe('37 metrics (12 for the cluster + 25 per service × 1) × $0.30/month');
    expect(basis('ServiceCluster Container Insights logs')).toBe('2 task-months × 0.0438 GB of performance events (about 1 KB a minute per task) × $0.50/GB ingested');
    expect(cost.estimate.items.find((item) => item.resource === 'Service')!.basis).toBe('2 tasks × 730 h × (0.25 vCPU × $0.04048 + 0.5 GB × $0.004445)');
    // the 5xx-rate alarms (the app's and the load balancer's) are metric math over two metrics each, billed as two
    expect(basis('alarms (7)')).toBe('10 alarm metrics in 7 alarms × $0.10/month');
    expect(cost.estimate.unpriced).toEqual([]);
    expect(cost.savings.map((saving) => [saving.kind, saving.monthly.max])).toEqual([['arm64', 3.6]]);
  }, 120_000);

  it('radio prod: one public task, no load balancer, in ap-south-1, Container Insights, $26.14', async () => {
    const { cost, lines } = await price('radio', 'prod');
    expect(lines).toEqual({
      RegistryRepository: 0.1,
      ServiceLogs: 0.7,
      Service: 9.47,
      'Service (task public IPv4)': 3.65,
      'ServiceCluster Container Insights metrics': INSIGHTS_ONE_SERVICE,
      'ServiceCluster Container Insights logs': 0.03,
      'data transfer out': 1.09,
    });
    expect(cost.estimate.region).toBe('ap-south-1');
    expect(cost.estimate.monthly).toEqual({ min: 26.14, max: 26.14 });
    expect(cost.estimate.unpriced).toEqual([]);
  }, 120_000);

  it('streamboard dev: Spot, 1-2 tasks on weekdays 07:00-20:00 and none otherwise, Redis, in eu-west-1, $52.70-$56.22', async () => {
    const { cost, lines } = await price('streamboard', 'dev');
    expect(lines).toEqual({
      RegistryRepository: 0.1,
      CacheReplicationGroup: 12.41,
      ...REDIS_AUTH,
      LoadBalancerCloudFrontOriginSecret: 0.4,
      'LoadBalancerCloudFrontDistribution requests': 1.2,
      'LoadBalancerCloudFrontDistribution data out': 0.85,
      ServiceLogs: 0.6,
      Service: [2.09, 4.19],
      'Service (task public IPv4)': [1.41, 2.83],
      LoadBalancer: 18.4,
      'LoadBalancer (LCUs)': 5.84,
      'LoadBalancer (public IPv4)': 7.3,
      'alarms (7)': 0.9,
      'secret berth/streamboard/dev/DATA_API_KEY': 0.4,
    });
    expect(cost.estimate.items.find((item) => item.resource === 'Service')!.basis)
      .toBe('(0 tasks × 447.3 h + 1–2 tasks × 282.8 h) × Fargate Spot (0.5 vCPU × $0.012144 + 1 GB × $0.0013335)');
    expect(cost.estimate.monthly).toEqual({ min: 52.7, max: 56.22 });
    // already on Spot and scheduled: only ARM is left to suggest
    expect(cost.savings.map((saving) => saving.kind)).toEqual(['arm64']);
  }, 120_000);

  it('streamboard prod: 2-6 tasks, in eu-west-1, $103.99-$190.77', async () => {
    const { cost, lines } = await price('streamboard', 'prod');
    expect(lines).toEqual({
      RegistryRepository: 0.1,
      CacheReplicationGroup: 12.41,
      ...REDIS_AUTH,
      LoadBalancerCloudFrontOriginSecret: 0.4,
      'LoadBalancerCloudFrontDistribution requests': 1.2,
      'LoadBalancerCloudFrontDistribution data out': 0.85,
      'ServiceCluster Container Insights metrics': INSIGHTS_ONE_SERVICE,
      'ServiceCluster Container Insights logs': [0.05, 0.15],
      ServiceLogs: 0.6,
      Service: [36.04, 108.12],
      'Service (task public IPv4)': [7.3, 21.9],
      LoadBalancer: 18.4,
      'LoadBalancer (LCUs)': 5.84,
      'LoadBalancer (public IPv4)': 7.3,
      'alarms (9)': 1.2,
      'secret berth/streamboard/prod/DATA_API_KEY': 0.4,
    });
    expect(cost.estimate.monthly).toEqual({ min: 103.99, max: 190.77 });
  }, 120_000);

  it('consultation prod: one 0.5 vCPU / 1 GB task and two runtime secrets, $67.04', async () => {
    const { cost, lines } = await price('consultation', 'prod');
    expect(lines).toEqual({
      ...ALB_US_EAST_1,
      Service: 18.02,
      'Service (task public IPv4)': 3.65,
      'ServiceCluster Container Insights metrics': INSIGHTS_ONE_SERVICE,
      'ServiceCluster Container Insights logs': 0.02,
      'alarms (7)': 1,
      'secret berth/consultation/prod/CLERK_SECRET_KEY': 0.4,
      'secret berth/consultation/prod/OPENAI_API_KEY': 0.4,
    });
    expect(cost.estimate.monthly).toEqual({ min: 67.04, max: 67.04 });
  }, 120_000);

  it('news-api prod: 2-10 tasks at 70% CPU, Multi-AZ PostgreSQL and Redis, $129.67-$303.21', async () => {
    const { cost, lines } = await price('news-api', 'prod');
    expect(lines).toEqual({
      ...ALB_US_EAST_1,
      ...REDIS_AUTH,
      DatabaseInstanceSecret: 0.4,
      DatabaseInstance: 27.96,
      CacheReplicationGroup: 11.68,
      WiringDatabaseUrl: 0.4,
      Service: [36.04, 180.2],
      'Service (task public IPv4)': [7.3, 36.5],
      'ServiceCluster Container Insights metrics': INSIGHTS_ONE_SERVICE,
      'ServiceCluster Container Insights logs': [0.04, 0.22],
      'alarms (12)': 1.5,
    });
    expect(cost.estimate.items.find((item) => item.resource === 'DatabaseInstance')!.basis).toBe('2 (Multi-AZ) × (730 h × $0.016 db.t4g.micro + 20 GB gp3 × $0.115)');
    expect(cost.estimate.monthly).toEqual({ min: 129.67, max: 303.21 });
    expect(cost.savings.map((saving) => saving.kind)).toEqual(['arm64']);
  }, 120_000);

  it('news-api staging: 2 tasks, single-AZ database, $104.45, with Spot and night-time savings', async () => {
    const { cost, lines } = await price('news-api', 'staging');
    expect(lines).toEqual({
      ...ALB_US_EAST_1,
      ...REDIS_AUTH,
      DatabaseInstanceSecret: 0.4,
      DatabaseInstance: 13.98,
      CacheReplicationGroup: 11.68,
      WiringDatabaseUrl: 0.4,
      Service: 36.04,
      'Service (task public IPv4)': 7.3,
      'alarms (12)': 1.4,
    });
    expect(cost.estimate.monthly).toEqual({ min: 104.45, max: 104.45 });
    expect(cost.savings.map((saving) => [saving.kind, saving.monthly.max])).toEqual([['spot', 25.23], ['scale-to-zero-at-night', 21.67], ['arm64', 7.2]]);
  }, 120_000);

  it('news-api pr-12, made from the preview template: one Spot task asleep at night, single-AZ, no alarms, $62.17', async () => {
    const { cost, lines } = await price('news-api', 'pr-12');
    expect(lines).toEqual({
      ...ALB_US_EAST_1,
      ...REDIS_AUTH,
      DatabaseInstanceSecret: 0.4,
      DatabaseInstance: 13.98,
      CacheReplicationGroup: 11.68,
      WiringDatabaseUrl: 0.4,
      Service: 1.05,
      'Service (task public IPv4)': 1.41,
    });
    expect(cost.estimate.monthly).toEqual({ min: 62.17, max: 62.17 });
    // Already on Spot and asleep at night: only ARM is left to save.
    expect(cost.savings.map((saving) => saving.kind)).toEqual(['arm64']);
  }, 120_000);

  it('many services (test/fixtures/many-services) prod: every service at its min and max, the job\'s runs between Fargate\'s minimum and its timeout, the timer, the scheduler and Service Connect', async () => {
    const { cost, lines } = await price('many-services', 'prod', 'test/fixtures/many-services/berth.yml');
    expect(lines).toEqual({
      ...ALB_US_EAST_1,
      ...REDIS_AUTH,
      DatabaseInstanceSecret: 0.4,
      DatabaseInstance: 13.98,
      CacheReplicationGroup: 11.68,
      WiringDatabaseUrl: 0.4,
      'ServiceCluster Container Insights metrics': 26.1,
      'ServiceCluster Container Insights logs': [0.09, 0.24],
      Service: [18.02, 54.06],
      'Service (task public IPv4)': [7.3, 21.9],
      ServiceApiService: 9.01,
      'ServiceApiService (task public IPv4)': 3.65,
      ServiceWorkerService: [10.63, 42.53],
      'ServiceWorkerService (task public IPv4)': [3.65, 14.6],
      'ServiceConnect (registered tasks)': [0.3, 0.7],
      'ServiceFetchTask (scheduled runs)': [0.6, 6.01],
      'ServiceFetchTask (run public IPv4)': [0.24, 2.43],
      ServiceFetchSchedule: 0,
      JobTimeoutsStateMachine: 0.22,
      'alarms (21)': 2.7,
      'secret berth/news/prod/SESSION_KEY': 0.4,
      'secret berth/news/prod/NEWSAPI_KEY': 0.4,
      'secret berth/news/prod/QUEUE_TOKEN': 0.4,
    });
    const basis = (resource: string) => cost.estimate.items.find((item) => item.resource === resource)!.basis;
    expect(basis('ServiceFetchTask (scheduled runs)')).toBe("2,920 runs (cron(*/15 * * * ? *)) × 1–10 min × (0.25 vCPU × $0.04048 + 0.5 GB × $0.004445); 1 min: Fargate's minimum billed per run; 10 min: the job's timeout");
    expect(basis('JobTimeoutsStateMachine')).toBe('2,920 job runs × up to 3 state transitions (wait, stop, end) × $0.025 per 1,000');
    expect(basis('ServiceFetchSchedule')).toBe('2,920 invocations × $1.00 per million');
    expect(cost.estimate.unpriced).toEqual([]);
    expect(basis('ServiceCluster Container Insights metrics')).toBe('87 metrics (12 for the cluster + 25 per service × 3) × $0.30/month');
    expect(cost.estimate.monthly).toEqual({ min: 143.42, max: 245.06 });
    expect(cost.savings.map((saving) => [saving.kind, saving.config])).toEqual([['arm64', 'arch: arm64 (shared by the services, or services.<name>.arch)']]);
  }, 120_000);
});
